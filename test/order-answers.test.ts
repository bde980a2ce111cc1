/**
 * The answers an order keeps for requests with an Idempotency-Key (src/durable/order-flow/answers.ts): found for
 * the same key and body, `reused` for another body, forgotten after a day, and never more than MAX_ANSWERS.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ANSWER_TTL_MS, KeptAnswers, MAX_ANSWERS } from "../src/durable/order-flow/answers";

const inObject = <T>(work: (answers: KeptAnswers, kv: SyncKvStorage) => T) =>
  runInDurableObject(env.ORDER_FLOW.getByName(`ord_answers_${crypto.randomUUID()}`), (_instance, state) =>
    work(new KeptAnswers(state.storage.kv), state.storage.kv),
  );

describe("answers kept by an order", () => {
  it("answers the same key and body with the kept answer and another body with reused", async () => {
    const found = await inObject((answers) => {
      answers.keep("pay", { id: "k1", requestHash: "h1" }, { ok: true, n: 1 }, 1_000);
      return [
        answers.find("pay", { id: "k1", requestHash: "h1" }, 2_000),
        answers.find("pay", { id: "k1", requestHash: "h2" }, 2_000),
        answers.find("pay", { id: "k2", requestHash: "h1" }, 2_000),
        answers.find("create", { id: "k1", requestHash: "h1" }, 2_000),
      ];
    });
    expect(found).toEqual([{ kept: { ok: true, n: 1 } }, { reused: true }, null, null]);
  });

  it("forgets an answer after a day, and drops day-old answers when keeping a new one", async () => {
    const left = await inObject((answers, kv) => {
      answers.keep("pay", { id: "old", requestHash: "h" }, "first", 0);
      const later = ANSWER_TTL_MS + 1;
      const stale = answers.find("pay", { id: "old", requestHash: "h" }, later);
      answers.keep("pay", { id: "new", requestHash: "h" }, "second", later);
      return { stale, keys: [...kv.list({ prefix: "answer:" })].map(([k]) => k) };
    });
    expect(left).toEqual({ stale: null, keys: ["answer:pay:new"] });
  });

  it("keeps at most MAX_ANSWERS, dropping the oldest first", async () => {
    const keys = await inObject((answers, kv) => {
      for (let i = 0; i < MAX_ANSWERS + 5; i++) answers.keep("pay", { id: `k${i}`, requestHash: "h" }, i, 1_000 + i);
      return [...kv.list({ prefix: "answer:" })].map(([k]) => k);
    });
    expect(keys).toHaveLength(MAX_ANSWERS);
    expect(keys).not.toContain("answer:pay:k4");
    expect(keys).toContain("answer:pay:k5");
    expect(keys).toContain(`answer:pay:k${MAX_ANSWERS + 4}`);
  });
});
