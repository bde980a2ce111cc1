/**
 * The head row of a data table: one `<th scope="col">` per column. Most of the shop's tables (account records,
 * console lists) differ only in their column names, which amounts (`num`) align right, and which column is
 * named for screen readers only (`hidden`, such as a row's result message).
 */
export type Column = string | { label: string; num?: boolean; hidden?: boolean };

export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const { label, num, hidden } = typeof column === "string" ? { label: column } : column;
          return (
            <th key={label} scope="col" class={num ? "num" : undefined}>
              {hidden ? <span class="visually-hidden">{label}</span> : label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
