/**
 * MetaFinger (Yang et al., IJCAI'22): meta-train input perturbations across a pool of pirated
 * (positive) and independent (negative) models so that positives answer like the source and
 * negatives do not. From clean owner samples, Adam (pixel units) minimises, on a randomly
 * augmented input T(x),
 *   L = (1/s)·Σ_j KL(p_Pj(T x) ‖ p_src(T x)) − α·(1/s)·Σ_k KL(p_Nk(T x) ‖ p_src(T x))
 * with s positives and s negatives sampled per step from the meta-train part of the pool, then
 * screens: a candidate is kept only if every validation positive and no validation negative gives
 * the source's label. The label recorded is the source's own label on the stored bytes. Score =
 * the suspect's label match rate (label-only).
 *
 * Departures from the authors' code and filled gaps (docs/decisions/methods-metafinger.md):
 * - Anchor = the source every step (authors: a random positive as anchor, labels = the positives'
 *   mode); our reference label is the source's, so the source is what positives are pulled to.
 * - Pool split (authors: separate train / val folders, ablation 2/3 : 1/3): a seeded split per
 *   side, validation = round(valFraction·m) members (at least 1, at most m−1); a side with a single
 *   member uses it for both meta-training and validation. Recorded per pool member in
 *   aux.positiveRole / aux.negativeRole (0 meta-train, 1 validation, 2 both). s is capped at the
 *   meta-train side size.
 * - Augmentations for 28×28 grey digits (authors' CIFAR list minus flips, shear and median blur):
 *   identity, Gaussian noise σ, uniform noise ±σ, integer shift ≤ `shift` px (zero fill), 3×3 box
 *   blur; one seeded choice per step for the whole batch, as the authors do.
 * - Best snapshot per candidate (authors: best epoch per batch, by mean val-negative agreement,
 *   from epoch 6 on): from epoch selectAfter+1 on, a candidate keeps its latest snapshot that
 *   passes the screen, else the one with the most (val-pos − val-neg) agreements.
 * - Rounds of `batch` candidates until n pass (authors: rounds of 70 seeds, up to 10). If fewer
 *   than n pass after `rounds`, the best-agreeing failures fill up and are flagged aux.passed = 0.
 * - Losses are summed over the batch (authors: batch mean), so a candidate's update does not
 *   depend on how many others share its batch.
 * - Option loss = 'margin' (ours, not the authors'): logit-margin hinges instead of KL, so a negative
 *   that already disagrees stops pulling the gradient (with KL its term grows without bound and
 *   the hard negatives, same-architecture models, get little of the update). Default stays 'kl'.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, shuffleInPlace, type Rng } from '../data/random.ts';
import type { Suspect } from '../suspects/types.ts';
import {
  checkChoice, checkNumber, chooseBaseSamples, logitsOf, makeTriggerSet, mergeParams, modelLabels,
  report, requirePools, throwIfAborted,
  scoreLabelMatch, adamMoments,
} from './common.ts';
import type { DifferentiableModel, FingerprintMethod, GenerateContext, Score, ScoreContext, TriggerSet } from './types.ts';

export interface MetafingerParams {
  /** Number of queries kept (authors: 100). */
  n: number;
  /** Candidates optimised together per round (authors: 70 CIFAR seeds per round). */
  batch: number;
  /** Rounds at most, stopping once n candidates have passed the screen (authors: up to 10). */
  rounds: number;
  /** Epochs per round (authors: 10). */
  epochs: number;
  /** Adam steps per epoch (authors: one per meta-train positive as anchor). */
  stepsPerEpoch: number;
  /** Adam learning rate in pixel units (authors: 0.01 CIFAR, 0.04 Tiny-ImageNet). */
  lr: number;
  /** Models sampled per side per step (authors: 3); capped at the meta-train side size. */
  sample: number;
  /** Weight α of the negative term (authors: 1). */
  alpha: number;
  /** Objective: the authors' KL pull / push ('kl') or logit-margin hinges ('margin', our option). */
  loss: 'kl' | 'margin';
  /** Logit margin κ of the 'margin' objective (unused with 'kl'). */
  margin: number;
  /** Snapshots are considered from epoch selectAfter+1 on (authors: epochs 6…10, i.e. 5). */
  selectAfter: number;
  /** Share of each pool side held out for validation / screening (authors' ablation: 1/3). */
  valFraction: number;
  /** Random input transformation per step ('standard' list) or none. */
  augment: 'standard' | 'none';
  /** σ of the Gaussian noise and half-width of the uniform noise augmentations (authors: 0.05). */
  noise: number;
  /** Largest shift in pixels of the shift augmentation (authors: 5 px at 32×32). */
  shift: number;
}

