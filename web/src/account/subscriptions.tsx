/**
 * Monthly boxes on the account page: the plans on offer (GET /api/plans), the customer's own subscriptions with
 * their status and next billing date (GET /api/subscriptions), subscribing with a card (the first month is
 * charged at once) and cancelling with a confirmation step. Card numbers go to the server as typed digits, which
 * maps them to gateway tokens like the order payment does (src/domain/payment-tokens.ts) and never stores them.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiFailure, client, formatMoney, read } from "../lib/api";
import { Field, FormStatus, useForm } from "../lib/form";
import { cardDigits, cardField, INVALID_CARD, plausibleCard, TEST_CARDS, useCardCharge } from "../order/cards";
import type { Plan, Subscription } from "./types";

const formatDay = (ms: number) => new Date(ms).toLocaleDateString("en-GB", { dateStyle: "medium" });

/** The test cards that mean something for a subscription: there is no fraud review on boxes. */
const BOX_CARDS = TEST_CARDS.filter((c) => c.outcome === "succeeds" || c.outcome === "is declined");

const STATUS_LABEL: Record<Subscription["status"], string> = {
  active: "Active",
  past_due: "Payment overdue",
  paused: "Paused",
  cancelled: "Cancelled",
};

/** One sentence on where the subscription stands. */
function standing(sub: Subscription, now: number): string {
  if (sub.status === "active" && sub.nextBillingAt !== null) {
    return `Next box and payment on ${formatDay(sub.nextBillingAt)}.`;
  }
  if (sub.status === "paused") {
    return "Paused: nothing is charged and no box is sent until you resume.";
  }
  if (sub.status === "past_due") {
    return "Your last payment was declined. We try the card again each day; after three declines the box stops.";
  }
  return sub.currentPeriodEnd > now
    ? `Cancelled. Your boxes continue until ${formatDay(sub.currentPeriodEnd)}; nothing more will be charged.`
    : `Ended on ${formatDay(sub.currentPeriodEnd)}.`;
}

function SubscribeForm({
  plan,
  onSubscribed,
  onClose,
}: {
  plan: Plan;
  onSubscribed: (sub: Subscription) => void;
  onClose: () => void;
}) {
  const form = useForm({ card: "" });
  const charge = useCardCharge();
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const card = cardDigits(form.values.card);
    if (!plausibleCard(card)) {
      form.fail({ card: INVALID_CARD });
      return;
    }
    const created: { sub: Subscription | null } = { sub: null };
    await form.run(
      async () => {
        try {
          created.sub = await charge(card, (key) =>
            read(
              client.api.subscriptions.$post(
                { json: { planId: plan.id, paymentMethod: { token: card } } },
                { headers: { "Idempotency-Key": key } },
              ),
            ),
          );
        } catch (err) {
          if (err instanceof ApiFailure && err.code === "payment_declined") {
            throw new ApiFailure(err.status, err.code, "The card was declined and nothing was charged. Try another.");
          }
          throw err;
        }
      },
      { toField: cardField },
    );
    if (created.sub) onSubscribed(created.sub);
  };
  return (
    <form
      ref={form.formRef}
      class="stack subscribe-form"
      noValidate
      onSubmit={onSubmit}
      aria-label={`Subscribe to ${plan.name}`}
    >
      <FormStatus error={form.formError} notice={form.notice} />
      <Field
        form={`subscribe-${plan.id}`}
        label="Card number"
        autocomplete="cc-number"
        inputMode="numeric"
        required
        maxLength={23}
        hint={
          <>
            The first month is charged now, then once a month. Test cards:
            <span class="test-cards">
              {BOX_CARDS.map((c) => (
                <span key={c.number}>
                  <code>{c.number}</code> {c.outcome}
                </span>
              ))}
            </span>
          </>
        }
        {...form.field("card")}
      />
      <div class="actions">
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Paying the first month…" : "Subscribe and pay"}
        </button>
        <button type="button" class="secondary" disabled={form.sending} onClick={onClose}>
          Not now
        </button>
      </div>
    </form>
  );
}

