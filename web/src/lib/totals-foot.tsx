/**
 * The footer of every order-lines table (shopper's order page, invoice, staff console): subtotal, shipping,
 * tax and total, each a row header spanning the line columns. `children` adds rows below (a refund, say).
 */
import type { ComponentChildren } from "preact";
import { formatMoney } from "./api";

type Amounts = { subtotalCents: number; shippingCents: number; taxCents: number; totalCents: number };

type Props = {
  amounts: Amounts;
  currency: string;
  /** How many columns the labels span (the table's columns before the amount column). */
  span: number;
  totalLabel?: string;
  totalTestId?: string;
  totalClass?: string;
  children?: ComponentChildren;
};

export function TotalsFoot({
  amounts,
  currency,
  span,
  totalLabel = "Total",
  totalTestId,
  totalClass,
  children,
}: Props) {
  const money = (cents: number) => formatMoney(cents, currency);
  const row = (label: string, cents: number) => (
    <tr>
      <th scope="row" colSpan={span}>
        {label}
      </th>
      <td class="num">{money(cents)}</td>
    </tr>
  );
  return (
    <tfoot>
      {row("Subtotal", amounts.subtotalCents)}
      {row("Shipping", amounts.shippingCents)}
      {row("Tax", amounts.taxCents)}
      <tr class={totalClass}>
        <th scope="row" colSpan={span}>
          {totalLabel}
        </th>
        <td class="num" data-testid={totalTestId}>
          {money(amounts.totalCents)}
        </td>
      </tr>
      {children}
    </tfoot>
  );
}
