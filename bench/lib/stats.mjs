/** Median of a list of numbers (mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Smallest and largest value. */
export function range(values) {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The order of the apps in round `round`: all orderings in turn, so each app is first, middle
 * and last equally often and no app always follows the same one (caches, CPU frequency, GC debt).
 */
export function orderFor(apps, round) {
  const orders = permutations(apps);
  return orders[round % orders.length];
}

function permutations(items) {
  if (items.length <= 1) return [items];
  const out = [];
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) out.push([items[i], ...tail]);
  }
  // Interleave so consecutive rounds differ in their first app as well.
  return out.filter((_, i) => i % 2 === 0).concat(out.filter((_, i) => i % 2 === 1));
}
