/**
 * Seeded permutations for training. The generator is mulberry32 (32-bit state, fast, and the same
 * sequence on every platform); the per-epoch stream is derived from (seed, epoch) so resuming at
 * epoch k reproduces the same order without replaying earlier epochs.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates shuffle of a copy of `items`, seeded by (seed, stream). */
export function seededPermutation(items: ArrayLike<number>, seed: number, stream = 0): Int32Array {
  const out = Int32Array.from(items as ArrayLike<number>);
  const rand = mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77)) >>> 0);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
