/**
 * Plans (admins): the subscription boxes the shop sells. A deployed shop starts with none; admins add them
 * here, reprice them (from each subscriber's next period), take them off sale, and delete one nobody ever
 * subscribed to (the server answers 409 otherwise, shown on the row).
 */
import type { InferRequestType } from "hono/client";
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, client, formatMoney, read } from "../../lib/api";
import { Field, FormStatus, useForm } from "../../lib/form";
import { centsToInput, parsePriceInput } from "../../lib/money-input";
import { TableHead } from "../../lib/table-head";
import { RowStatus, useRowAction } from "../row-action";

const route = client.api.admin.plans;
type Plan = AnswerOf<typeof route.$get>["plans"][number];
type PlanPatch = InferRequestType<(typeof route)[":id"]["$patch"]>["json"];

function PlanRow({ plan, onChanged, onDeleted }: { plan: Plan; onChanged: (p: Plan) => void; onDeleted: () => void }) {
  const [price, setPrice] = useState(centsToInput(plan.priceCents));
  const { busy, message, setMessage, act } = useRowAction();
  const statusId = `plan-${plan.id}-status`;
  const param = { id: encodeURIComponent(plan.id) };

  const patch = (change: PlanPatch, done: string) =>
    act(async () => {
      onChanged(await read(route[":id"].$patch({ param, json: change })));
      return done;
    });
  const savePrice = () => {
    const cents = parsePriceInput(price);
    if (cents === null || cents < 1) return setMessage({ ok: false, text: "Enter a price like 19.90" });
    return patch({ priceCents: cents }, `${plan.name} now costs ${formatMoney(cents, plan.currency)} a month.`);
  };

  return (
    <tr data-plan-id={plan.id} class={plan.active ? undefined : "inactive"}>
      <td>
        {plan.name}
        <br />
        <small>{plan.id}</small>
      </td>
      <td>
        <div class="inline-controls">
          <label class="visually-hidden" for={`plan-${plan.id}-price`}>
            Monthly price of {plan.name}
          </label>
          <input
            id={`plan-${plan.id}-price`}
            inputMode="decimal"
            value={price}
            disabled={busy}
            aria-describedby={statusId}
            onInput={(e) => setPrice((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="button" class="secondary" disabled={busy} onClick={savePrice}>
            Save price
          </button>
        </div>
      </td>
      <td>
        {plan.active ? <span class="badge ok">On sale</span> : <span class="badge bad">Off sale</span>}{" "}
        <button
          type="button"
          class="secondary"
          disabled={busy}
          aria-describedby={statusId}
          onClick={() =>
            patch({ active: !plan.active }, plan.active ? `${plan.name} is off sale.` : `${plan.name} is on sale.`)
          }
        >
          {plan.active ? "Take off sale" : "Put on sale"}
        </button>{" "}
        <button
          type="button"
          class="secondary"
          disabled={busy}
          aria-describedby={statusId}
          onClick={() =>
            act(async () => {
              await read(route[":id"].$delete({ param }));
              onDeleted();
              return "";
            })
          }
        >
          Delete
        </button>
      </td>
      <td>
        <RowStatus id={statusId} message={message} />
      </td>
    </tr>
  );
}

const EMPTY_PLAN = { name: "", description: "", price: "" };

function NewPlanForm({ onCreated }: { onCreated: (p: Plan) => void }) {
  const form = useForm(EMPTY_PLAN);
  const f = (name: keyof typeof EMPTY_PLAN) => ({ form: "new-plan", ...form.field(name) });
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const cents = parsePriceInput(form.values.price);
    if (cents === null || cents < 1) return form.fail({ price: "Enter a monthly price like 19.90" });
    await form.run(
      async () => {
        const plan = await read(
          route.$post({ json: { name: form.values.name, description: form.values.description, priceCents: cents } }),
        );
        onCreated(plan);
        form.setValues(EMPTY_PLAN);
        return `${plan.name} is on sale.`;
      },
      { toField: (p) => (p === "priceCents" ? "price" : p in EMPTY_PLAN ? p : undefined) },
    );
  };
  return (
    <form ref={form.formRef} class="product-form" noValidate onSubmit={onSubmit} aria-labelledby="new-plan-title">
      <h2 id="new-plan-title">Add a plan</h2>
      <FormStatus error={form.formError} notice={form.notice} />
      <div class="form-grid">
        <Field label="Name" required maxLength={100} {...f("name")} />
        <Field label="Monthly price" required hint="For example 19.90" {...f("price")} />
        <Field label="Description" multiline maxLength={1000} {...f("description")} />
      </div>
      <div class="actions">
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Adding…" : "Add plan"}
        </button>
      </div>
    </form>
  );
}

export function PlansPage() {
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    read(route.$get())
      .then((res) => setPlans(res.plans))
      .catch((err) => setError((err as Error).message));
  }, []);

  const changed = (p: Plan) => setPlans((list) => list?.map((x) => (x.id === p.id ? p : x)) ?? null);
  const deleted = (id: string) => setPlans((list) => list?.filter((x) => x.id !== id) ?? null);

  return (
    <section aria-labelledby="plans-title" data-plans-ready={plans ? "1" : undefined}>
      <h1 id="plans-title">Plans</h1>
      {error ? <p class="error-text">{error}</p> : null}
      {plans === null && !error ? <p aria-busy="true">Loading plans…</p> : null}
      {plans && plans.length === 0 ? <p>No plans yet: add the first one below.</p> : null}
      {plans && plans.length > 0 ? (
        <table class="data">
          <TableHead columns={["Plan", "Monthly price", "Sale", { label: "Result", hidden: true }]} />
          <tbody>
            {plans.map((p) => (
              <PlanRow key={p.id} plan={p} onChanged={changed} onDeleted={() => deleted(p.id)} />
            ))}
          </tbody>
        </table>
      ) : null}
      <NewPlanForm onCreated={(p) => setPlans((list) => [...(list ?? []), p])} />
    </section>
  );
}
