/**
 * Monthly boxes on the account page: the plans on offer (GET /api/plans), the customer's own subscriptions with
 * their status, next billing date, shipping address and card (GET /api/subscriptions), subscribing with a
 * shipping address (prefilled from the saved one) and a card (the first month is charged at once), and the care
 * actions: pause/resume, skip next month (and undo), change the card, cancel with a confirmation step. Card
 * numbers go to the server as typed digits, which maps them to gateway tokens like the order payment does
 * (src/domain/payment-tokens.ts) and never stores them. `/account/subscriptions/<id>/card` (the link in the
 * declined-renewal e-mail) opens that subscription's card form; `?plan=<id>` (from the storefront's /subscribe)
 * opens that plan's subscribe form.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiFailure, client, formatMoney, read } from "../lib/api";
import { Field, FormStatus, useForm } from "../lib/form";
import { cardDigits, cardField, INVALID_CARD, plausibleCard, TEST_CARDS, useCardCharge } from "../order/cards";
import { AddressFields, type AddressKey, addressField, addressValues, toAddress } from "./address-fields";
import type { Address, Plan, Subscription } from "./types";

const formatDay = (ms: number) => new Date(ms).toLocaleDateString("en-GB", { dateStyle: "medium" });

/** The test cards that mean something when subscribing (renewals also go through the fraud check). */
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
    const skipped = sub.skippedMonth
      ? `You skipped the month from ${formatDay(sub.skippedMonth.start)}: nothing is charged or sent for it. `
      : "";
    return `${skipped}Next box and payment on ${formatDay(sub.nextBillingAt)}.`;
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
  savedAddress,
  onSubscribed,
  onClose,
}: {
  plan: Plan;
  savedAddress: Address | null;
  onSubscribed: (sub: Subscription) => void;
  onClose: () => void;
}) {
  const form = useForm({ ...addressValues(savedAddress), card: "" });
  const charge = useCardCharge();
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const card = cardDigits(form.values.card);
    if (!plausibleCard(card)) {
      form.fail({ card: INVALID_CARD });
      return;
    }
    const created: { sub: Subscription | null } = { sub: null };
    const { card: _typed, ...address } = form.values;
    await form.run(
      async () => {
        try {
          created.sub = await charge(card, (key) =>
            read(
              client.api.subscriptions.$post(
                { json: { planId: plan.id, paymentMethod: { token: card }, shippingAddress: toAddress(address) } },
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
      { toField: (path) => cardField(path) ?? addressField(path) },
    );
    if (created.sub) onSubscribed(created.sub);
  };
  const prefix = `subscribe-${plan.id}`;
  const f = (name: AddressKey) => ({ form: prefix, ...form.field(name) });
  return (
    <form
      ref={form.formRef}
      class="stack subscribe-form"
      noValidate
      onSubmit={onSubmit}
      aria-label={`Subscribe to ${plan.name}`}
    >
      <FormStatus error={form.formError} notice={form.notice} />
      <fieldset>
        <legend>Where the box goes</legend>
        {savedAddress ? (
          <p class="muted">Filled in from your saved address; change it for this box if you like.</p>
        ) : null}
        <AddressFields f={f} />
      </fieldset>
      <fieldset>
        <legend>Payment</legend>
        <Field
          form={prefix}
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
      </fieldset>
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

/** The card renewals are charged to: the gateway checks the new one before it replaces the old. */
function ChangeCard({
  sub,
  startOpen,
  onChanged,
}: {
  sub: Subscription;
  startOpen: boolean;
  onChanged: (sub: Subscription) => void;
}) {
  const [open, setOpen] = useState(startOpen);
  const form = useForm({ card: "" });
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const card = cardDigits(form.values.card);
    if (!plausibleCard(card)) {
      form.fail({ card: INVALID_CARD });
      return;
    }
    const done: { sub: Subscription | null } = { sub: null };
    await form.run(
      async () => {
        try {
          done.sub = await read(
            client.api.subscriptions[":id"].card.$put({
              param: { id: encodeURIComponent(sub.id) },
              json: { paymentMethod: { token: card } },
            }),
          );
        } catch (err) {
          if (err instanceof ApiFailure && err.code === "payment_declined") {
            throw new ApiFailure(err.status, err.code, "That card was declined. The card on file is unchanged.");
          }
          throw err;
        }
      },
      { toField: cardField },
    );
    if (done.sub) {
      onChanged(done.sub);
      setOpen(false);
    }
  };
  if (!open) {
    return (
      <button type="button" class="secondary" onClick={() => setOpen(true)}>
        Change card
      </button>
    );
  }
  return (
    <form
      ref={form.formRef}
      class="stack card-form"
      noValidate
      onSubmit={onSubmit}
      aria-label={`New card for ${sub.planName}`}
    >
      <FormStatus error={form.formError} notice={form.notice} />
      <Field
        form={`card-${sub.id}`}
        label="New card number"
        autocomplete="cc-number"
        inputMode="numeric"
        required
        maxLength={23}
        hint={
          <>
            Nothing is charged now; the next payment uses this card. Test cards:
            <span class="test-cards">
              {TEST_CARDS.map((c) => (
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
          {form.sending ? "Checking the card…" : "Use this card"}
        </button>
        <button type="button" class="secondary" disabled={form.sending} onClick={() => setOpen(false)}>
          Keep the current card
        </button>
      </div>
    </form>
  );
}

/** Skip the next month (no charge, no box), or undo the skip before that month starts. */
function SkipMonth({ sub, onChanged }: { sub: Subscription; onChanged: (sub: Subscription) => void }) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const undo = sub.skippedMonth?.undoable === true;
  if (sub.skippedMonth && !undo) return null;
  return (
    <div class="subscription-skip">
      <button
        type="button"
        class="secondary"
        disabled={sending}
        onClick={async () => {
          setSending(true);
          setError(null);
          try {
            const param = { param: { id: encodeURIComponent(sub.id) } };
            const route = client.api.subscriptions[":id"].skip;
            onChanged(await read(undo ? route.$delete(param) : route.$post(param)));
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setSending(false);
          }
        }}
      >
        {undo ? "Undo the skip" : "Skip next month"}
      </button>
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function addressLine(a: Address): string {
  return [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.region, a.country].filter(Boolean).join(", ");
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

/** `/account/subscriptions/<id>/card`: the subscription whose card form opens at once. */
function cardTarget(): string | null {
  const m = /^\/account\/subscriptions\/([^/]+)\/card\/?$/.exec(location.pathname);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

export function SubscriptionsPanel({ savedAddress }: { savedAddress: Address | null }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(() => new URLSearchParams(location.search).get("plan"));
  const [cardFor] = useState(cardTarget);
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
                {sub.shippingAddress ? (
                  <p class="subscription-address">Ships to: {addressLine(sub.shippingAddress)}</p>
                ) : null}
                {sub.card ? <p class="subscription-card">Card: {sub.card}</p> : null}
                {sub.status === "active" ? (
                  <SkipMonth
                    sub={sub}
                    onChanged={(s) => {
                      replace(s);
                      setNotice(
                        s.skippedMonth
                          ? `Next month of ${s.planName} is skipped. Next payment on ${formatDay(s.nextBillingAt ?? s.currentPeriodEnd)}.`
                          : `The skip is undone. Next payment on ${formatDay(s.nextBillingAt ?? s.currentPeriodEnd)}.`,
                      );
                    }}
                  />
                ) : null}
                {sub.status !== "cancelled" ? (
                  <ChangeCard
                    sub={sub}
                    startOpen={cardFor === sub.id}
                    onChanged={(s) => {
                      replace(s);
                      setNotice(`${s.planName} will be charged to ${s.card ?? "the new card"} from now on.`);
                    }}
                  />
                ) : null}
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
                  savedAddress={savedAddress}
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
