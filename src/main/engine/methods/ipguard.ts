/**
 * IPGuard (Cao et al., AsiaCCS'21): fingerprint points near the source's decision boundary.
 * From a clean owner sample x with source class i, optimise x' ∈ [0,1] with Adam on
 *   L = ReLU(z_i − z_j + k) + ReLU(z_t − z_i),   z_t = max_{c ≠ i,j} z_c
 * (the loss every public re-implementation uses), which ends with z_j − z_i ≈ k and z_i above all
 * other classes: the top-2 logits are (i, j) and nearly tied. The fingerprint label is the source's
 * own label on the stored x'. Score = the suspect's label match rate (works on label-only suspects).
 * Departures and filled gaps: docs/decisions/methods-ipguard-advtra.md.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '../data/random.ts';
import type { Suspect } from '../suspects/types.ts';
import {
  argmaxRows, checkChoice, checkNumber, chooseBaseSamples, logitsOf, makeTriggerSet, mergeParams,
  report, sourceLogits, throwIfAborted, topTwoGap,
  scoreLabelMatch, adamMoments,
} from './common.ts';
import type { FingerprintMethod, GenerateContext, Score, ScoreContext, TriggerSet } from './types.ts';

export interface IpguardParams {
  /** Number of fingerprint points (paper / re-implementations: 100). */
  n: number;
  /** Logit margin k by which j must overtake i. Re-implementations use 0.01 … 15; 0.5 suits our logits. */
  margin: number;
  /** Adam steps (paper: 1000; 300 suffice here because a point stops as soon as its loss is 0). */
  iterations: number;
  /** Adam learning rate in pixel units (QuRD / RemovalNet: 0.01). */
  lr: number;
  /** How j is chosen: the source's runner-up class at the base (default) or a seeded random other class. */
  pair: 'runner-up' | 'random';
}

const ID = 'ipguard';
const PAIRS = ['runner-up', 'random'] as const;

export const IPGUARD_DEFAULTS: IpguardParams = { n: 100, margin: 0.5, iterations: 300, lr: 0.01, pair: 'runner-up' };

export function resolveIpguardParams(given: Partial<IpguardParams> = {}): IpguardParams {
  const p = mergeParams(ID, IPGUARD_DEFAULTS, given);
  checkNumber(ID, 'n', p.n, { integer: true, min: 1 });
  checkNumber(ID, 'margin', p.margin, { min: 0 });
  checkNumber(ID, 'iterations', p.iterations, { integer: true, min: 0 });
  checkNumber(ID, 'lr', p.lr, { above: 0 });
  checkChoice(ID, 'pair', p.pair, PAIRS);
  return p;
}

/** The (i, j) pair per base: i = the source's class at the base; j per `pair`. */
function choosePairs(logits: Float32Array, k: number, pair: IpguardParams['pair'], seed: number): { i: Int32Array; j: Int32Array } {
  const i = argmaxRows(logits, k);
  const n = i.length;
  const j = new Int32Array(n);
  const rng = createRng(deriveSeed(seed, `${ID}/pair`));
  for (let r = 0; r < n; r++) {
    if (pair === 'random') {
      j[r] = (i[r] + 1 + rng.int(k - 1)) % k; // uniform over the k−1 other classes
    } else {
      let best = -1;
      for (let c = 0; c < k; c++) if (c !== i[r] && (best < 0 || logits[r * k + c] > logits[r * k + best])) best = c;
      j[r] = best;
    }
  }
  return { i, j };
}

/**
 * Batched Adam on all n inputs at once. Adam is written out (not tf.train.adam) so that a point
 * whose loss has reached 0 is frozen: its gradient is exactly 0 then, but Adam's momentum would
 * keep moving it, away from the boundary we just reached.
 */
