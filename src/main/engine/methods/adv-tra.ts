/**
 * ADV-TRA (Xu et al., NeurIPS'24): adversarial trajectories instead of single boundary points.
 * From an owner sample of class c0, a "surface trajectory" walks through m classes c0 → c1 → … →
 * c_{m−1}; each segment takes targeted sign-gradient steps toward the next class, with step sizes
 * shrinking geometrically (brake factor) while approaching the boundary and growing back
 * (mirrored) after it, so the source's label flips near the middle of every fixed-length segment.
 * Every step is recorded. Verification: per trajectory, mutation = fraction of its points where the
 * suspect's label differs from the source's recorded label; a trajectory matches when mutation ≤
 * T_mut; score = fraction of trajectories matched (label-only). Gaps and departures:
 * docs/decisions/methods-ipguard-advtra.md.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, shuffleInPlace } from '../data/random.ts';
import type { Suspect } from '../suspects/types.ts';
import {
  argmaxRows, checkNumber, checkSetForSuspect, chooseBaseSamples, logitsOf, makeTriggerSet, mergeParams, queryLabels,
  report, sourceLogits, throwIfAborted,
} from './common.ts';
import type { FingerprintMethod, GenerateContext, Score, ScoreContext, TriggerSet } from './types.ts';

export interface AdvTraParams {
  /** Number of surface trajectories (authors' code: 100). */
  trajectories: number;
  /** Points per surface trajectory, split evenly over its m−1 segments (paper: 40; here 20 for 28×28). */
  length: number;
  /** Classes each surface trajectory spans, m (paper: 8; here 4). */
  classes: number;
  /** First (largest) step in pixel units before the search rescales it (authors: 0.05). */
  stepSize: number;
  /** Ratio between adjacent step sizes while approaching the boundary (authors: 0.95; here 0.9). */
  brake: number;
  /** Bisection rounds on each segment's step scale, to put the flip at the segment's middle. */
  searchRounds: number;
  /** A trajectory matches when its mutation rate is ≤ this (authors: < 0.5). */
  mutationThreshold: number;
}

const ID = 'adv-tra';
export const ADV_TRA_DEFAULTS: AdvTraParams = { trajectories: 100, length: 20, classes: 4, stepSize: 0.05, brake: 0.9, searchRounds: 12, mutationThreshold: 0.5 };

// Scale search range: the step list may shrink 64× or grow 16× (then 0.05 → 0.8 per pixel per step).
const SCALE_LO = 1 / 64;
const SCALE_HI = 16;

export function resolveAdvTraParams(given: Partial<AdvTraParams> = {}): AdvTraParams {
  const p = mergeParams(ID, ADV_TRA_DEFAULTS, given);
  checkNumber(ID, 'trajectories', p.trajectories, { integer: true, min: 1 });
  checkNumber(ID, 'classes', p.classes, { integer: true, min: 2 });
  checkNumber(ID, 'length', p.length, { integer: true, min: 2 * (p.classes - 1) }); // ≥ 2 steps per segment
  checkNumber(ID, 'stepSize', p.stepSize, { above: 0, max: 1 });
  checkNumber(ID, 'brake', p.brake, { above: 0, max: 1 });
  checkNumber(ID, 'searchRounds', p.searchRounds, { integer: true, min: 0 });
  checkNumber(ID, 'mutationThreshold', p.mutationThreshold, { min: 0, max: 1 });
  return p;
}

/** Steps of each of the m−1 segments: as even as possible, longer ones first. */
export function segmentLengths(length: number, classes: number): number[] {
  const s = classes - 1;
  return Array.from({ length: s }, (_, i) => Math.floor(length / s) + (i < length % s ? 1 : 0));
}

/** Step sizes of one segment of L steps: geometric decay over the approach half, mirrored after the flip. */
function stepSizes(L: number, p: AdvTraParams): number[] {
  const h = Math.ceil(L / 2);
  const approach = Array.from({ length: h }, (_, k) => p.stepSize * p.brake ** k);
  return approach.concat(approach.slice(h - (L - h)).reverse());
}

