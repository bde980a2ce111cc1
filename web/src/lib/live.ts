/**
 * A WebSocket to one of the shop's live endpoints that reconnects with capped exponential backoff and keeps
 * itself alive with the "ping" the Durable Objects auto-answer. `path` is same-origin (e.g.
 * "/api/orders/ord_x/live?token=…"); `onOpen` lets the caller re-sync (e.g. pass `?since=`) after a drop.
 */
import { useEffect, useRef, useState } from "preact/hooks";

export type LiveState = "connecting" | "open" | "closed";

export function openLive(
  path: () => string,
  onMessage: (data: unknown) => void,
  onState: (state: LiveState) => void = () => {},
): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;

  const connect = () => {
    if (stopped) return;
    onState("connecting");
    const url = new URL(path(), location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(url);
    socket.onopen = () => {
      attempt = 0;
      onState("open");
      ping = setInterval(() => socket?.readyState === WebSocket.OPEN && socket.send("ping"), 25_000);
    };
    socket.onmessage = (e) => {
      if (e.data === "pong") return;
      try {
        onMessage(JSON.parse(String(e.data)));
      } catch {
        // not JSON: ignore
      }
    };
    socket.onclose = () => {
      clearInterval(ping);
      onState("closed");
      if (stopped) return;
      const delay = Math.min(15_000, 500 * 2 ** attempt++) * (0.75 + Math.random() / 2);
      retry = setTimeout(connect, delay);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    clearInterval(ping);
    socket?.close(1000, "done");
  };
}

/** Preact hook over openLive: connects while mounted, returns the connection state. */
export function useLive(path: string | null, onMessage: (data: unknown) => void): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  // The socket lives as long as the endpoint; messages always reach the latest callback.
  const latest = useRef(onMessage);
  latest.current = onMessage;
  useEffect(
    () =>
      path
        ? openLive(
            () => path,
            (m) => latest.current(m),
            setState,
          )
        : undefined,
    [path],
  );
  return state;
}
