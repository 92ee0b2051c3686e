/**
 * Helpers shared by the fingerprinting methods: parameter checking (errors name `<method>.<field>`),
 * seeded choice of base samples from the owner's data, batched source logits / label queries,
 * cancellation, and the TriggerSet envelope. Kept free of method logic so each method file reads
 * as its algorithm only.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, shuffleInPlace, checkSeed } from '../data/random.ts';
import { gather } from '../data/batches.ts';
import { engineInfo } from '../tensor/backend.ts';
import type { Suspect } from '../suspects/types.ts';
import type { GenerateContext, MethodId, Progress, TriggerSet } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

export interface NumberRule {
  min?: number;
  /** Strict lower bound (e.g. a learning rate must be > 0). */
  above?: number;
  max?: number;
  integer?: boolean;
}

/** Throws `ipguard.margin: expected a number >= 0, got -1` when `value` breaks `rule`. */
export function checkNumber(method: string, field: string, value: unknown, rule: NumberRule): number {
  const kind = rule.integer ? 'an integer' : 'a number';
  const bounds = [
    rule.min !== undefined ? `>= ${rule.min}` : '',
    rule.above !== undefined ? `> ${rule.above}` : '',
    rule.max !== undefined ? `<= ${rule.max}` : '',
  ].filter(Boolean);
  const want = `${kind}${bounds.length ? ' ' + bounds.join(' and ') : ''}`;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw new Error(`${method}.${field}: expected ${want}, got ${fmt(value)}`);
  return value as number;
}

export function checkChoice<T extends string>(method: string, field: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw new Error(`${method}.${field}: expected one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${fmt(value)}`);
  }
  return value as T;
}

/** Defaults ∪ given, refusing unknown keys (a typo would otherwise silently run the default). */
export function mergeParams<P extends object>(method: string, defaults: P, given: Partial<P> | undefined): P {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(given ?? {})) {
    if (!(k in defaults)) throw new Error(`${method}.${k}: unknown parameter (known: ${Object.keys(defaults).join(', ')})`);
    if (v !== undefined) out[k] = v;
  }
  return out as P;
}

function fmt(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : typeof v === 'number' || typeof v === 'boolean' || v == null ? String(v) : JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------------------------

export function throwIfAborted(method: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error(`${method}: cancelled`);
}

export function report(onProgress: ((p: Progress) => void) | undefined, done: number, total: number, message?: string): void {
  onProgress?.({ done, total, ...(message ? { message } : {}) });
}

// ---------------------------------------------------------------------------------------------
// Source model access
// ---------------------------------------------------------------------------------------------

/** Raw logits of the source on `x` (inference mode: dropout off). Caller owns the result. */
export function logitsOf(model: tf.LayersModel, x: tf.Tensor4D): tf.Tensor2D {
  return model.apply(x, { training: false }) as tf.Tensor2D;
}

/** Source logits for NHWC float32 inputs, in batches; returned row-major [n, K]. */
export function sourceLogits(model: tf.LayersModel, inputs: Float32Array, n: number, shape: [number, number, number], batchSize = 256): Float32Array {
  const size = shape[0] * shape[1] * shape[2];
  const k = model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
  const out = new Float32Array(n * k);
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    tf.tidy(() => {
      const x = tf.tensor4d(inputs.subarray(s * size, (s + m) * size), [m, ...shape]);
      out.set(logitsOf(model, x).dataSync() as Float32Array, s * k);
    });
  }
  return out;
}