/** The class sequence per trajectory: its start class, then m−1 distinct other classes in seeded order. */
function classSequences(start: Int32Array, m: number, k: number, seed: number): Int32Array[] {
  const rng = createRng(deriveSeed(seed, `${ID}/classes`));
  return Array.from(start, (a) => {
    const others = shuffleInPlace(Int32Array.from({ length: k - 1 }, (_, c) => (c < a ? c : c + 1)), rng);
    return Int32Array.from([a, ...others.subarray(0, m - 1)]);
  });
}

interface Walk {
  /** Every step's points (when recording), [steps][n·size]. */
  points: Float32Array[];
  /** First step (1-based) whose source label is the target, per trajectory; Infinity if none. */
  flip: number[];
  end: tf.Tensor4D;
}

/** Targeted sign-gradient walk of all trajectories at once; scales[r] rescales trajectory r's steps. */
function walk(model: tf.LayersModel, x0: tf.Tensor4D, target: tf.Tensor2D, sizes: number[], scales: Float32Array, record: boolean): Walk {
  const n = x0.shape[0];
  const gradOf = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(logitsOf(model, x as tf.Tensor4D)), tf.neg(target))));
  const scale = tf.tensor4d(scales, [n, 1, 1, 1]);
  const want = argmaxRows(target.dataSync() as Float32Array, target.shape[1]);
  const flip = new Array<number>(n).fill(Infinity);
  const points: Float32Array[] = [];
  let x = tf.clone(x0);
  try {
    sizes.forEach((size, k) => {
      const next = tf.tidy(() => tf.clipByValue(tf.sub(x, tf.mul(tf.sign(gradOf(x)), tf.mul(scale, size))), 0, 1) as tf.Tensor4D);
      x.dispose();
      x = next;
      const labels = tf.tidy(() => tf.argMax(logitsOf(model, x), 1).dataSync() as Int32Array);
      labels.forEach((l, r) => {
        if (l === want[r] && flip[r] === Infinity) flip[r] = k + 1;
      });
      if (record) points.push(x.dataSync() as Float32Array);
    });
    return { points, flip, end: x };
  } finally {
    scale.dispose();
  }
}