const ID = 'metafinger';
const AUGMENTS = ['standard', 'none'] as const;
const LOSSES = ['kl', 'margin'] as const;
const TRANSFORMS = ['identity', 'gaussian', 'uniform', 'shift', 'blur'] as const;
type Transform = (typeof TRANSFORMS)[number];

export const METAFINGER_DEFAULTS: MetafingerParams = {
  n: 100, batch: 100, rounds: 12, epochs: 10, stepsPerEpoch: 8, lr: 0.01, sample: 3, alpha: 1, loss: 'kl', margin: 2, selectAfter: 5,
  valFraction: 1 / 3, augment: 'standard', noise: 0.05, shift: 2,
};

export function resolveMetafingerParams(given: Partial<MetafingerParams> = {}): MetafingerParams {
  const p = mergeParams(ID, METAFINGER_DEFAULTS, given);
  checkNumber(ID, 'n', p.n, { integer: true, min: 1 });
  checkNumber(ID, 'batch', p.batch, { integer: true, min: 1 });
  checkNumber(ID, 'rounds', p.rounds, { integer: true, min: 1 });
  if (p.batch * p.rounds < p.n) throw new Error(`${ID}.rounds: batch × rounds = ${p.batch * p.rounds} candidates cannot give n = ${p.n} triggers`);
  checkNumber(ID, 'epochs', p.epochs, { integer: true, min: 1 });
  checkNumber(ID, 'stepsPerEpoch', p.stepsPerEpoch, { integer: true, min: 1 });
  checkNumber(ID, 'lr', p.lr, { above: 0 });
  checkNumber(ID, 'sample', p.sample, { integer: true, min: 1 });
  checkNumber(ID, 'alpha', p.alpha, { min: 0 });
  checkChoice(ID, 'loss', p.loss, LOSSES);
  checkNumber(ID, 'margin', p.margin, { min: 0 });
  checkNumber(ID, 'selectAfter', p.selectAfter, { integer: true, min: 0, max: p.epochs - 1 });
  checkNumber(ID, 'valFraction', p.valFraction, { above: 0, max: 0.5 });
  checkChoice(ID, 'augment', p.augment, AUGMENTS);
  checkNumber(ID, 'noise', p.noise, { min: 0, max: 0.5 });
  checkNumber(ID, 'shift', p.shift, { integer: true, min: 0, max: 8 });
  return p;
}

/** Role of each pool member on one side: 0 meta-train, 1 validation, 2 both (side of one member). */
function splitSide(m: number, frac: number, rng: Rng): Int32Array {
  const role = new Int32Array(m);
  if (m < 2) return role.fill(2);
  const nVal = Math.min(m - 1, Math.max(1, Math.round(frac * m)));
  const order = shuffleInPlace(Int32Array.from({ length: m }, (_, i) => i), rng);
  for (let t = 0; t < nVal; t++) role[order[t]] = 1;
  return role;
}

const members = (models: DifferentiableModel[], role: Int32Array, want: 0 | 1) => models.filter((_, i) => role[i] === want || role[i] === 2);

/** `s` distinct members of `models` (partial Fisher–Yates). */
function sampleModels<T>(models: T[], s: number, rng: Rng): T[] {
  const a = models.slice();
  const take = Math.min(s, a.length);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, take);
}

interface Augmentation {
  kind: Transform;
  noise?: Float32Array;
  dx?: number;
  dy?: number;
}

