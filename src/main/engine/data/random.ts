/**
 * A small seeded PRNG for every random choice the engine makes outside tfjs (splits, shuffles,
 * sampling). Math.random cannot be seeded, so it is never used for anything that lands in an
 * artefact. The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32 so that
 * nearby seeds (0, 1, 2, ...) give unrelated streams. Everything is 32-bit integer arithmetic via
 * Math.imul and `>>> 0`, so the same seed gives the same numbers on every platform and Node version.
 */

/** A deterministic stream of random numbers. */
export interface Rng {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An integer in [0, n), without modulo bias. n must be in [1, 2^32]. */
  int(n: number): number;
}

const UINT32 = 2 ** 32;

/** Throws unless `seed` is an integer in [0, 2^32): the range every seed in a record must have. */
export function checkSeed(seed: number, field = 'seed'): number {
  if (!Number.isInteger(seed) || seed < 0 || seed >= UINT32) {
    throw new Error(`${field}: expected an integer in [0, 2^32), got ${String(seed)}`);
  }
  return seed;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Creates an xoshiro128** generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  checkSeed(seed);
  const sm = splitmix32(seed);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  // The all-zero state is the one state xoshiro can never leave; splitmix32 cannot produce four
  // zeros in a row, but the guard costs nothing.
  if ((a | b | c | d) === 0) a = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d = (d ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d) >>> 0;
    c = (c ^ t) >>> 0;
    d = rotl(d, 11);
    return result;
  };

  return {
    nextUint32,
    next: () => nextUint32() / UINT32,
    int(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > UINT32) throw new Error(`rng.int: bad range ${n}`);
      // Rejection sampling: drop the top partial block of 2^32 so every value is equally likely.
      const limit = UINT32 - (UINT32 % n);
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % n;
    },
  };
}

/**
 * Derives an independent seed for a named sub-task (e.g. "shuffle-epoch-3") from a parent seed, so
 * one recorded seed can drive several random streams without them sharing numbers.
 */
export function deriveSeed(seed: number, label: string): number {
  checkSeed(seed);
  // FNV-1a over the label's UTF-16 code units, mixed with the seed through splitmix32.
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return splitmix32((seed ^ h) >>> 0)();
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A seeded random permutation of `values` (copied; the input is left as is). */
export function shuffled(values: ArrayLike<number>, seed: number): Int32Array {
  return shuffleInPlace(Int32Array.from(values), createRng(seed));
}