/** argmax per row of a row-major [n, k] matrix (first index wins ties, as tf.argMax). */
export function argmaxRows(values: Float32Array, k: number): Int32Array {
  const n = values.length / k;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[r * k + c] > values[r * k + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Top-1 minus top-2 per row: how far each point is from the source's nearest decision boundary. */
export function topTwoGap(values: Float32Array, k: number): Float32Array {
  const n = values.length / k;
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let a = -Infinity;
    let b = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = values[r * k + c];
      if (v > a) [a, b] = [v, a];
      else if (v > b) b = v;
    }
    out[r] = a - b;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Base samples
// ---------------------------------------------------------------------------------------------

export interface BaseSamples {
  /** Dataset indices (into ctx.data) of the chosen samples, in chosen order. */
  indices: Int32Array;
  images: Float32Array;
  /** True labels. */
  labels: Int32Array;
  /** Source logits at the clean samples, row-major [n, K]. */
  logits: Float32Array;
}

/**
 * `n` base samples from ctx.splits.ownerTrain (never the test split), in a seeded order. Only
 * samples the source classifies correctly are taken (as MetaFinger's IPGuard re-implementation
 * and DeepJudge's seed selection do): a misclassified base would start the optimisation from a
 * point the source already treats as an outlier, and its "class" would be ambiguous. Falls back to
 * misclassified ones only when too few correct ones exist.
 */
export function chooseBaseSamples(ctx: GenerateContext, n: number, method: MethodId): BaseSamples {
  const pool = ctx.splits.ownerTrain.indices;
  if (pool.length === 0) throw new Error(`${method}: the owner-train split is empty`);
  const order = shuffleInPlace(Int32Array.from(pool), createRng(deriveSeed(checkSeed(ctx.seed), `${method}/base`)));
  const shape = ctx.data.inputShape;
  const k = ctx.data.numClasses;
  const chosen: number[] = [];
  const rejected: number[] = [];
  // Predict in chunks of 2n so a large owner split is not run through the source in full.
  for (let s = 0; s < order.length && chosen.length < n; s += Math.max(2 * n, 64)) {
    const idx = order.subarray(s, Math.min(order.length, s + Math.max(2 * n, 64)));
    const g = gather(ctx.data, idx);
    const pred = argmaxRows(sourceLogits(ctx.source.model, g.images, idx.length, shape), k);
    for (let t = 0; t < idx.length && chosen.length < n; t++) (pred[t] === g.labels[t] ? chosen : rejected).push(idx[t]);
  }
  // Cycle through (correct first) when n exceeds the split: duplicates are allowed, each base gets its own pair / targets.
  const all = chosen.concat(rejected);
  const indices = Int32Array.from({ length: n }, (_, t) => all[t % all.length]);
  const g = gather(ctx.data, indices);
  return { indices, images: g.images, labels: g.labels, logits: sourceLogits(ctx.source.model, g.images, n, shape) };
}

// ---------------------------------------------------------------------------------------------
// Suspect queries and the trigger set
// ---------------------------------------------------------------------------------------------

/** The suspect's labels on all `n` inputs, in batches (so progress and cancellation can act between them). */
export async function queryLabels(
  method: string,
  suspect: Suspect,
  inputs: Float32Array,
  n: number,
  opts: { batchSize?: number; onProgress?: (p: Progress) => void; signal?: AbortSignal } = {},
): Promise<Int32Array> {
  const [h, w, c] = suspect.inputShape;
  const size = h * w * c;
  if (inputs.length !== n * size) throw new Error(`${method}: trigger inputs do not fit the suspect's input ${h}×${w}×${c}`);
  const bs = opts.batchSize ?? 256;
  const labels = new Int32Array(n);
  for (let s = 0; s < n; s += bs) {
    throwIfAborted(method, opts.signal);
    const m = Math.min(bs, n - s);
    const answer = await suspect.query(inputs.slice(s * size, (s + m) * size), m);
    labels.set(answer.labels, s);
    report(opts.onProgress, s + m, n, 'querying suspect');
  }
  return labels;
}

export function checkSetForSuspect(method: MethodId, set: TriggerSet, suspect: Suspect): void {
  if (set.method !== method) throw new Error(`${method}: trigger set is for method "${set.method}"`);
  if (set.inputShape.join(',') !== suspect.inputShape.join(',')) {
    throw new Error(`${method}: triggers are ${set.inputShape.join('×')}, the suspect takes ${suspect.inputShape.join('×')}`);
  }
  if (set.numClasses !== suspect.numClasses) throw new Error(`${method}: triggers have ${set.numClasses} classes, the suspect ${suspect.numClasses}`);
}

export function makeTriggerSet(
  ctx: GenerateContext,
  method: MethodId,
  params: object,
  inputs: Float32Array,
  labels: Int32Array,
  aux: TriggerSet['aux'],
  opts: { usedPools?: boolean } = {},
): TriggerSet {
  return {
    format: 'provenant-triggers/1',
    method,
    params: { ...params },
    seed: ctx.seed,
    inputShape: [...ctx.data.inputShape],
    numClasses: ctx.data.numClasses,
    inputs,
    labels,
    aux,
    source: { sha256: ctx.source.sha256, arch: ctx.source.spec.arch },
    // The hashes of the pool models the method generated with, so evaluation can refuse overlap.
    pools: opts.usedPools && ctx.pools
      ? { positives: ctx.pools.positives.map((m) => m.sha256), negatives: ctx.pools.negatives.map((m) => m.sha256) }
      : { positives: [], negatives: [] },
    engine: engineInfo(),
  };
}

/** Labels of any model on NHWC inputs (argmax of its logits), batched. */
export function modelLabels(model: tf.LayersModel, inputs: Float32Array, n: number, shape: [number, number, number]): Int32Array {
  const k = model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
  return argmaxRows(sourceLogits(model, inputs, n, shape), k);
}

/** Throws `<method>: needs a generation pool with positives and negatives (build one with \`provenant lab build --purpose pool\`)`. */
export function requirePools(method: MethodId, ctx: GenerateContext, need: { positives?: boolean; negatives?: boolean }): NonNullable<GenerateContext['pools']> {
  const p = ctx.pools;
  const missing = [need.positives && !p?.positives.length ? 'positives' : '', need.negatives && !p?.negatives.length ? 'negatives' : ''].filter(Boolean);
  if (missing.length) throw new Error(`${method}: needs a generation pool with ${missing.join(' and ')} (build one with \`provenant lab build --purpose pool\` and pass --pools)`);
  return p!;
}

/**
 * The label-match score shared by IPGuard, CAE, MetaFinger and AnaFP: the fraction of triggers on
 * which the suspect answers the source's recorded label (works on label-only suspects; queries = n).
 * `subset` names a 0/1 aux flag (e.g. "passed", "admissible"): the match rate on the flagged triggers
 * is reported beside the score in details, never instead of it.
 */
export async function scoreLabelMatch(method: MethodId, set: TriggerSet, suspect: Suspect, ctx: { onProgress?: (p: Progress) => void; signal?: AbortSignal }, subset?: string): Promise<{ score: number; matches: Uint8Array; queries: number; details: Record<string, unknown> }> {
  checkSetForSuspect(method, set, suspect);
  const n = set.labels.length;
  const got = await queryLabels(method, suspect, set.inputs, n, ctx);
  const matches = new Uint8Array(n);
  const flags = subset ? set.aux[subset] : undefined;
  let [hit, flagged, flaggedHit] = [0, 0, 0];
  for (let r = 0; r < n; r++) {
    hit += matches[r] = got[r] === set.labels[r] ? 1 : 0;
    if (flags?.[r]) [flagged, flaggedHit] = [flagged + 1, flaggedHit + matches[r]];
  }
  const details: Record<string, unknown> = { matched: hit, total: n };
  if (subset && flags) Object.assign(details, { [subset]: flagged, [`matched_${subset}`]: flaggedHit, [`matchRate_${subset}`]: flagged ? flaggedHit / flagged : null });
  return { score: n ? hit / n : 0, matches, queries: n, details };
}

/**
 * One Adam moment update on input pixels (β 0.9 / 0.999, ε 1e-8, bias-corrected; step t from 1),
 * for the methods that optimise inputs with Adam written out (so they can freeze, project or mask
 * per point, which tf.train.adam cannot). Call inside tf.tidy; returns the new moments and the
 * un-scaled step m̂ / (√v̂ + ε), to be multiplied by the learning rate.
 */
export function adamMoments(m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, t: number): { m2: tf.Tensor; v2: tf.Tensor; step: tf.Tensor } {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m2 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
  const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
  return { m2, v2, step: tf.div(tf.div(m2, 1 - b1 ** t), tf.add(tf.sqrt(tf.div(v2, 1 - b2 ** t)), eps)) };
}