function drawAugmentation(p: MetafingerParams, size: number, rng: Rng): Augmentation {
  if (p.augment === 'none') return { kind: 'identity' };
  const kind = TRANSFORMS[rng.int(TRANSFORMS.length)];
  if (kind === 'gaussian' || kind === 'uniform') {
    const noise = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      noise[i] = kind === 'uniform'
        ? (2 * rng.next() - 1) * p.noise
        : p.noise * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()); // Box–Muller
    }
    return { kind, noise };
  }
  if (kind === 'shift') return { kind, dx: rng.int(2 * p.shift + 1) - p.shift, dy: rng.int(2 * p.shift + 1) - p.shift };
  return { kind };
}

/** Differentiable T(x). */
function applyAugmentation(x: tf.Tensor4D, a: Augmentation, shift: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  switch (a.kind) {
    case 'gaussian':
    case 'uniform':
      return tf.clipByValue(tf.add(x, tf.tensor4d(a.noise!, x.shape)), 0, 1) as tf.Tensor4D;
    case 'shift': {
      if (shift === 0) return x;
      const padded = tf.pad(x, [[0, 0], [shift, shift], [shift, shift], [0, 0]]);
      return tf.slice(padded, [0, shift - a.dy!, shift - a.dx!, 0], [b, h, w, c]);
    }
    case 'blur': {
      const f = new Float32Array(9 * c * c);
      for (let t = 0; t < 9; t++) for (let ch = 0; ch < c; ch++) f[t * c * c + ch * c + ch] = 1 / 9;
      return tf.conv2d(x, tf.tensor4d(f, [3, 3, c, c]), 1, 'same');
    }
    default:
      return x;
  }
}

/** Σ over batch and classes of KL(softmax(zp) ‖ softmax(za)), from logits. */
function klSum(zp: tf.Tensor2D, la: tf.Tensor2D): tf.Scalar {
  const lp = tf.logSoftmax(zp);
  return tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, la)));
}

interface Screen {
  labels: Int32Array;
  posAgree: Int32Array;
  negAgree: Int32Array;
}

/** Source labels on `inputs` and how many of `pos` / `neg` give the same label per input. */
function screen(src: tf.LayersModel, pos: DifferentiableModel[], neg: DifferentiableModel[], inputs: Float32Array, b: number, shape: [number, number, number]): Screen {
  const labels = modelLabels(src, inputs, b, shape);
  const count = (side: DifferentiableModel[]) => {
    const agree = new Int32Array(b);
    for (const m of side) modelLabels(m.model, inputs, b, shape).forEach((l, r) => (agree[r] += l === labels[r] ? 1 : 0));
    return agree;
  };
  return { labels, posAgree: count(pos), negAgree: count(neg) };
}

interface Candidate {
  inputs: Float32Array;
  /** Screen result at the chosen snapshot, and the epoch it was taken at. */
  posAgree: number;
  negAgree: number;
  epoch: number;
}

