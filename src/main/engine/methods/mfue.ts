/**
 * MFUE (Xu et al., KDD'26): unlearnable (error-MINIMISING) triggers as fingerprints of the source's
 * neighbourhood in parameter space. x_UF = x + δ, ‖δ‖∞ ≤ ε, minimising the cross-entropy of the
 * true label y by sign-gradient descent jointly over "mimic models": snapshots of the source taken
 * during PGD adversarial fine-tuning on the owner's data (made here, inside generate()).
 * Verification per trigger: match when (1 − τ)·L_src < L_spc < (1 + τ)·L_src; score = match rate.
 *   - white-box (MFUE-w, the suspect returns probabilities): L = −log p_y(x_UF); n queries;
 *   - label-only (MFUE-b, chosen when suspect.labelOnly): L = −log p̂_y, p̂ a smoothed Monte Carlo
 *     estimate from M probes around x_UF (mfue-label-only.ts); n·M queries; the source's reference
 *     is the same estimate on the same probes, made at generation and stored.
 * Departures and filled gaps (all recorded in params / aux; docs/decisions/methods-mfue.md):
 *   - 28×28 grey scale: ε_UF 0.1 (paper 8/255) and mimic ε_adv 0.1 (paper 4/255, code 16/255).
 *   - cheaper mimics: a snapshot every `mimicSteps` SGD steps instead of every epoch; each batch
 *     gets `mimicAdv` PGD copies appended (authors' code: 8 per 64); lr 0.01 (paper 0.001), the
 *     learning rate of our lab's fine-tuning attacks.
 *   - joint optimisation as in the authors' code: each round one seeded random model among
 *     {source, mimics} takes `stepsPerRound` sign steps (100 rounds instead of their 2000; no
 *     one-off 0.9 step decay).
 *   - losses from probabilities are evaluated stably (−log(1 − Σ_{c≠y} p_c) when p_y > ½), since
 *     float32 p_y rounds to 1 at unlearnable triggers; if the source's reference is exactly 0 the
 *     paper's open interval is empty, and we match only L_spc = 0 (counted in details.degenerate).
 *   - label-only: probe centre by L∞ logit-margin ascent on the source (the CE gradient is 0 in
 *     float32 there), probes differ by Gaussian noise σ (the authors' code: N(0,1) noise alone);
 *     α is searched on the source at generation, as in the authors' code (a per-suspect search
 *     would pin every p̂_y near ½); additive smoothing λ keeps −log p̂ finite.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, shuffled } from '../data/random.ts';
import { toTensors } from '../data/batches.ts';
import { cloneModel } from '../models/clone.ts';
import { createOptimizer } from '../models/optimizers.ts';
import { pgd } from '../lab/attacks/pgd.ts';
import { modelClassifier } from '../lab/classifier.ts';
import { classifierSuspect } from '../suspects/classifier-suspect.ts';
import type { Suspect } from '../suspects/types.ts';
import {
  argmaxRows, checkNumber, checkSetForSuspect, chooseBaseSamples, logitsOf, makeTriggerSet, mergeParams, report, sourceLogits,
  throwIfAborted,
} from './common.ts';
import { mcHits, mcLoss, searchAlpha, type LabelOracle, type ProbeSpec } from './mfue-label-only.ts';
import type { FingerprintMethod, GenerateContext, Progress, Score, ScoreContext, TriggerSet } from './types.ts';

export interface MfueParams {
  /** Number of unlearnable triggers (paper: 100). */
  n: number;
  /** L∞ radius ε_UF of the unlearnable noise (paper 8/255 on CIFAR; 0.1 for 28×28 grey). */
  epsilon: number;
  /** Sign-step size (authors: ε/5, i.e. 1.6/255). */
  stepSize: number;
  /** Rounds of the joint optimisation; each picks one model (authors: 2000). */
  rounds: number;
  /** Sign steps per round on the chosen model (authors: 10). */
  stepsPerRound: number;
  /** Mimic models (paper: 10). */
  mimics: number;
  /** SGD steps between snapshots (paper: one epoch). */
  mimicSteps: number;
  /** Clean samples per mimic batch (authors: 64). */
  mimicBatch: number;
  /** PGD copies appended to each batch (authors: 8). */
  mimicAdv: number;
  /** ε_adv of the mimics' PGD (paper 4/255, authors' code 16/255; 0.1 for 28×28 grey). */
  mimicEpsilon: number;
  /** PGD steps (authors: 20; step 2.5·ε/steps). */
  mimicPgdSteps: number;
  /** SGD learning rate (paper: 0.001); momentum 0.9 and weight decay 5e-4 as the authors. */
  mimicLr: number;
  /** Tolerance τ of the interval rule (paper 0.5; authors' code 0.2). */
  tau: number;
  /** Label-only: probes per trigger M (paper: 100); queries per suspect = n·M. */
  probes: number;
  /** Label-only: binary-search rounds for α on the source at generation (authors: ≤ 8). */
  searchRounds: number;
  /** Label-only: additive smoothing λ of p̂ (p̂_y = (hits + λ)/(M + Kλ)). */
  smoothing: number;
  /** Label-only: σ of the Gaussian noise that makes the M probes differ (authors' code: N(0,1)). */
  probeNoise: number;
  /** Label-only: L∞ radius of the margin ascent that gives the probe direction. */
  probeEpsilon: number;
  /** Label-only: ascent steps (step 2.5·ε/steps). */
  probeSteps: number;
}

