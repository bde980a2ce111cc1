/**
 * GET/POST /unsubscribe?token=…: the one-click unsubscribe of marketing e-mail, signed out. GET shows a
 * confirmation with one button (link scanners that fetch URLs must not unsubscribe anyone); POST, from that
 * button or from a mail client's RFC 8058 one-click (`List-Unsubscribe=One-Click`), turns the kind off.
 */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { Layout } from "../pages/layout";
import { renderPage } from "../pages/render";
import { setPreference, verifyUnsubscribeToken } from "../services/notifications/unsubscribe";

const KIND_LABEL = { order: "order updates", marketing: "back-in-stock and other news", billing: "billing messages" };

function invalid(c: Parameters<typeof renderPage>[0]) {
  return renderPage(
    c,
    <Layout title="Link not valid">
      <h1>This link is not valid</h1>
      <p>It may have been cut short by your mail program. You can change your e-mail settings in your account.</p>
    </Layout>,
    400,
  );
}

export const unsubscribePage = new Hono<AppEnv>()
  .get("/unsubscribe", async (c) => {
    const token = c.req.query("token") ?? "";
    const subject = await verifyUnsubscribeToken(c.env, token);
    if (!subject) return invalid(c);
    return renderPage(
      c,
      <Layout title="Unsubscribe">
        <h1>Unsubscribe</h1>
        <p>
          Stop sending {KIND_LABEL[subject.kind]} to <strong>{subject.recipient}</strong>?
        </p>
        <form method="post" action={`/unsubscribe?token=${encodeURIComponent(token)}`}>
          <button type="submit">Unsubscribe</button>
        </form>
      </Layout>,
    );
  })
  .post("/unsubscribe", async (c) => {
    const subject = await verifyUnsubscribeToken(c.env, c.req.query("token") ?? "");
    if (!subject) return invalid(c);
    await setPreference(c.env, { ...subject, channel: "email", enabled: false });
    return renderPage(
      c,
      <Layout title="Unsubscribed">
        <h1>You are unsubscribed</h1>
        <p>
          We will send no more {KIND_LABEL[subject.kind]} to {subject.recipient}.
        </p>
      </Layout>,
    );
  });
