/** Query-string paging shared by list endpoints: `?cursor=<opaque>&limit=<1..50>` (default 20). */
import * as v from "valibot";
import { decodeCursor } from "../lib/cursor";

export const DEFAULT_PAGE_SIZE = 20;
// D1 binds at most 100 parameters per statement; a page of ids must fit in one `IN (...)`.
export const MAX_PAGE_SIZE = 50;

export const CursorParam = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const cursor = decodeCursor(dataset.value);
    if (!cursor) {
      addIssue({ message: "Not a cursor this API handed out" });
      return NEVER;
    }
    return cursor;
  }),
);

export const LimitParam = v.pipe(
  v.string(),
  v.regex(/^[0-9]{1,3}$/, "limit is a whole number"),
  v.transform(Number),
  v.minValue(1, "limit is at least 1"),
  v.maxValue(MAX_PAGE_SIZE, `limit is at most ${MAX_PAGE_SIZE}`),
);

export const PageQuerySchema = v.object({
  cursor: v.optional(CursorParam),
  limit: v.optional(LimitParam, String(DEFAULT_PAGE_SIZE)),
});
export type PageQuery = v.InferOutput<typeof PageQuerySchema>;