const ID = 'mfue';
const GROUP = 10; // triggers per label-only query call (GROUP·M inputs); the source's reference uses the same grouping

export const MFUE_DEFAULTS: MfueParams = {
  n: 100, epsilon: 0.1, stepSize: 0.02, rounds: 100, stepsPerRound: 10,
  mimics: 10, mimicSteps: 30, mimicBatch: 64, mimicAdv: 8, mimicEpsilon: 0.1, mimicPgdSteps: 10, mimicLr: 0.01,
  tau: 0.5, probes: 100, searchRounds: 8, smoothing: 1, probeNoise: 1, probeEpsilon: 0.3, probeSteps: 20,
};

export function resolveMfueParams(given: Partial<MfueParams> = {}): MfueParams {
  const p = mergeParams(ID, MFUE_DEFAULTS, given);
  const int = (f: keyof MfueParams, min: number) => checkNumber(ID, f, p[f], { integer: true, min });
  int('n', 1); int('rounds', 0); int('stepsPerRound', 1); int('mimics', 0); int('mimicSteps', 1); int('mimicBatch', 1);
  int('mimicAdv', 0); int('mimicPgdSteps', 1); int('probes', 1); int('searchRounds', 0); int('probeSteps', 0);
  for (const f of ['epsilon', 'mimicEpsilon', 'probeEpsilon'] as const) checkNumber(ID, f, p[f], { above: 0, max: 1 });
  checkNumber(ID, 'stepSize', p.stepSize, { above: 0 });
  checkNumber(ID, 'mimicLr', p.mimicLr, { above: 0 });
  checkNumber(ID, 'tau', p.tau, { min: 0, max: 1 });
  checkNumber(ID, 'smoothing', p.smoothing, { above: 0 });
  checkNumber(ID, 'probeNoise', p.probeNoise, { min: 0 });
  return p;
}

const yield_ = () => new Promise((r) => setImmediate(r));

/** One progress counter over the phases of generation. */
function progressOf(onProgress: ((p: Progress) => void) | undefined, total: number) {
  let done = 0;
  return { add: (k: number, message: string) => report(onProgress, (done += k), total, message), get done() { return done; } };
}

/**
 * Mimic models: a copy of the source fine-tuned on owner data with PGD copies appended to every
 * batch (SGD, momentum 0.9, wd 5e-4, seeded shuffles and PGD starts), snapshot every mimicSteps.
 */