function optimise(model: tf.LayersModel, x0: tf.Tensor4D, oi: tf.Tensor2D, oj: tf.Tensor2D, p: IpguardParams, ctx: GenerateContext): Float32Array {
  const lossOf = (x: tf.Tensor4D): tf.Scalar =>
    tf.tidy(() => {
      const z = logitsOf(model, x);
      const zi = tf.sum(tf.mul(z, oi), 1);
      const zj = tf.sum(tf.mul(z, oj), 1);
      const zt = tf.max(tf.sub(z, tf.mul(tf.add(oi, oj), 1e9)), 1); // largest logit other than i, j
      return tf.sum(tf.add(tf.relu(tf.add(tf.sub(zi, zj), p.margin)), tf.relu(tf.sub(zt, zi))));
    });
  const gradOf = tf.grad((x: tf.Tensor) => lossOf(x as tf.Tensor4D));
  let x: tf.Tensor4D = tf.clone(x0);
  let m: tf.Tensor = tf.zerosLike(x0);
  let v: tf.Tensor = tf.zerosLike(x0);
  try {
    for (let t = 1; t <= p.iterations; t++) {
      throwIfAborted(ID, ctx.signal);
      const next = tf.tidy(() => {
        const g = gradOf(x);
        const active = tf.cast(tf.greater(tf.sum(tf.abs(g), [1, 2, 3], true), 0), 'float32');
        const { m2, v2, step } = adamMoments(m, v, g, t);
        const x2 = tf.clipByValue(tf.sub(x, tf.mul(step, tf.mul(active, p.lr))), 0, 1) as tf.Tensor4D;
        return { x2, m2, v2, left: tf.sum(active) };
      });
      tf.dispose([x, m, v]);
      [x, m, v] = [next.x2, next.m2, next.v2];
      const left = t % 10 === 0 || t === p.iterations ? (next.left.dataSync()[0] as number) : -1;
      next.left.dispose();
      if (left >= 0) report(ctx.onProgress, t, p.iterations, `optimising ${left} of ${x0.shape[0]} points`);
      if (left === 0) break; // every point has reached its target region
    }
    return x.dataSync() as Float32Array;
  } finally {
    tf.dispose([x, m, v]);
  }
}

async function generate(ctx: GenerateContext, given: Partial<IpguardParams>): Promise<TriggerSet> {
  const p = resolveIpguardParams(given);
  const k = ctx.data.numClasses;
  if (k < 2) throw new Error(`${ID}: needs at least 2 classes, the data has ${k}`);
  throwIfAborted(ID, ctx.signal);
  const shape = ctx.data.inputShape;
  const base = chooseBaseSamples(ctx, p.n, ID);
  const { i, j } = choosePairs(base.logits, k, p.pair, ctx.seed);
  const onehot = (cls: Int32Array): Float32Array => {
    const a = new Float32Array(p.n * k);
    cls.forEach((c, r) => (a[r * k + c] = 1));
    return a;
  };
  const x0 = tf.tensor4d(base.images, [p.n, ...shape]);
  const oi = tf.tensor2d(onehot(i), [p.n, k]);
  const oj = tf.tensor2d(onehot(j), [p.n, k]);
  let inputs: Float32Array;
  try {
    inputs = Float32Array.from(optimise(ctx.source.model, x0, oi, oj, p, ctx));
  } finally {
    tf.dispose([x0, oi, oj]);
  }
  // Labels and margins from the stored bytes themselves, so verification sees exactly what was recorded.
  const logits = sourceLogits(ctx.source.model, inputs, p.n, shape);
  const labels = argmaxRows(logits, k);
  // Triggers whose label ended in neither i nor j are kept: their label is still the source's answer
  // on the stored input, so the match rule holds; dropping them would make n vary with the model.
  return makeTriggerSet(ctx, ID, p, inputs, labels, { margin: topTwoGap(logits, k), base: base.indices, i, j });
}

async function score(set: TriggerSet, suspect: Suspect, ctx: ScoreContext = {}): Promise<Score> {
  return scoreLabelMatch(ID, set, suspect, ctx);
}

export const ipguard: FingerprintMethod<IpguardParams> = {
  id: ID,
  description: 'IPGuard: points optimised onto the source decision boundary (top-2 logits nearly tied); score = label match rate',
  needs: {},
  labelOnly: true,
  defaults: IPGUARD_DEFAULTS,
  generate,
  score,
};
