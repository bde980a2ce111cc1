import { describe, expect, it } from "vitest";
import { call } from "./helpers";
import { placeOrder, product } from "./order-fixtures";

const wrong = () => ({ authorization: `Bearer ${crypto.randomUUID()}` });
const from = (ip: string, headers: Record<string, string>) => ({ headers: { "cf-connecting-ip": ip, ...headers } });

describe("guessing guest order tokens", () => {
  it("answers a burst of wrong tokens with 429 rate_limited and Retry-After, the same for real and missing orders", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const ip = "203.0.113.50";
    const answers: number[] = [];
    for (let i = 0; i < 31; i++) answers.push((await call("GET", `/api/orders/${o.id}`, from(ip, wrong()))).status);
    expect(answers.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(answers[30]).toBe(429);
    const existing = await call("GET", `/api/orders/${o.id}`, from(ip, wrong()));
    const missing = await call("GET", "/api/orders/ord_doesnotexist0000000000", from(ip, wrong()));
    for (const res of [existing, missing]) {
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("60");
      expect(res.body).toEqual(missing.body);
    }
    expect(existing.body).toMatchObject({ error: { code: "rate_limited" } });
  });

  it("limits the live socket's ?token= guesses too, and never counts the right token", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const ip = "203.0.113.51";
    for (let i = 0; i < 30; i++) {
      expect((await call("GET", `/api/orders/${o.id}`, from(ip, o.auth))).status).toBe(200);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await call("GET", `/api/orders/${o.id}/live?token=${crypto.randomUUID()}`, from(ip, {}));
      statuses.push(res.status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect((await call("GET", `/api/orders/${o.id}`, from("203.0.113.52", wrong()))).status).toBe(404);
  });
});