async function makeMimics(ctx: GenerateContext, p: MfueParams, tick: (message: string) => void): Promise<tf.LayersModel[]> {
  const mimics: tf.LayersModel[] = [];
  if (p.mimics === 0) return mimics;
  const model = cloneModel(ctx.source.model, ctx.source.spec);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = createOptimizer(vars, { name: 'sgd', momentum: 0.9, weightDecay: 5e-4 });
  const pool = ctx.splits.ownerTrain.indices;
  const bs = Math.min(p.mimicBatch, pool.length);
  const adv = Math.min(p.mimicAdv, bs);
  let order: Int32Array = new Int32Array(0);
  let pos = 0;
  let epoch = 0;
  try {
    for (let step = 0; step < p.mimics * p.mimicSteps; step++) {
      throwIfAborted(ID, ctx.signal);
      if (pos + bs > order.length) [order, pos] = [shuffled(pool, deriveSeed(ctx.seed, `${ID}/mimic-epoch-${epoch++}`)), 0];
      const batch = toTensors(ctx.data, order.subarray(pos, (pos += bs)));
      try {
        tf.tidy(() => {
          let { x, y } = batch as { x: tf.Tensor4D; y: tf.Tensor2D };
          if (adv > 0) {
            const [xa, ya] = [x.slice([0, 0, 0, 0], [adv, -1, -1, -1]), y.slice([0, 0], [adv, -1])];
            const stepSize = (2.5 * p.mimicEpsilon) / p.mimicPgdSteps;
            const xp = pgd(model, xa, ya, { epsilon: p.mimicEpsilon, steps: p.mimicPgdSteps, stepSize, seed: deriveSeed(ctx.seed, `${ID}/mimic-pgd-${step}`) });
            [x, y] = [tf.concat([x, xp]), tf.concat([y, ya])];
          }
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D) as tf.Scalar, vars);
          opt.step(vars.map((v) => grads[v.name]), p.mimicLr);
          tf.dispose([value, ...Object.values(grads)]);
        });
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      if ((step + 1) % p.mimicSteps === 0) mimics.push(cloneModel(model, ctx.source.spec));
      tick(`mimic models: ${mimics.length}/${p.mimics}`);
      if (step % 8 === 7) await yield_();
    }
    return mimics;
  } catch (err) {
    mimics.forEach((m) => m.dispose());
    throw err;
  } finally {
    opt.dispose();
    model.dispose();
  }
}

/** Σ over the batch of −log softmax_y (so each input's gradient is its own loss's). */
const ceSum = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor2D) => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logitsOf(model, x as tf.Tensor4D)))));

/** Error-minimising sign descent over a seeded random model per round, in the ε-ball and [0,1]. */
async function unlearnable(models: tf.LayersModel[], x0: tf.Tensor4D, y: tf.Tensor2D, p: MfueParams, ctx: GenerateContext, tick: (m: string) => void): Promise<Float32Array> {
  const rng = createRng(deriveSeed(ctx.seed, `${ID}/uf-model`));
  const grads = models.map((m) => tf.grad((x: tf.Tensor) => ceSum(m, x, y) as tf.Scalar));
  const [lo, hi] = tf.tidy(() => [tf.clipByValue(tf.sub(x0, p.epsilon), 0, 1), tf.clipByValue(tf.add(x0, p.epsilon), 0, 1)]);
  let x: tf.Tensor = tf.clone(x0);
  try {
    for (let r = 0; r < p.rounds; r++) {
      throwIfAborted(ID, ctx.signal);
      const g = grads[rng.int(models.length)];
      for (let s = 0; s < p.stepsPerRound; s++) {
        const next = tf.tidy(() => tf.minimum(tf.maximum(tf.sub(x, tf.mul(tf.sign(g(x)), p.stepSize)), lo), hi));
        x.dispose();
        x = next;
      }
      tick(`unlearnable noise: round ${r + 1}/${p.rounds}`);
      if (r % 4 === 3) await yield_();
    }
    return Float32Array.from(x.dataSync() as Float32Array);
  } finally {
    tf.dispose([x, lo, hi]);
  }
}

/** Probe directions: L∞ ascent on the source's logit margin max_{c≠y} z_c − z_y from x_UF. */
function probeDirections(model: tf.LayersModel, xuf: Float32Array, y: tf.Tensor2D, p: MfueParams, shape: [number, number, number], ctx: GenerateContext, tick: (m: string) => void): Float32Array {
  const n = y.shape[0];
  const margin = (x: tf.Tensor) => {
    const z = logitsOf(model, x as tf.Tensor4D);
    return tf.sum(tf.sub(tf.max(tf.sub(z, tf.mul(y, 1e9)), 1), tf.sum(tf.mul(z, y), 1))) as tf.Scalar;
  };
  const grad = tf.grad(margin);
  const x0 = tf.tensor4d(xuf, [n, ...shape]);
  const [lo, hi] = tf.tidy(() => [tf.clipByValue(tf.sub(x0, p.probeEpsilon), 0, 1), tf.clipByValue(tf.add(x0, p.probeEpsilon), 0, 1)]);
  let x: tf.Tensor = tf.clone(x0);
  const step = (2.5 * p.probeEpsilon) / Math.max(1, p.probeSteps);
  try {
    for (let s = 0; s < p.probeSteps; s++) {
      throwIfAborted(ID, ctx.signal);
      const next = tf.tidy(() => tf.minimum(tf.maximum(tf.add(x, tf.mul(tf.sign(grad(x)), step)), lo), hi));
      x.dispose();
      x = next;
      tick('probe directions');
    }
    return Float32Array.from(x.dataSync() as Float32Array);
  } finally {
    tf.dispose([x, x0, lo, hi]);
  }
}

