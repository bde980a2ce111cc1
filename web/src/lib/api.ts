/**
 * The browser's client for /api: JSON in, JSON out, the error envelope turned into an ApiFailure with its
 * stable code. Cookies ride along (same origin); a guest's order token goes in `token`.
 */
export class ApiFailure extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  /** Seconds from a `Retry-After` header (429 rate_limited), when the server sent one. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details?: unknown, retryAfter: number | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

type Options = { body?: unknown; token?: string; headers?: Record<string, string>; signal?: AbortSignal };

export async function api<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    credentials: "same-origin",
    signal: opts.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiFailure(res.status, "internal_error", "The server sent something unexpected");
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const retryAfter = Number.parseInt(res.headers.get("retry-after") ?? "", 10);
    throw new ApiFailure(
      res.status,
      err?.code ?? "internal_error",
      err?.message ?? res.statusText,
      err?.details,
      Number.isFinite(retryAfter) ? retryAfter : null,
    );
  }
  return parsed as T;
}

/** Formats integer minor units for display. */
export function formatMoney(cents: number, currency = "EUR"): string {
  return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}