/** One round: batched manual Adam on `b` candidates, returning each candidate's best snapshot. */
function optimiseRound(
  ctx: GenerateContext, p: MetafingerParams, x0: Float32Array, b: number, round: number,
  train: { pos: DifferentiableModel[]; neg: DifferentiableModel[] }, val: { pos: DifferentiableModel[]; neg: DifferentiableModel[] },
  progress: { done: number; total: number },
): Candidate[] {
  const shape = ctx.data.inputShape;
  const size = shape[0] * shape[1] * shape[2];
  const rng = createRng(deriveSeed(ctx.seed, `${ID}/round-${round}`));
  const src = ctx.source.model;
  const best: Candidate[] = [];
  const bestKey = new Float64Array(b).fill(-Infinity);
  let x: tf.Tensor4D = tf.tensor4d(x0, [b, ...shape]);
  let m: tf.Tensor = tf.zerosLike(x);
  let v: tf.Tensor = tf.zerosLike(x);
  let t = 0;
  try {
    for (let epoch = 1; epoch <= p.epochs; epoch++) {
      for (let step = 0; step < p.stepsPerEpoch; step++) {
        throwIfAborted(ID, ctx.signal);
        const pos = sampleModels(train.pos, p.sample, rng);
        const neg = sampleModels(train.neg, p.sample, rng);
        const aug = drawAugmentation(p, b * size, rng);
        t++;
        const next = tf.tidy(() => {
          const g = tf.grad((xi: tf.Tensor) => {
            const xa = applyAugmentation(xi as tf.Tensor4D, aug, p.shift);
            const za = logitsOf(src, xa);
            const sum = (side: DifferentiableModel[], term: (z: tf.Tensor2D) => tf.Scalar) =>
              side.reduce((acc: tf.Scalar, q) => tf.add(acc, term(logitsOf(q.model, xa))) as tf.Scalar, tf.scalar(0));
            if (p.loss === 'margin') {
              // Hinges on the gap g = z_y − max_{c≠y} z_c at the source's current label y: positives
              // (and the source) want g ≥ κ, negatives g ≤ −κ; a model past its margin adds nothing.
              const oh = tf.oneHot(tf.argMax(za, 1), za.shape[1] as number).toFloat() as tf.Tensor2D;
              const gap = (z: tf.Tensor2D) => tf.sub(tf.sum(tf.mul(z, oh), 1), tf.max(tf.sub(z, tf.mul(oh, 1e9)), 1));
              const lossSrc = tf.sum(tf.relu(tf.sub(p.margin, gap(za))));
              const lossPos = sum(pos, (z) => tf.sum(tf.relu(tf.sub(p.margin, gap(z)))));
              const lossNeg = sum(neg, (z) => tf.sum(tf.relu(tf.add(p.margin, gap(z)))));
              return tf.add(lossSrc, tf.add(tf.div(lossPos, pos.length), tf.mul(lossNeg, p.alpha / neg.length))) as tf.Scalar;
            }
            const la = tf.logSoftmax(za);
            const lossPos = sum(pos, (z) => klSum(z, la));
            const lossNeg = sum(neg, (z) => klSum(z, la));
            return tf.sub(tf.div(lossPos, pos.length), tf.mul(lossNeg, p.alpha / neg.length)) as tf.Scalar;
          })(x);
          const { m2, v2, step: stepT } = adamMoments(m, v, g, t);
          return { x2: tf.clipByValue(tf.sub(x, tf.mul(stepT, p.lr)), 0, 1) as tf.Tensor4D, m2, v2 };
        });
        tf.dispose([x, m, v]);
        [x, m, v] = [next.x2, next.m2, next.v2];
        report(ctx.onProgress, ++progress.done, progress.total, `round ${round + 1}: epoch ${epoch}/${p.epochs}`);
      }
      if (epoch <= p.selectAfter) continue;
      // Snapshot selection on the stored float32 bytes, exactly what would be recorded.
      const snap = Float32Array.from(x.dataSync() as Float32Array);
      const s = screen(src, val.pos, val.neg, snap, b, shape);
      for (let r = 0; r < b; r++) {
        const pass = s.posAgree[r] === val.pos.length && s.negAgree[r] === 0;
        const key = (pass ? 1e6 : 0) + s.posAgree[r] - s.negAgree[r];
        if (key >= bestKey[r]) { // later snapshots win ties, as the authors' `<=`
          bestKey[r] = key;
          best[r] = { inputs: snap.subarray(r * size, (r + 1) * size), posAgree: s.posAgree[r], negAgree: s.negAgree[r], epoch };
        }
      }
    }
    return best;
  } finally {
    tf.dispose([x, m, v]);
  }
}

