/**
 * GanFinger (Ren et al., AAAI'24): fingerprints are PAIRS (x, x') of a clean owner sample and a
 * "conferrable" adversarial example x' = clip(x + G(x, t), 0, 1) made by a generator G trained
 * against a discriminator D (AdvGAN-like, ganfinger-nets.ts). D maximises eq. 1; G minimises eq. 6:
 *   η·L_ADV (targeted CW on the source f_v) + α·mean log(1 − D(x')) + β·mean max(0, ‖G(x)‖₂ − c) + γ·L_conf,
 *   L_conf = mean_pos KL(f_v(x') ‖ f_p(x')) − mean_neg KL(f_v(x') ‖ f_n(x')).
 * Kept pairs: x correct under f_v, x' misclassified by f_v, and at least `agreement` of the
 * validation positives answer f_v on x' AND on x. Score: ARD = P_conf − P_ori (eqs. 7–9) on the
 * suspect's labels (label-only works), mapped linearly to [0,1] as (ARD + 1) / 2.
 *
 * Stored: 2·pairs inputs, interleaved x_0, x'_0, x_1, x'_1, …; aux `kind` (0 original, 1 fingerprint),
 * `pair`, `base` (dataset index), `target` (t), `l2` (‖x' − x‖₂, 0 for originals), `posAgree` /
 * `negAgree` (fraction of the validation positives / negatives answering the source's label).
 *
 * Departures and filled gaps (docs/decisions/methods-ganfinger.md): Adam (lr 0.003) and a 600-step
 * budget instead of SGD 0.001 for 60 epochs; α = 0.5 (a value of the paper's own sensitivity grid)
 * instead of 5; `poolSample` pool members per side per G step instead of all; an L∞ box ε on G's
 * output; c in L2 pixel units for 28×28; CW confidence κ; G conditioned on a per-sample target t and
 * up to `tries` targets per original at selection; the pool split into training / validation
 * members by a seeded draw (≥ 1 of each per side, else an error); the validation check on x as well
 * as x'; fewer than n pairs when too few candidates pass (then pairs = labels.length / 2); an optional
 * negative-validation filter (off by default, as in the paper).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, shuffled, shuffleInPlace, type Rng } from '../data/random.ts';
import { gather } from '../data/batches.ts';
import { createOptimizer } from '../models/optimizers.ts';
import type { Suspect } from '../suspects/types.ts';
import {
  argmaxRows, checkChoice, checkNumber, checkSetForSuspect, logitsOf, makeTriggerSet, mergeParams, modelLabels,
  queryLabels, report, requirePools, sourceLogits, throwIfAborted,
} from './common.ts';
import { buildDiscriminator, buildGenerator } from './ganfinger-nets.ts';
import type { DifferentiableModel, FingerprintMethod, GenerateContext, Score, ScoreContext, TriggerSet } from './types.ts';

export interface GanfingerParams {
  /** Fingerprint pairs wanted (paper: 100); the set holds 2 inputs per pair. */
  n: number;
  /** Alternating D / G updates (paper: 60 epochs of batch 128; a step budget here). */
  steps: number;
  batchSize: number;
  /** Adam learning rate of G and D (paper: SGD 0.001). */
  lr: number;
  /** Loss weights η (L_ADV), α (L_GAN), β (hinge), γ (L_conf); paper 1, 5, 5, 10 (α = 0.5 also in its grid). */
  eta: number;
  alpha: number;
  beta: number;
  gamma: number;
  /** L∞ box on G's output: δ = ε·tanh(·). */
  eps: number;
  /** Hinge bound c on the per-sample L2 norm of δ (pixel units, [0,1] images). */
  c: number;
  /** CW confidence κ: L_ADV = max(max_{j≠t} z_j − z_t, −κ). */
  kappa: number;
  /** Target class t per sample: a seeded random class ≠ the source's label, or the source's runner-up. */
  target: 'random' | 'runner-up';
  /** Targets tried per original when selecting pairs, in `target` order (random: seeded; runner-up: logit rank); 0 = all K − 1. */
  tries: number;
  /** Base channel width of G and D. */
  width: number;
  /** Training pool members per side drawn (seeded) for each G step; 0 = all. */
  poolSample: number;
  /** Share of each pool side held out for validation (paper 10 of 30). */
  validationShare: number;
  /** A pair is kept when at least this fraction of the validation positives answer f_v(x') (paper 0.9). */
  agreement: number;
  /** …and at most this fraction of the validation negatives do (1 = no negative filter, the paper's rule). */
  maxNegativeAgreement: number;
}