/** −log p_y from a probability row, stable near p_y = 1 (float32 p_y is 1 at unlearnable triggers). */
export function lossFromProbs(probs: ArrayLike<number>, at: number, k: number, y: number): number {
  const py = probs[at + y];
  if (py <= 0.5) return -Math.log(py);
  let rest = 0;
  for (let c = 0; c < k; c++) if (c !== y) rest += probs[at + c];
  return -Math.log1p(-Math.min(rest, 0.5));
}

/** Cross-entropy of y per row from logits, in float64: log Σ_c exp(z_c − z_y) (never rounds to 0). */
export function lossFromLogits(logits: Float32Array, k: number, y: Int32Array): Float64Array {
  return Float64Array.from(y, (yt, t) => {
    let s = 0;
    for (let c = 0; c < k; c++) if (c !== yt) s += Math.exp(logits[t * k + c] - logits[t * k + yt]);
    return Math.log1p(s);
  });
}

const oracleOf = (s: Suspect): LabelOracle => async (inputs, count) => (await s.query(inputs, count)).labels;

/** The interval rule, with the empty-interval case (L_src = 0 exactly) matching only L_spc = 0. */
const inInterval = (lsrc: number, lspc: number, tau: number) => (lsrc === 0 ? lspc === 0 : (1 - tau) * lsrc < lspc && lspc < (1 + tau) * lsrc);

async function generate(ctx: GenerateContext, given: Partial<MfueParams>): Promise<TriggerSet> {
  const p = resolveMfueParams(given);
  throwIfAborted(ID, ctx.signal);
  const shape = ctx.data.inputShape;
  const k = ctx.data.numClasses;
  const size = shape[0] * shape[1] * shape[2];
  const prog = progressOf(ctx.onProgress, p.mimics * p.mimicSteps + p.rounds + p.probeSteps + (p.searchRounds + 2) * p.n);
  const base = chooseBaseSamples(ctx, p.n, ID);
  const y = base.labels;
  const mimics = await makeMimics(ctx, p, (m) => prog.add(1, m));
  const models = [ctx.source.model, ...mimics];
  const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), k).toFloat()) as tf.Tensor2D;
  const x0 = tf.tensor4d(base.images, [p.n, ...shape]);
  try {
    const inputs = await unlearnable(models, x0, onehot, p, ctx, (m) => prog.add(1, m));
    // Diagnostics: CE of y at the clean base and at x_UF on the source and every mimic (float64 from logits).
    const lossClean = new Float32Array(p.n * models.length);
    const lossTrigger = new Float32Array(p.n * models.length);
    models.forEach((m, j) => {
      const c = lossFromLogits(sourceLogits(m, base.images, p.n, shape), k, y);
      const u = lossFromLogits(sourceLogits(m, inputs, p.n, shape), k, y);
      for (let t = 0; t < p.n; t++) [lossClean[t * models.length + j], lossTrigger[t * models.length + j]] = [c[t], u[t]];
    });
    // White-box reference: the source answering as a suspect would (same code path as scoring).
    const srcSuspect = classifierSuspect(modelClassifier(ctx.source.model));
    const probs = (await srcSuspect.query(inputs, p.n)).probs!;
    const loss = Float32Array.from(y, (yt, t) => lossFromProbs(probs, t * k, k, yt));
    const labels = argmaxRows(sourceLogits(ctx.source.model, inputs, p.n, shape), k);
    // Label-only reference.
    const probe = probeDirections(ctx.source.model, inputs, onehot, p, shape, ctx, (m) => prog.add(1, m));
    const spec: ProbeSpec = { inputs, probe, labels: y, seed: ctx.seed, probes: p.probes, noise: p.probeNoise, size };
    const mc = { group: GROUP, onProgress: ctx.onProgress, signal: ctx.signal };
    const total = prog.done + (p.searchRounds + 2) * p.n;
    const { alpha, found } = await searchAlpha(spec, p.searchRounds, oracleOf(srcSuspect), { ...mc, progress: { done: prog.done, total, message: 'label-only: searching α on the source' } });
    prog.add((p.searchRounds + 1) * p.n, 'label-only: α found');
    const hits = await mcHits(spec, alpha, oracleOf(srcSuspect), { ...mc, progress: { done: prog.done, total, message: 'label-only: source reference' } });
    prog.add(p.n, 'done');
    const mcLossArr = Float32Array.from(hits, (h) => mcLoss(h, p.probes, k, p.smoothing));
    return makeTriggerSet(ctx, ID, p, inputs, labels, {
      base: base.indices, trueLabel: Int32Array.from(y), loss, lossClean, lossTrigger,
      probe, alpha, alphaFound: found, mcHits: hits, mcLoss: mcLossArr,
    });
  } finally {
    tf.dispose([onehot, x0]);
    mimics.forEach((m) => m.dispose());
  }
}