async function generate(ctx: GenerateContext, given: Partial<MetafingerParams>): Promise<TriggerSet> {
  const p = resolveMetafingerParams(given);
  const k = ctx.data.numClasses;
  if (k < 2) throw new Error(`${ID}: needs at least 2 classes, the data has ${k}`);
  const pools = requirePools(ID, ctx, { positives: true, negatives: true });
  throwIfAborted(ID, ctx.signal);
  const shape = ctx.data.inputShape;
  const size = shape[0] * shape[1] * shape[2];
  const posRole = splitSide(pools.positives.length, p.valFraction, createRng(deriveSeed(ctx.seed, `${ID}/split-positives`)));
  const negRole = splitSide(pools.negatives.length, p.valFraction, createRng(deriveSeed(ctx.seed, `${ID}/split-negatives`)));
  const train = { pos: members(pools.positives, posRole, 0), neg: members(pools.negatives, negRole, 0) };
  const val = { pos: members(pools.positives, posRole, 1), neg: members(pools.negatives, negRole, 1) };
  const base = chooseBaseSamples(ctx, p.batch * p.rounds, ID);

  const cands: (Candidate & { base: number; round: number; pass: boolean })[] = [];
  const progress = { done: 0, total: p.rounds * p.epochs * p.stepsPerEpoch };
  let passed = 0;
  let roundsRun = 0;
  for (let round = 0; round < p.rounds && passed < p.n; round++) {
    const x0 = base.images.subarray(round * p.batch * size, (round + 1) * p.batch * size);
    const best = optimiseRound(ctx, p, x0, p.batch, round, train, val, progress);
    roundsRun++;
    best.forEach((c, r) => {
      const pass = c.posAgree === val.pos.length && c.negAgree === 0;
      passed += pass ? 1 : 0;
      cands.push({ ...c, base: base.indices[round * p.batch + r], round, pass });
    });
  }
  report(ctx.onProgress, progress.total, progress.total, `${passed} of ${cands.length} candidates passed the screen`);

  // Passing candidates first (in generation order); if too few, the best-agreeing failures fill up.
  const order = cands.map((_, i) => i);
  const rank = (i: number) => (cands[i].pass ? 1e6 : 0) + cands[i].posAgree - cands[i].negAgree;
  order.sort((a, b) => rank(b) - rank(a) || a - b);
  const chosen = order.slice(0, p.n); // batch × rounds ≥ n is checked with the params; rounds stop only once n passed
  const inputs = new Float32Array(p.n * size);
  chosen.forEach((i, r) => inputs.set(cands[i].inputs, r * size));

  // Labels and the screen again on the stored bytes themselves, so what is recorded is what holds.
  const fin = screen(ctx.source.model, val.pos, val.neg, inputs, p.n, shape);
  const trn = screen(ctx.source.model, train.pos, train.neg, inputs, p.n, shape);
  const flag = (r: number) => (fin.posAgree[r] === val.pos.length && fin.negAgree[r] === 0 ? 1 : 0);
  const perTrigger = (w: Int32Array) => {
    const a = new Int32Array(p.n * w.length);
    for (let r = 0; r < p.n; r++) a.set(w, r * w.length);
    return a;
  };
  return makeTriggerSet(ctx, ID, p, inputs, fin.labels, {
    passed: Int32Array.from({ length: p.n }, (_, r) => flag(r)),
    valPosAgree: fin.posAgree,
    valNegAgree: fin.negAgree,
    trainPosAgree: trn.posAgree,
    trainNegAgree: trn.negAgree,
    base: Int32Array.from(chosen, (i) => cands[i].base),
    round: Int32Array.from(chosen, (i) => cands[i].round),
    epoch: Int32Array.from(chosen, (i) => cands[i].epoch),
    // Whole-set facts, repeated per trigger (the format has per-trigger auxiliaries only).
    positiveRole: perTrigger(posRole),
    negativeRole: perTrigger(negRole),
    candidates: new Int32Array(p.n).fill(cands.length),
    candidatesPassed: new Int32Array(p.n).fill(passed),
    roundsRun: new Int32Array(p.n).fill(roundsRun),
  }, { usedPools: true });
}

async function score(set: TriggerSet, suspect: Suspect, ctx: ScoreContext = {}): Promise<Score> {
  return scoreLabelMatch(ID, set, suspect, ctx, 'passed');
}

export const metafinger: FingerprintMethod<MetafingerParams> = {
  id: ID,
  description: 'MetaFinger: inputs meta-trained over pirated / independent pools so pirates agree with the source and independents do not; score = label match rate',
  needs: { positives: true, negatives: true },
  labelOnly: true,
  defaults: METAFINGER_DEFAULTS,
  generate,
  score,
};
