/**
 * Deterministic helpers shared by the loaders: a seeded PRNG, a seeded shuffle and a
 * class-stratified subset.
 *
 * A 6-line PRNG (mulberry32) is written here instead of adding a dependency: we need only a
 * reproducible permutation, not statistical quality, and the exact sequence is part of the
 * documented split rule, so it must never change with a library upgrade.
 */

/** mulberry32: a 32-bit seeded generator returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of `items` in place with a seeded generator; returns `items`. */
export function seededShuffle<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/**
 * Picks `limit` of the positions 0..labels.length-1 so that every class keeps its share
 * (largest-remainder rounding, ties to the lower class id), taking the earliest positions of
 * each class. Returns the positions in increasing order, so the subset keeps the source order.
 *
 * ```ts
 * stratifiedSubset(Int32Array.from([0, 0, 1, 1, 1, 1]), 3); // [0, 2, 3]
 * ```
 */
export function stratifiedSubset(labels: ArrayLike<number>, limit: number, numClasses: number): number[] {
  const n = labels.length;
  if (limit >= n) return Array.from({ length: n }, (_, i) => i);
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const exact = counts.map((c) => (c * limit) / n);
  const quota = exact.map(Math.floor);
  let left = limit - quota.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of byRemainder) {
    if (left === 0) break;
    if (quota[c] < counts[c]) {
      quota[c]++;
      left--;
    }
  }
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (quota[c] > 0) {
      quota[c]--;
      picked.push(i);
    }
  }
  return picked;
}