function CancelSubscription({ sub, onCancelled }: { sub: Subscription; onCancelled: (sub: Subscription) => void }) {
  const [asking, setAsking] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = async () => {
    setSending(true);
    setError(null);
    try {
      onCancelled(await read(client.api.subscriptions[":id"].$delete({ param: { id: encodeURIComponent(sub.id) } })));
      setAsking(false);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <div class="subscription-cancel">
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {asking ? (
        <div class="confirm-box">
          <p>
            Cancel {sub.planName}? Nothing more will be charged
            {sub.status === "active"
              ? `; the month you paid for runs until ${formatDay(sub.currentPeriodEnd)}, without a refund.`
              : "."}
          </p>
          <div class="actions">
            <button type="button" class="confirm-danger" disabled={sending} onClick={cancel}>
              {sending ? "Cancelling…" : "Yes, cancel the box"}
            </button>
            <button type="button" class="secondary" disabled={sending} onClick={() => setAsking(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          Cancel subscription
        </button>
      )}
    </div>
  );
}

/** Pause an active box (no charge, no box) or resume a paused one. */
function PauseResume({ sub, onChanged }: { sub: Subscription; onChanged: (sub: Subscription) => void }) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const action = sub.status === "paused" ? "resume" : "pause";
  return (
    <div class="subscription-pause">
      <button
        type="button"
        class="secondary"
        disabled={sending}
        onClick={async () => {
          setSending(true);
          setError(null);
          try {
            const param = { param: { id: encodeURIComponent(sub.id) } };
            const route = client.api.subscriptions[":id"];
            onChanged(await read(action === "pause" ? route.pause.$post(param) : route.resume.$post(param)));
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setSending(false);
          }
        }}
      >
        {action === "pause" ? "Pause deliveries" : "Resume deliveries"}
      </button>
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

type Loaded = { plans: Plan[]; subscriptions: Subscription[] };

export function SubscriptionsPanel() {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([read(client.api.plans.$get()), read(client.api.subscriptions.$get())])
      .then(([p, s]) => setData({ plans: p.plans, subscriptions: s.subscriptions }))
      .catch((err) => setError((err as Error).message));
  }, []);

  const replace = useCallback((sub: Subscription) => {
    setData((prev) =>
      prev
        ? {
            ...prev,
            subscriptions: prev.subscriptions.some((s) => s.id === sub.id)
              ? prev.subscriptions.map((s) => (s.id === sub.id ? sub : s))
              : [sub, ...prev.subscriptions],
          }
        : prev,
    );
  }, []);

  if (error) return <p class="error-text">Could not load the monthly boxes: {error}</p>;
  if (!data) return <p aria-busy="true">Loading…</p>;
  const now = Date.now();
  const live = new Set(data.subscriptions.filter((s) => s.status !== "cancelled").map((s) => s.planId));
  return (
    <div class="subscriptions">
      <p class="form-notice ok-text" role="status">
        {notice ?? ""}
      </p>
      {data.subscriptions.length > 0 ? (
        <>
          <h3>Your boxes</h3>
          <ul class="subscription-list">
            {data.subscriptions.map((sub) => (
              <li key={sub.id} data-subscription-id={sub.id}>
                <p class="subscription-head">
                  <strong>{sub.planName}</strong>{" "}
                  <span class={`status-badge status-${sub.status}`}>{STATUS_LABEL[sub.status]}</span>
                </p>
                <p class="muted">
                  {formatMoney(sub.priceCents, sub.currency)} a month plus tax. {standing(sub, now)}
                </p>
                {sub.status === "active" || sub.status === "paused" ? (
                  <PauseResume
                    sub={sub}
                    onChanged={(s) => {
                      replace(s);
                      setNotice(s.status === "paused" ? `${s.planName} is paused.` : `${s.planName} is running again.`);
                    }}
                  />
                ) : null}
                {sub.status !== "cancelled" ? (
                  <CancelSubscription
                    sub={sub}
                    onCancelled={(s) => {
                      replace(s);
                      setNotice(`${s.planName} is cancelled.`);
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ul>
          <h3>All boxes</h3>
        </>
      ) : null}
      {data.plans.length === 0 ? (
        <p class="muted">No monthly boxes are on offer right now.</p>
      ) : (
        <ul class="plan-list">
          {data.plans.map((plan) => (
            <li key={plan.id} data-plan-id={plan.id}>
              <p class="plan-head">
                <strong>{plan.name}</strong> — {formatMoney(plan.priceCents, plan.currency)} a month plus tax
              </p>
              {plan.description ? <p class="muted">{plan.description}</p> : null}
              {live.has(plan.id) ? (
                <p class="muted">You subscribe to this box.</p>
              ) : open === plan.id ? (
                <SubscribeForm
                  plan={plan}
                  onClose={() => setOpen(null)}
                  onSubscribed={(sub) => {
                    replace(sub);
                    setOpen(null);
                    setNotice(
                      `Subscribed to ${plan.name}. The first month is paid; the next payment is on ${formatDay(sub.currentPeriodEnd)}.`,
                    );
                  }}
                />
              ) : (
                <button
                  type="button"
                  onClick={() => {
                    setOpen(plan.id);
                    setNotice(null);
                  }}
                >
                  Subscribe
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