const ID = 'ganfinger';
const TARGETS = ['random', 'runner-up'] as const;

export const GANFINGER_DEFAULTS: GanfingerParams = {
  n: 100, steps: 600, batchSize: 32, lr: 0.003, eta: 1, alpha: 0.5, beta: 5, gamma: 10, eps: 0.3, c: 2, kappa: 8,
  target: 'runner-up', tries: 0, width: 8, poolSample: 2, validationShare: 1 / 3, agreement: 0.9, maxNegativeAgreement: 1,
};

export function resolveGanfingerParams(given: Partial<GanfingerParams> = {}): GanfingerParams {
  const p = mergeParams(ID, GANFINGER_DEFAULTS, given);
  checkNumber(ID, 'n', p.n, { integer: true, min: 1 });
  checkNumber(ID, 'steps', p.steps, { integer: true, min: 0 });
  checkNumber(ID, 'batchSize', p.batchSize, { integer: true, min: 1 });
  checkNumber(ID, 'lr', p.lr, { above: 0 });
  for (const f of ['eta', 'alpha', 'beta', 'gamma', 'c', 'kappa'] as const) checkNumber(ID, f, p[f], { min: 0 });
  checkNumber(ID, 'eps', p.eps, { above: 0, max: 1 });
  checkChoice(ID, 'target', p.target, TARGETS);
  checkNumber(ID, 'tries', p.tries, { integer: true, min: 0 });
  checkNumber(ID, 'width', p.width, { integer: true, min: 1, max: 256 });
  checkNumber(ID, 'poolSample', p.poolSample, { integer: true, min: 0 });
  checkNumber(ID, 'validationShare', p.validationShare, { above: 0, max: 1 });
  checkNumber(ID, 'agreement', p.agreement, { min: 0, max: 1 });
  checkNumber(ID, 'maxNegativeAgreement', p.maxNegativeAgreement, { min: 0, max: 1 });
  return p;
}

/**
 * The pool split generation uses: per side a seeded draw of round(validationShare · size) members
 * (at least 1, at most size − 1) for validation, the rest for training G. Exported so an audit (and
 * the tests) can re-derive which recorded pool models validated the pairs.
 */
export function ganfingerPoolSplit(pools: NonNullable<GenerateContext['pools']>, validationShare: number, seed: number) {
  return { pos: splitSide(pools.positives, validationShare, seed, 'positives'), neg: splitSide(pools.negatives, validationShare, seed, 'negatives') };
}

function splitSide(models: DifferentiableModel[], share: number, seed: number, side: string): { train: DifferentiableModel[]; val: DifferentiableModel[] } {
  if (models.length < 2) {
    throw new Error(`${ID}: needs at least 2 pool ${side} (one to train G with, one to validate pairs with), got ${models.length}`);
  }
  const nVal = Math.min(models.length - 1, Math.max(1, Math.round(share * models.length)));
  const order = shuffled(models.map((_, i) => i), deriveSeed(seed, `${ID}/split-${side}`));
  return { val: Array.from(order.subarray(0, nVal), (i) => models[i]), train: Array.from(order.subarray(nVal), (i) => models[i]) };
}

/**
 * `tries` target classes per row (row-major [rows·tries]), never the source's label: the classes in
 * the source's logit order (runner-up first) or in a seeded random order.
 */
function targetOrder(logits: Float32Array, k: number, mode: GanfingerParams['target'], tries: number, rng: Rng): Int32Array {
  const pred = argmaxRows(logits, k);
  const out = new Int32Array(pred.length * tries);
  pred.forEach((i, r) => {
    const others = Array.from({ length: k }, (_, c) => c).filter((c) => c !== i);
    if (mode === 'runner-up') others.sort((a, b) => logits[r * k + b] - logits[r * k + a] || a - b);
    else shuffleInPlace(others, rng);
    out.set(others.slice(0, tries), r * tries);
  });
  return out;
}

function pick<T>(items: T[], m: number, rng: Rng): T[] {
  if (m === 0 || m >= items.length) return items;
  const idx = shuffled(items.map((_, i) => i), rng.nextUint32());
  return Array.from(idx.subarray(0, m), (i) => items[i]);
}

const logSoftmax = (z: tf.Tensor2D): tf.Tensor2D => tf.logSoftmax(z);

