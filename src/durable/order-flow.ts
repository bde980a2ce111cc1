import { DurableObject } from "cloudflare:workers";

/** One per order: the order's state machine, payment and fraud flow, and its WebSockets (issue 5). */
export class OrderFlow extends DurableObject<Env> {}
