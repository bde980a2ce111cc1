/**
 * Which messages the customer gets on which channel: a grid of kinds (order updates, back in stock, billing) by
 * the channels this shop offers (e-mail always; push with VAPID keys; SMS with a provider). Saved with
 * PATCH /api/account/preferences. Push also needs this device subscribed: a button does that here.
 */
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, client, read } from "../lib/api";
import { FormStatus } from "../lib/form";
import { enablePush, type PushState, pushState } from "../lib/push";

const route = client.api.account.preferences;
type Preferences = AnswerOf<typeof route.$get>;
type Kind = "order" | "marketing" | "billing";
type Channel = Preferences["channels"][number];

const KINDS: { kind: Kind; label: string; hint: string }[] = [
  { kind: "order", label: "Order updates", hint: "confirmed, shipped, delivered, refunds" },
  { kind: "marketing", label: "Back in stock", hint: "when a bracelet you asked about returns" },
  { kind: "billing", label: "Billing", hint: "invoices and monthly box payments" },
];
const CHANNEL_LABEL: Record<Channel, string> = { email: "E-mail", push: "Push", sms: "Text message" };

export function PreferencesForm() {
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [device, setDevice] = useState<PushState | null>(null);

  useEffect(() => {
    read(route.$get())
      .then(setPrefs)
      .catch((err) => setError((err as Error).message));
    pushState()
      .then(setDevice)
      .catch(() => setDevice("unsupported"));
  }, []);

  if (!prefs) return error ? <FormStatus error={error} /> : <p aria-busy="true">Loading your choices…</p>;

  const toggle = (channel: Channel, kind: Kind, on: boolean) => {
    setNotice(null);
    setPrefs({ ...prefs, [channel]: { ...prefs[channel], [kind]: on } });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setSending(true);
    setError(null);
    setNotice(null);
    try {
      const body = Object.fromEntries(prefs.channels.map((ch) => [ch, prefs[ch]]));
      setPrefs(await read(route.$patch({ json: body })));
      setNotice("Your choices are saved.");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSending(false);
    }
  };
  const subscribeDevice = async () => {
    try {
      setDevice(await enablePush("account"));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <form class="stack" onSubmit={save} aria-label="Message choices" data-testid="preferences-form">
      <table class="data preferences">
        <caption class="muted">Choose how we tell you about each kind of message.</caption>
        <thead>
          <tr>
            <th scope="col">Message</th>
            {prefs.channels.map((ch) => (
              <th scope="col" key={ch}>
                {CHANNEL_LABEL[ch]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {KINDS.map(({ kind, label, hint }) => (
            <tr key={kind}>
              <th scope="row">
                {label}
                <span class="muted pref-hint">{hint}</span>
              </th>
              {prefs.channels.map((ch) => (
                <td key={ch} class="pref-cell">
                  <input
                    type="checkbox"
                    name={`${ch}.${kind}`}
                    aria-label={`${label} by ${CHANNEL_LABEL[ch].toLowerCase()}`}
                    checked={prefs[ch][kind]}
                    onChange={(e) => toggle(ch, kind, (e.currentTarget as HTMLInputElement).checked)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">Messages about your account itself (like this sign-up) always come by e-mail.</p>
      {prefs.channels.includes("push") && device && device !== "unsupported" ? (
        device === "on" ? (
          <p class="muted">This device receives push messages.</p>
        ) : device === "denied" ? (
          <p class="muted">Notifications are blocked for this shop in your browser settings.</p>
        ) : (
          <p>
            <button type="button" class="secondary" onClick={subscribeDevice}>
              Get push messages on this device
            </button>
          </p>
        )
      ) : null}
      <FormStatus error={error} notice={notice} />
      <button type="submit" disabled={sending}>
        {sending ? "Saving…" : "Save choices"}
      </button>
    </form>
  );
}