async function generate(ctx: GenerateContext, given: Partial<GanfingerParams>): Promise<TriggerSet> {
  const p = resolveGanfingerParams(given);
  const k = ctx.data.numClasses;
  if (k < 2) throw new Error(`${ID}: needs at least 2 classes, the data has ${k}`);
  checkNumber(ID, 'tries', p.tries, { integer: true, min: 0, max: k - 1 });
  const tries = p.tries || k - 1;
  const pools = requirePools(ID, ctx, { positives: true, negatives: true });
  throwIfAborted(ID, ctx.signal);
  const { pos, neg } = ganfingerPoolSplit(pools, p.validationShare, ctx.seed);
  const shape = ctx.data.inputShape;
  const size = shape[0] * shape[1] * shape[2];
  const owner = ctx.splits.ownerTrain.indices;
  if (owner.length === 0) throw new Error(`${ID}: the owner-train split is empty`);
  const source = ctx.source.model;
  const G = buildGenerator(shape, k, p.width, p.eps, deriveSeed(ctx.seed, `${ID}/G`));
  const D = buildDiscriminator(shape, p.width, deriveSeed(ctx.seed, `${ID}/D`));
  const optG = createOptimizer(G.vars, { name: 'adam' });
  const optD = createOptimizer(D.vars, { name: 'adam' });
  const oneHot = (t: Int32Array) => tf.tidy(() => tf.oneHot(tf.tensor1d(t, 'int32'), k).toFloat() as tf.Tensor2D);
  const total = p.steps + 1;
  try {
    // ---- Training: seeded epoch permutations of the owner's data; one D step, then one G step.
    const rngT = createRng(deriveSeed(ctx.seed, `${ID}/train`));
    let order: Int32Array = new Int32Array(0);
    let at = 0;
    let epoch = 0;
    for (let step = 1; step <= p.steps; step++) {
      throwIfAborted(ID, ctx.signal);
      const idx = new Int32Array(Math.min(p.batchSize, owner.length));
      for (let r = 0; r < idx.length; r++) {
        if (at >= order.length) [order, at] = [shuffled(owner, deriveSeed(ctx.seed, `${ID}/epoch-${++epoch}`)), 0];
        idx[r] = order[at++];
      }
      const g = gather(ctx.data, idx);
      const t = targetOrder(sourceLogits(source, g.images, idx.length, shape), k, p.target, 1, rngT);
      const posM = pick(pos.train, p.poolSample, rngT);
      const negM = pick(neg.train, p.poolSample, rngT);
      const x = tf.tensor4d(g.images, [idx.length, ...shape]);
      const ot = oneHot(t);
      try {
        const xa0 = tf.tidy(() => tf.clipByValue(tf.add(x, G.perturb(x, ot)), 0, 1));
        const d = tf.variableGrads(() => tf.add(tf.mean(tf.softplus(tf.neg(D.logit(x)))), tf.mean(tf.softplus(D.logit(xa0 as tf.Tensor4D)))) as tf.Scalar, D.vars);
        optD.step(D.vars.map((v) => d.grads[v.name]), p.lr);
        tf.dispose([xa0, d.value, ...Object.values(d.grads)]);
        const gr = tf.variableGrads(() => {
          const delta = G.perturb(x, ot);
          const xa = tf.clipByValue(tf.add(x, delta), 0, 1) as tf.Tensor4D;
          const zv = logitsOf(source, xa);
          const zt = tf.sum(tf.mul(zv, ot), 1);
          const zo = tf.max(tf.sub(zv, tf.mul(ot, 1e9)), 1);
          const adv = tf.mean(tf.maximum(tf.sub(zo, zt), -p.kappa));
          const gan = tf.neg(tf.mean(tf.softplus(D.logit(xa)))); // eq. 2: mean log(1 − D(x')), D = sigmoid(logit)
          const hinge = tf.mean(tf.relu(tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(delta), [1, 2, 3]), 1e-12)), p.c)));
          const lv = logSoftmax(zv);
          const pv = tf.exp(lv);
          const kl = (m: DifferentiableModel) => tf.mean(tf.sum(tf.mul(pv, tf.sub(lv, logSoftmax(logitsOf(m.model, xa)))), 1));
          const meanKl = (ms: DifferentiableModel[]) => tf.div(tf.addN(ms.map(kl)), ms.length);
          const conf = tf.sub(meanKl(posM), meanKl(negM));
          return tf.addN([tf.mul(adv, p.eta), tf.mul(gan, p.alpha), tf.mul(hinge, p.beta), tf.mul(conf, p.gamma)]) as tf.Scalar;
        }, G.vars);
        optG.step(G.vars.map((v) => gr.grads[v.name]), p.lr);
        const loss = step % 10 === 0 || step === p.steps ? gr.value.dataSync()[0] : NaN;
        tf.dispose([gr.value, ...Object.values(gr.grads)]);
        if (!Number.isNaN(loss)) report(ctx.onProgress, step, total, `training G/D: step ${step}/${p.steps}, G loss ${loss.toFixed(3)}`);
      } finally {
        tf.dispose([x, ot]);
      }
      if (step % 4 === 0) await new Promise((r) => setImmediate(r)); // let an abort land between steps
    }

    // ---- Candidates: owner samples in a seeded order, each with up to `tries` targets; the first
    // target whose pair passes the paper's filter is kept (one pair per original at most).
    const rngC = createRng(deriveSeed(ctx.seed, `${ID}/candidates`));
    const cand = shuffled(owner, deriveSeed(ctx.seed, `${ID}/candidate-order`));
    const agreeRate = (models: DifferentiableModel[], inputs: Float32Array, m: number, want: Int32Array): Float32Array => {
      const rate = new Float32Array(m);
      for (const mod of models) modelLabels(mod.model, inputs, m, shape).forEach((l, r) => (rate[r] += l === want[r] ? 1 / models.length : 0));
      return rate;
    };
    const kept: { base: number; t: number; x: Float32Array; xa: Float32Array; y: number; ya: number; pa: [number, number]; na: [number, number]; l2: number }[] = [];
    let scanned = 0;
    let tried = 0;
    const chunk = Math.max(1, Math.floor(256 / tries));
    for (let s = 0; s < cand.length && kept.length < p.n; s += chunk) {
      throwIfAborted(ID, ctx.signal);
      const g = gather(ctx.data, cand.subarray(s, Math.min(cand.length, s + chunk)));
      const logits = sourceLogits(source, g.images, g.labels.length, shape);
      const pred = argmaxRows(logits, k);
      const ok = Array.from(pred.keys()).filter((r) => pred[r] === g.labels[r]); // x correct under f_v
      scanned += g.labels.length;
      if (!ok.length) continue;
      const m = ok.length;
      const rows = m * tries;
      tried += rows;
      const xs = new Float32Array(m * size);
      ok.forEach((r, i) => xs.set(g.images.subarray(r * size, (r + 1) * size), i * size));
      const order = targetOrder(Float32Array.from(ok.flatMap((r) => Array.from(logits.subarray(r * k, (r + 1) * k)))), k, p.target, tries, rngC);
      const xr = new Float32Array(rows * size);
      for (let i = 0; i < m; i++) for (let j = 0; j < tries; j++) xr.set(xs.subarray(i * size, (i + 1) * size), (i * tries + j) * size);
      const xa = tf.tidy(() => {
        const x = tf.tensor4d(xr, [rows, ...shape]);
        return tf.clipByValue(tf.add(x, G.perturb(x, oneHot(order))), 0, 1).dataSync() as Float32Array;
      });
      const ya = modelLabels(source, xa, rows, shape);
      const y = Int32Array.from(ok, (r) => pred[r]);
      const [pa, na] = [agreeRate(pos.val, xa, rows, ya), agreeRate(neg.val, xa, rows, ya)];
      const [pa0, na0] = [agreeRate(pos.val, xs, m, y), agreeRate(neg.val, xs, m, y)];
      for (let i = 0; i < m && kept.length < p.n; i++) {
        // The fingerprint is the pair: the validation positives must reproduce the source on x too.
        if (pa0[i] < p.agreement - 1e-6) continue;
        for (let j = 0; j < tries; j++) {
          const r = i * tries + j;
          // Tolerance 1e-6: `agreement` fractions such as 0.9 must not fail on float rounding of the sums.
          if (ya[r] === y[i] || pa[r] < p.agreement - 1e-6 || na[r] > p.maxNegativeAgreement + 1e-6) continue;
          const a = xa.slice(r * size, (r + 1) * size);
          let l2 = 0;
          for (let q = 0; q < size; q++) l2 += (a[q] - xs[i * size + q]) ** 2;
          kept.push({ base: cand[s + ok[i]], t: order[r], x: xs.slice(i * size, (i + 1) * size), xa: a, y: y[i], ya: ya[r], pa: [pa0[i], pa[r]], na: [na0[i], na[r]], l2: Math.sqrt(l2) });
          break;
        }
      }
      report(ctx.onProgress, p.steps, total, `selecting pairs: ${kept.length}/${p.n} kept of ${scanned} samples (${tried} candidates)`);
    }
    if (!kept.length) {
      throw new Error(`${ID}: no candidate pair passed the filter (${scanned} owner samples scanned): train longer (steps), raise eps / c, or lower agreement`);
    }
    const n2 = 2 * kept.length;
    const inputs = new Float32Array(n2 * size);
    const labels = new Int32Array(n2);
    const aux = {
      kind: new Int32Array(n2), pair: new Int32Array(n2), base: new Int32Array(n2), target: new Int32Array(n2),
      l2: new Float32Array(n2), posAgree: new Float32Array(n2), negAgree: new Float32Array(n2),
    };
    kept.forEach((q, i) => {
      for (const kind of [0, 1]) {
        const r = 2 * i + kind;
        inputs.set(kind ? q.xa : q.x, r * size);
        labels[r] = kind ? q.ya : q.y;
        aux.kind[r] = kind;
        aux.pair[r] = i;
        aux.base[r] = q.base;
        aux.target[r] = q.t;
        aux.l2[r] = kind ? q.l2 : 0;
        aux.posAgree[r] = q.pa[kind];
        aux.negAgree[r] = q.na[kind];
      }
    });
    report(ctx.onProgress, total, total, `kept ${kept.length} pairs from ${scanned} owner samples (${tried} candidates)`);
    return makeTriggerSet(ctx, ID, p, inputs, labels, aux, { usedPools: true });
  } finally {
    optG.dispose();
    optD.dispose();
    G.dispose();
    D.dispose();
  }
}

