import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import { TYPE_INPUT } from "./contract";
import { ApiError } from "./errors";

export type FieldIssue = { path: string; message: string };

/** Valibot issues as `{path, message}` pairs, the `details` of a 400 validation_failed. */
export function issueDetails(issues: readonly StandardSchemaV1.Issue[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".") || "(root)",
    message: issue.message,
  }));
}

/**
 * Validates one request target against a valibot schema (any Standard Schema) and turns a failure into the
 * error envelope: 400 validation_failed with per-field details. The parsed value is `c.req.valid(target)`.
 * hono-openapi's validator is @hono/standard-validator's, marked so the schema lands in the OpenAPI document.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends StandardSchemaV1>(
  target: Target,
  schema: Schema,
) =>
  validator(
    target,
    schema,
    (result) => {
      if (!result.success)
        throw new ApiError("validation_failed", "The request is not valid", issueDetails(result.error));
    },
    TYPE_INPUT,
  );
