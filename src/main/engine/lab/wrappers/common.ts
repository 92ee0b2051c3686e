/**
 * What every query-time wrapper shares: parameter validation (errors name `<wrapper>.<field>`),
 * the WrappedClassifier shape (so a composed chain can be inspected and its records kept), and the
 * seeded noise streams. Noise is drawn in JS from data/random.ts rather than tf.random*, so the
 * numbers depend only on (seed, query counter, batch size), never on the tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import { checkSeed, createRng, deriveSeed } from '../../data/random.ts';
import type { Classifier, Wrapper, WrapperId } from '../types.ts';

/** A classifier made by a wrapper: the base it wraps and the resolved parameters are kept for records. */
export interface WrappedClassifier extends Classifier {
  readonly wrapper: WrapperId;
  /** Every parameter after defaults were applied (derived values resolved, e.g. blur's sigma). */
  readonly params: Record<string, unknown>;
  readonly seed: number;
  readonly base: Classifier;
}

/** A Wrapper whose wrap() is known to return a WrappedClassifier (or a richer one, e.g. the query filter's). */
export type TypedWrapper<P extends object, C extends WrappedClassifier = WrappedClassifier> = Omit<Wrapper<P>, 'wrap'> & {
  wrap(base: Classifier, params: Partial<P>, seed: number): C;
};

/** Returns undefined when `v` is acceptable, else what was expected ("expected a number >= 0"). */
export type Check = (v: unknown) => string | undefined;

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
};

export interface NumberRule {
  min?: number;
  max?: number;
  /** min / max themselves are not allowed. */
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  integer?: boolean;
  odd?: boolean;
}

/** A finite number (or integer) within the given bounds; the message states every rule. */
export function numberCheck(rule: NumberRule): Check {
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`${rule.exclusiveMin ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.exclusiveMax ? '<' : '<='} ${rule.max}`);
  const kind = rule.odd ? 'an odd integer' : rule.integer ? 'an integer' : 'a number';
  const expected = `expected ${kind}${parts.length ? ' ' + parts.join(' and ') : ''}`;
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return expected;
    if ((rule.integer || rule.odd) && !Number.isInteger(v)) return expected;
    if (rule.odd && v % 2 === 0) return expected;
    if (rule.min !== undefined && (rule.exclusiveMin ? v <= rule.min : v < rule.min)) return expected;
    if (rule.max !== undefined && (rule.exclusiveMax ? v >= rule.max : v > rule.max)) return expected;
    return undefined;
  };
}

export function oneOfCheck(values: readonly string[]): Check {
  const expected = `expected one of ${values.map((s) => JSON.stringify(s)).join(', ')}`;
  return (v) => (typeof v === 'string' && values.includes(v) ? undefined : expected);
}

/** `null` (meaning "derive it") or what `inner` accepts. */
export function nullableCheck(inner: Check, meaning: string): Check {
  return (v) => {
    if (v === null) return undefined;
    const bad = inner(v);
    return bad === undefined ? undefined : `${bad} (or null: ${meaning})`;
  };
}

/**
 * Fills defaults and validates: unknown fields and bad values throw `<id>.<field>: ...`. An
 * explicit `undefined` counts as absent, so callers can spread optional settings.
 */
export function resolveParams<P extends object>(
  id: WrapperId,
  defaults: P,
  params: Partial<P> | Record<string, unknown> | undefined,
  checks: { [K in keyof P]: Check },
): P {
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
    throw new Error(`${id}: params must be an object, got ${show(params)}`);
  }
  const given = (params ?? {}) as Record<string, unknown>;
  const known = Object.keys(defaults);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw new Error(`${id}.${key}: unknown parameter (known: ${known.length ? known.join(', ') : 'none'})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const value = given[key] === undefined ? (defaults as Record<string, unknown>)[key] : given[key];
    const bad = (checks as Record<string, Check>)[key](value);
    if (bad !== undefined) throw new Error(`${id}.${key}: ${bad}, got ${show(value)}`);
    out[key] = value;
  }
  return out as P;
}

/** Validates the wrapper's seed with an error naming the wrapper. */
export function wrapperSeed(id: WrapperId, seed: number): number {
  return checkSeed(seed, `${id}.seed`);
}

/**
 * The seed of the `counter`-th query batch (0-based) of a wrapper seeded with `seed`, optionally
 * for a named sub-stream (e.g. one per transformed copy). Same seed + same call sequence → same
 * draws, independent of what other wrappers in a chain do.
 */
export function querySeed(seed: number, counter: number, stream = ''): number {
  return deriveSeed(seed, `query-${counter}${stream ? '-' + stream : ''}`);
}

/** `n` standard normal draws (Box–Muller on the engine's xoshiro stream). */
export function gaussianArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // 1 - next() lies in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const t = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** `n` draws from the standard Laplace distribution (scale 1, std √2), by inverting its CDF. */
export function laplaceArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next() - 0.5; // [-0.5, 0.5)
    const a = Math.abs(u);
    // a < 0.5 always, so 1 - 2a > 0; u = 0 gives 0.
    out[i] = -Math.sign(u) * Math.log(1 - 2 * a);
  }
  return out;
}

/** Adds N(0, sigma²) noise drawn from `seed` to `x` and clips to [0, 1]. */
export function addClippedGaussian(x: tf.Tensor4D, sigma: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    if (sigma === 0 || x.size === 0) return x.clone();
    const noise = tf.tensor(gaussianArray(x.size, seed), x.shape, 'float32');
    return tf.clipByValue(tf.add(x, tf.mul(noise, sigma)), 0, 1) as tf.Tensor4D;
  });
}

/** Throws unless `x` is NHWC with the base's [h, w, c]: transforms need to know the image size. */
export function checkQuery(id: WrapperId, base: Classifier, x: tf.Tensor4D): void {
  const [h, w, c] = base.inputShape;
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
    const got = x instanceof tf.Tensor ? `[${x.shape.join(',')}]` : typeof x;
    throw new Error(`${id}: expected input [*,${h},${w},${c}], got ${got}`);
  }
}

/** Formats a parameter for describe(): short numbers (σ=0.0627), strings as is. */
export const fmtParam = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(3))) : String(v));

/**
 * An input-processing wrapper: `transform` (given the 0-based query counter, for seeded noise) is
 * applied to x, then the base is queried. Intermediate tensors are disposed; the base is unchanged.
 */
export function inputWrapped(
  id: WrapperId,
  base: Classifier,
  params: Record<string, unknown>,
  seed: number,
  label: string,
  transform: (x: tf.Tensor4D, counter: number) => tf.Tensor4D,
): WrappedClassifier {
  let counter = 0;
  return {
    wrapper: id,
    params,
    seed,
    base,
    inputShape: base.inputShape,
    numClasses: base.numClasses,
    predictProbs(x) {
      checkQuery(id, base, x);
      const c = counter++;
      return tf.tidy(() => base.predictProbs(transform(x, c)));
    },
    describe: () => `${label} ∘ ${base.describe()}`,
  };
}
