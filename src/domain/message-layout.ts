/**
 * The shop's e-mail layout: one function turns a message's parts (heading, paragraphs, one call to action)
 * into the HTML and plain-text bodies, so every template looks alike and every text part says what the HTML
 * says. Money and dates go through Intl here and nowhere else in the templates.
 */

export type MessageParts = {
  heading: string;
  paragraphs: readonly string[];
  action?: { label: string; url: string };
  /** Small print under the message (why the shopper got it, how to stop it). */
  footer?: readonly string[];
};

const LOCALE = "en-IE";

/** Building an Intl formatter costs far more than using one (a checkout's profile showed it): one per currency. */
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: "long", timeZone: "UTC" });

export function formatMoney(cents: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { style: "currency", currency });
    moneyFormats.set(currency, format);
  }
  return format.format(cents / 100);
}

export function formatDate(ms: number): string {
  return dateFormat.format(new Date(ms));
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}

export function renderEmail(parts: MessageParts): { html: string; text: string } {
  const p = (t: string) => `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(t)}</p>`;
  const button = parts.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(parts.action.url)}" style="background:#7a4b8c;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(parts.action.label)}</a></p>`
    : "";
  const footer = (parts.footer ?? [])
    .map((t) => `<p style="margin:0 0 8px;font-size:12px;color:#6b6270">${escapeHtml(t)}</p>`)
    .join("");
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>',
    escapeHtml(parts.heading),
    '</title></head><body style="margin:0;background:#f7f3f8;font-family:system-ui,sans-serif;color:#2b2330">',
    '<div style="max-width:560px;margin:0 auto;padding:24px">',
    '<p style="font-weight:600;color:#7a4b8c;margin:0 0 24px">Bracelet Shop</p>',
    `<h1 style="font-size:22px;margin:0 0 16px">${escapeHtml(parts.heading)}</h1>`,
    parts.paragraphs.map(p).join(""),
    button,
    footer ? `<hr style="border:none;border-top:1px solid #e4dce8;margin:24px 0">${footer}` : "",
    "</div></body></html>",
  ].join("");
  const text = [
    parts.heading,
    "",
    ...parts.paragraphs.flatMap((t) => [t, ""]),
    ...(parts.action ? [`${parts.action.label}: ${parts.action.url}`, ""] : []),
    ...(parts.footer?.length ? ["--", ...parts.footer] : []),
  ]
    .join("\n")
    .trimEnd();
  return { html, text };
}
