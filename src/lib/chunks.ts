/**
 * `items` in consecutive slices of at most `size`: the shape of every multi-row statement and `IN (…)` list,
 * since one D1 statement binds at most 100 parameters.
 */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