async function score(set: TriggerSet, suspect: Suspect, ctx: ScoreContext = {}): Promise<Score> {
  checkSetForSuspect(ID, set, suspect);
  const p = resolveMfueParams(set.params as Partial<MfueParams>);
  const n = set.labels.length;
  const k = set.numClasses;
  const [h, w, c] = set.inputShape;
  const need = (key: string, len: number) => {
    if (set.aux[key]?.length !== len) throw new Error(`${ID}: the trigger set lacks aux.${key} of length ${len}; was it made by mfue?`);
    return set.aux[key];
  };
  const y = need('trueLabel', n) as Int32Array;
  const matches = new Uint8Array(n);
  let lsrc: Float64Array;
  let lspc: Float64Array;
  let queries: number;
  if (!suspect.labelOnly) {
    throwIfAborted(ID, ctx.signal);
    const probs = (await suspect.query(set.inputs, n)).probs;
    queries = n;
    if (!probs) throw new Error(`${ID}: the suspect claims probabilities but returned none`);
    lsrc = Float64Array.from(need('loss', n));
    lspc = Float64Array.from(y, (yt, t) => Math.fround(lossFromProbs(probs, t * k, k, yt)));
    report(ctx.onProgress, n, n, 'white-box losses');
  } else {
    const spec: ProbeSpec = { inputs: set.inputs, probe: need('probe', n * h * w * c) as Float32Array, labels: y, seed: set.seed, probes: p.probes, noise: p.probeNoise, size: h * w * c };
    const ref = need('mcHits', n);
    const hits = await mcHits(spec, need('alpha', n) as Float32Array, oracleOf(suspect), { group: GROUP, onProgress: ctx.onProgress, signal: ctx.signal });
    queries = n * p.probes; // mcHits sends every probe of every trigger exactly once
    lsrc = Float64Array.from(ref, (hs) => mcLoss(hs, p.probes, k, p.smoothing));
    lspc = Float64Array.from(hits, (hs) => mcLoss(hs, p.probes, k, p.smoothing));
  }
  let hit = 0;
  let degenerate = 0;
  for (let t = 0; t < n; t++) {
    hit += matches[t] = inInterval(lsrc[t], lspc[t], p.tau) ? 1 : 0;
    if (lsrc[t] === 0) degenerate++;
  }
  const med = (a: Float64Array) => Float64Array.from(a).sort()[a.length >> 1];
  return {
    score: n ? hit / n : 0,
    matches,
    queries,
    details: {
      mode: suspect.labelOnly ? 'label-only' : 'white-box', tau: p.tau, matched: hit, total: n, degenerate,
      ...(suspect.labelOnly ? { probes: p.probes, smoothing: p.smoothing } : {}),
      medianLossSource: med(lsrc), medianLossSuspect: med(lspc), lossSuspect: Array.from(lspc),
    },
  };
}

export const mfue: FingerprintMethod<MfueParams> = {
  id: ID,
  description: 'MFUE: error-minimising (unlearnable) triggers over adversarially fine-tuned mimics; score = share of triggers whose suspect loss lies within ±τ of the source loss (white-box or Monte Carlo label-only)',
  needs: {},
  labelOnly: true,
  defaults: MFUE_DEFAULTS,
  generate,
  score,
};