async function score(set: TriggerSet, suspect: Suspect, ctx: ScoreContext = {}): Promise<Score> {
  checkSetForSuspect(ID, set, suspect);
  const n2 = set.labels.length;
  const kind = set.aux.kind;
  const pair = set.aux.pair;
  if (!kind || !pair || kind.length !== n2 || pair.length !== n2 || n2 % 2) throw new Error(`${ID}: trigger set lacks the kind / pair auxiliaries of (original, fingerprint) pairs`);
  const pairs = n2 / 2;
  const got = await queryLabels(ID, suspect, set.inputs, n2, ctx);
  const orig = new Int32Array(pairs).fill(-1);
  const origGot = new Int32Array(pairs);
  const fp = new Int32Array(pairs).fill(-1);
  const fpGot = new Int32Array(pairs);
  for (let r = 0; r < n2; r++) {
    const i = pair[r];
    if (kind[r] === 0) [orig[i], origGot[i]] = [set.labels[r], got[r]];
    else [fp[i], fpGot[i]] = [set.labels[r], got[r]];
  }
  if (orig.some((v) => v < 0) || fp.some((v) => v < 0)) throw new Error(`${ID}: trigger set has a pair without its original or its fingerprint`);
  // Eq. 8: P_ori = mismatch rate on originals. Eq. 9: P_conf = rate of pairs where the source's
  // labels differ (x' really flips f_v) and the suspect answers f_v(x').
  let ori = 0;
  let conf = 0;
  const matches = new Uint8Array(pairs);
  for (let i = 0; i < pairs; i++) {
    const o = origGot[i] !== orig[i] ? 1 : 0;
    const c = fp[i] !== orig[i] && fpGot[i] === fp[i] ? 1 : 0;
    ori += o;
    conf += c;
    matches[i] = c && !o ? 1 : 0; // the suspect reproduces both answers of the pair
  }
  const pOri = ori / pairs;
  const pConf = conf / pairs;
  const ard = pConf - pOri;
  return {
    score: (ard + 1) / 2,
    matches,
    queries: n2,
    details: { ard, pConf, pOri, pairs, confMatched: conf, originalsMismatched: ori, pairsMatched: matches.reduce((a, b) => a + b, 0), mapping: 'score = (ARD + 1) / 2' },
  };
}

export const ganfinger: FingerprintMethod<GanfingerParams> = {
  id: ID,
  description: 'GanFinger: GAN-made conferrable adversarial pairs (x, x′); score = accuracy-robustness distance P_conf − P_ori mapped to [0,1]',
  needs: { positives: true, negatives: true },
  labelOnly: true,
  defaults: GANFINGER_DEFAULTS,
  generate,
  score,
};