async function generate(ctx: GenerateContext, given: Partial<AdvTraParams>): Promise<TriggerSet> {
  const p = resolveAdvTraParams(given);
  const K = ctx.data.numClasses;
  if (p.classes > K) throw new Error(`${ID}.classes: expected an integer <= ${K} (the number of classes), got ${p.classes}`);
  throwIfAborted(ID, ctx.signal);
  const shape = ctx.data.inputShape;
  const size = shape[0] * shape[1] * shape[2];
  const n = p.trajectories;
  const base = chooseBaseSamples(ctx, n, ID);
  const seqs = classSequences(argmaxRows(base.logits, K), p.classes, K, ctx.seed);
  const segs = segmentLengths(p.length, p.classes);
  const inputs = new Float32Array(n * p.length * size);
  const total = segs.length * (p.searchRounds + 1);
  let done = 0;
  let offset = 0; // step index within the surface trajectory where this segment starts
  let x: tf.Tensor4D = tf.tensor4d(base.images, [n, ...shape]);
  try {
    for (let s = 0; s < segs.length; s++) {
      const L = segs[s];
      const h = Math.ceil(L / 2);
      const sizes = stepSizes(L, p);
      const onehot = new Float32Array(n * K);
      seqs.forEach((q, r) => (onehot[r * K + q[s + 1]] = 1));
      const target = tf.tensor2d(onehot, [n, K]);
      try {
        // Geometric bisection on each trajectory's step scale until its flip lands on step h.
        const lo = new Float32Array(n).fill(SCALE_LO);
        const hi = new Float32Array(n).fill(SCALE_HI);
        const scales = new Float32Array(n).fill(1);
        const best = new Float32Array(n).fill(1);
        const bestErr = new Float32Array(n).fill(Infinity);
        for (let round = 0; round < p.searchRounds; round++) {
          throwIfAborted(ID, ctx.signal);
          const w = walk(ctx.source.model, x, target, sizes.slice(0, h), scales, false);
          w.end.dispose();
          let open = 0;
          w.flip.forEach((f, r) => {
            const err = Math.abs(Math.min(f, 2 * L) - h);
            if (err < bestErr[r]) [bestErr[r], best[r]] = [err, scales[r]];
            if (f < h) hi[r] = scales[r];
            else if (f > h) lo[r] = scales[r];
            if (bestErr[r] > 0) open++;
            scales[r] = bestErr[r] === 0 ? best[r] : Math.sqrt(lo[r] * hi[r]);
          });
          report(ctx.onProgress, ++done, total, `segment ${s + 1}/${segs.length}: ${open} of ${n} trajectories searching`);
          if (open === 0) {
            done += p.searchRounds - round - 1;
            break;
          }
          await new Promise((r) => setImmediate(r)); // let an abort from the caller land between rounds
        }
        throwIfAborted(ID, ctx.signal);
        const w = walk(ctx.source.model, x, target, sizes, best, true);
        w.points.forEach((pts, k) => {
          for (let r = 0; r < n; r++) inputs.set(pts.subarray(r * size, (r + 1) * size), (r * p.length + offset + k) * size);
        });
        x.dispose();
        x = w.end; // the segment's last point is the next segment's base
        report(ctx.onProgress, ++done, total, `segment ${s + 1}/${segs.length} recorded`);
      } finally {
        target.dispose();
      }
      offset += L;
    }
  } finally {
    x.dispose();
  }
  const labels = argmaxRows(sourceLogits(ctx.source.model, inputs, n * p.length, shape), K);
  const trajectory = new Int32Array(n * p.length);
  const step = new Int32Array(n * p.length);
  const targetClass = new Int32Array(n * p.length);
  const baseIndex = new Int32Array(n * p.length);
  for (let r = 0; r < n; r++) {
    let k = 0;
    segs.forEach((L, s) => {
      for (let t = 0; t < L; t++, k++) targetClass[r * p.length + k] = seqs[r][s + 1];
    });
    for (let t = 0; t < p.length; t++) [trajectory[r * p.length + t], step[r * p.length + t], baseIndex[r * p.length + t]] = [r, t, base.indices[r]];
  }
  return makeTriggerSet(ctx, ID, p, inputs, labels, { trajectory, step, target: targetClass, base: baseIndex });
}

async function score(set: TriggerSet, suspect: Suspect, ctx: ScoreContext = {}): Promise<Score> {
  checkSetForSuspect(ID, set, suspect);
  const traj = set.aux.trajectory as Int32Array | undefined;
  if (!traj || traj.length !== set.labels.length) throw new Error(`${ID}: trigger set has no per-point "trajectory" aux`);
  const threshold = (set.params.mutationThreshold as number | undefined) ?? ADV_TRA_DEFAULTS.mutationThreshold;
  const n = set.labels.length;
  const got = await queryLabels(ID, suspect, set.inputs, n, ctx);
  const count = traj.reduce((m, t) => Math.max(m, t + 1), 0);
  const points = new Float64Array(count);
  const flipped = new Float64Array(count);
  for (let i = 0; i < n; i++) {
    points[traj[i]]++;
    if (got[i] !== set.labels[i]) flipped[traj[i]]++;
  }
  const mutation = Array.from(points, (c, t) => (c ? flipped[t] / c : 1));
  const matches = Uint8Array.from(mutation, (m) => (m <= threshold ? 1 : 0));
  const matched = matches.reduce((a, b) => a + b, 0);
  const meanMutation = mutation.reduce((a, b) => a + b, 0) / Math.max(1, count);
  return { score: count ? matched / count : 0, matches, queries: n, details: { matched, trajectories: count, threshold, meanMutation, mutation } };
}

export const advTra: FingerprintMethod<AdvTraParams> = {
  id: ID,
  description: 'ADV-TRA: adversarial surface trajectories across classes; score = fraction of trajectories with mutation rate ≤ T_mut',
  needs: {},
  labelOnly: true,
  defaults: ADV_TRA_DEFAULTS,
  generate,
  score,
};
