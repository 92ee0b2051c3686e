/**
 * AnaFP (Yang, Geng, Chen, Luo 2026, "Fingerprinting DNNs for Ownership Protection: An Analytical
 * Approach"): control the fingerprint-to-boundary distance with a stretch factor λ. From an owner
 * sample x (source class y) a batched, targeted DeepFool finds the minimal L2 perturbation δ* that
 * takes the source into class t (with DeepFool's overshoot, clipped to [0,1]); the fingerprint is
 * x_f(λ) = clip(x + λ·δ*, 0, 1), λ ≥ 1, so λ = 1 is the DeepFool point and larger λ is farther
 * inside t. With margins m_f(x) = z^f_t(x) − max_{c≠t} z^f_c(x) and shifts s_f = m_src − m_f
 * (f says t ⟺ m_src > s_f):
 *   robustness (pirates say t):     m_src(λ) > 0 and m_src(λ) > Q_q({s_p : p ∈ positives})
 *   uniqueness (innocents do not):  m_src(λ) < Q_{1−q}({s_g : g ∈ negatives})
 * (the quantile relaxation of max / min over the infinite model sets; q = 1 is the worst case).
 * The shifts are measured at x_f(λ) itself, which is the circular dependency; so λ is grid-searched.
 * Per trigger: the admissible set is the grid values meeting both; λ = the admissible value with the
 * largest (positive-pool agreement − negative-pool agreement), ties → largest relaxed slack, then
 * smaller λ; [lambdaLow, lambdaHigh] = the run of consecutive admissible grid values around it.
 * oversample·n candidates go through all of this; the first n (seeded order) with a non-empty
 * interval are kept. Only if too few are admissible, candidates with an empty interval fill up,
 * flagged (aux.admissible = 0), λ chosen by the same criterion where the source says t.
 * Score = the suspect's label match rate (label-only).
 * We only have the abstract; every reconstruction and departure (bounds measured on the grid instead
 * of through Lipschitz constants, `shift: 'linf'` for the reviewers' "2 × logit shift" form, the
 * grid, per-trigger λ, oversampling and flagged empty intervals) is in docs/decisions/methods-anafp.md.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '../data/random.ts';
import type { Suspect } from '../suspects/types.ts';
import {
  argmaxRows, checkChoice, checkNumber, chooseBaseSamples, logitsOf, makeTriggerSet, mergeParams,
  report, requirePools, sourceLogits, throwIfAborted,
  scoreLabelMatch,
} from './common.ts';
import type { FingerprintMethod, GenerateContext, Score, ScoreContext, TriggerSet } from './types.ts';

export interface AnafpParams {
  /** Number of fingerprints. */
  n: number;
  /** Target class t: DeepFool's linearised nearest class (default) or a seeded random other class. */
  target: 'nearest' | 'random';
  /** DeepFool overshoot (original DeepFool: 0.02): each iterate is x + (1 + overshoot)·Σr. */
  overshoot: number;
  /** DeepFool iterations at most (original DeepFool: 50). */
  maxIter: number;
  /** Quantile level q of the relaxation, in [0.5, 1] (1 = worst case over each pool). */
  q: number;
  /** Largest stretch factor on the grid; the grid is linear on [1, lambdaMax]. */
  lambdaMax: number;
  /** Number of grid values of λ (paper: ~500). */
  grid: number;
  /** Candidates examined per fingerprint: oversample·n bases go through DeepFool and the grid; the first n (seeded order) with a non-empty interval are kept, flagged ones only fill up. 1 = keep all, flag the empty. */
  oversample: number;
  /** Pirate shift: exact margin shift (default) or 2·‖z_src − z_p‖∞ (the reviewers' Lipschitz-style sufficient form). */
  shift: 'margin' | 'linf';
}

const ID = 'anafp';
const TARGETS = ['nearest', 'random'] as const;
const SHIFTS = ['margin', 'linf'] as const;

export const ANAFP_DEFAULTS: AnafpParams = { n: 100, target: 'nearest', overshoot: 0.02, maxIter: 50, q: 0.75, lambdaMax: 4, grid: 121, oversample: 2, shift: 'margin' };

export function resolveAnafpParams(given: Partial<AnafpParams> = {}): AnafpParams {
  const p = mergeParams(ID, ANAFP_DEFAULTS, given);
  checkNumber(ID, 'n', p.n, { integer: true, min: 1 });
  checkChoice(ID, 'target', p.target, TARGETS);
  checkNumber(ID, 'overshoot', p.overshoot, { min: 0, max: 1 });
  checkNumber(ID, 'maxIter', p.maxIter, { integer: true, min: 1 });
  checkNumber(ID, 'q', p.q, { min: 0.5, max: 1 });
  checkNumber(ID, 'lambdaMax', p.lambdaMax, { above: 1, max: 100 });
  checkNumber(ID, 'grid', p.grid, { integer: true, min: 2, max: 10000 });
  checkNumber(ID, 'oversample', p.oversample, { min: 1, max: 20 });
  checkChoice(ID, 'shift', p.shift, SHIFTS);
  return p;
}

/** The grid of stretch factors: linear on [1, lambdaMax], in doubles (the bytes are made from these). */
export function lambdaGrid(p: Pick<AnafpParams, 'lambdaMax' | 'grid'>): number[] {
  return Array.from({ length: p.grid }, (_, k) => 1 + (k * (p.lambdaMax - 1)) / (p.grid - 1));
}

/** x_f(λ) = clip(x + λ·δ, 0, 1) for every trigger, in JS so evaluation and storage see the same bytes. */
function stretch(x: Float32Array, delta: Float32Array, lambda: number, out: Float32Array, offset = 0): void {
  for (let i = 0; i < x.length; i++) out[offset + i] = Math.min(1, Math.max(0, x[i] + lambda * delta[i]));
}

/** Linear-interpolation quantile (type 7) of the values, q in [0,1]. Sorts `v` in place. */
function quantile(v: Float64Array, q: number): number {
  v.sort();
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < v.length ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/** Margin of class t: z_t − max_{c≠t} z_c, for one row of a row-major logit matrix. */
function marginAt(z: Float32Array, row: number, k: number, t: number): number {
  let other = -Infinity;
  for (let c = 0; c < k; c++) if (c !== t && z[row * k + c] > other) other = z[row * k + c];
  return z[row * k + t] - other;
}

/** t per base: DeepFool's nearest class argmin_{c≠y} |z_c − z_y| / ‖∇(z_c − z_y)‖ (K−1 batched gradients), or random. */
function chooseTargets(model: tf.LayersModel, x0: tf.Tensor4D, y: Int32Array, logits: Float32Array, k: number, p: AnafpParams, ctx: GenerateContext): Int32Array {
  const n = y.length;
  const t = new Int32Array(n);
  if (p.target === 'random') {
    const rng = createRng(deriveSeed(ctx.seed, `${ID}/target`));
    for (let r = 0; r < n; r++) t[r] = (y[r] + 1 + rng.int(k - 1)) % k;
    return t;
  }
  const best = new Float64Array(n).fill(Infinity);
  const oy = tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), k).toFloat());
  try {
    for (let c = 0; c < k; c++) {
      throwIfAborted(ID, ctx.signal);
      const norms = tf.tidy(() => {
        const g = tf.grad((x: tf.Tensor) => {
          const z = logitsOf(model, x as tf.Tensor4D);
          const oc = tf.oneHot(tf.fill([n], c, 'int32') as tf.Tensor1D, k).toFloat(); // (no Gather gradient on wasm)
          return tf.sum(tf.mul(z, tf.sub(oc, oy)));
        })(x0);
        return tf.sqrt(tf.sum(tf.square(g), [1, 2, 3])).dataSync() as Float32Array;
      });
      for (let r = 0; r < n; r++) {
        if (c === y[r]) continue;
        const d = Math.abs(logits[r * k + c] - logits[r * k + y[r]]) / (norms[r] + 1e-12);
        if (d < best[r]) [best[r], t[r]] = [d, c];
      }
      report(ctx.onProgress, c + 1, k, 'deepfool: choosing target classes');
    }
  } finally {
    oy.dispose();
  }
  return t;
}

/**
 * Targeted DeepFool, batched: each iterate steps r = (|f| + 1e-4)/‖∇f‖²·∇f with f = z_t − max_{c≠t} z_c,
 * and a trigger freezes at the first iterate the source labels t. Returns δ* = x_adv − x (overshoot and
 * clipping included) and whether t was reached.
 */
function deepfool(model: tf.LayersModel, x0: tf.Tensor4D, t: Int32Array, k: number, p: AnafpParams, ctx: GenerateContext): { delta: Float32Array; reached: Uint8Array; iters: Int32Array } {
  const n = t.length;
  const reached = new Uint8Array(n);
  const iters = new Int32Array(n);
  const ot = tf.tidy(() => tf.oneHot(tf.tensor1d(t, 'int32'), k).toFloat());
  const fOf = (x: tf.Tensor): tf.Tensor1D => {
    const z = logitsOf(model, x as tf.Tensor4D);
    return tf.sub(tf.sum(tf.mul(z, ot), 1), tf.max(tf.sub(z, tf.mul(ot, 1e9)), 1)) as tf.Tensor1D;
  };
  let total: tf.Tensor4D = tf.zerosLike(x0);
  let xi: tf.Tensor4D = tf.clone(x0);
  try {
    for (let it = 0; it <= p.maxIter; it++) {
      throwIfAborted(ID, ctx.signal);
      const kept: { f?: tf.Tensor } = {};
      const grad = tf.grad((x: tf.Tensor) => {
        const fx = fOf(x);
        kept.f = tf.keep(tf.clone(fx)); // the per-trigger f values of this same forward pass
        return tf.sum(fx);
      })(xi);
      const f = Float32Array.from(kept.f!.dataSync() as Float32Array);
      kept.f!.dispose();
      const active = new Float32Array(n);
      let left = 0;
      for (let r = 0; r < n; r++) {
        if (!reached[r] && f[r] > 0) [reached[r], iters[r]] = [1, it];
        if (!reached[r]) [active[r], left] = [1, left + 1];
      }
      report(ctx.onProgress, it, p.maxIter, `deepfool: ${n - left} of ${n} crossed into their target class`);
      if (left === 0 || it === p.maxIter) {
        grad.dispose();
        break;
      }
      const next = tf.tidy(() => {
        const sq = tf.sum(tf.square(grad), [1, 2, 3], true);
        const coef = tf.mul(tf.div(tf.add(tf.abs(tf.tensor1d(f).reshape([n, 1, 1, 1])), 1e-4), tf.add(sq, 1e-12)), tf.tensor1d(active).reshape([n, 1, 1, 1]));
        const tot = tf.add(total, tf.mul(grad, coef)) as tf.Tensor4D;
        return { tot, x: tf.clipByValue(tf.add(x0, tf.mul(tot, 1 + p.overshoot)), 0, 1) as tf.Tensor4D };
      });
      grad.dispose();
      tf.dispose([total, xi]);
      [total, xi] = [next.tot, next.x];
      for (let r = 0; r < n; r++) if (active[r]) iters[r] = it + 1;
    }
    const delta = tf.tidy(() => tf.sub(xi, x0).dataSync() as Float32Array);
    return { delta: Float32Array.from(delta), reached, iters };
  } finally {
    tf.dispose([total, xi, ot]);
  }
}

export interface GridStats {
  /** [G][n] row-major per statistic. */
  msrc: Float64Array;
  qPos: Float64Array;
  qNeg: Float64Array;
  posAgree: Float64Array;
  negAgree: Float64Array;
}

/** Evaluates source and every pool model at x_f(λ) for every grid λ and trigger. */
async function evaluateGrid(ctx: GenerateContext, x: Float32Array, delta: Float32Array, t: Int32Array, lambdas: number[], p: AnafpParams): Promise<GridStats> {
  const pools = requirePools(ID, ctx, { positives: true, negatives: true });
  const shape = ctx.data.inputShape;
  const size = shape[0] * shape[1] * shape[2];
  const k = ctx.data.numClasses;
  const n = t.length;
  const G = lambdas.length;
  const [P, N] = [pools.positives.length, pools.negatives.length];
  const out: GridStats = { msrc: new Float64Array(G * n), qPos: new Float64Array(G * n), qNeg: new Float64Array(G * n), posAgree: new Float64Array(G * n), negAgree: new Float64Array(G * n) };
  const per = Math.max(1, Math.floor(512 / n)); // λ values per chunk: ~512 images per forward
  const sp = new Float64Array(P);
  const sn = new Float64Array(N);
  for (let g0 = 0; g0 < G; g0 += per) {
    throwIfAborted(ID, ctx.signal);
    const gs = Math.min(per, G - g0);
    const imgs = new Float32Array(gs * n * size);
    for (let j = 0; j < gs; j++) stretch(x, delta, lambdas[g0 + j], imgs, j * n * size);
    const zs = sourceLogits(ctx.source.model, imgs, gs * n, shape);
    const zp = pools.positives.map((m) => sourceLogits(m.model, imgs, gs * n, shape));
    const zn = pools.negatives.map((m) => sourceLogits(m.model, imgs, gs * n, shape));
    for (const z of [...zp, ...zn]) if (z.length !== zs.length) throw new Error(`${ID}: a pool model does not have the source's ${k} classes`);
    for (let row = 0; row < gs * n; row++) {
      const r = row % n;
      const o = g0 * n + row;
      const m = marginAt(zs, row, k, t[r]);
      let pa = 0;
      let na = 0;
      zp.forEach((z, i) => {
        const mf = marginAt(z, row, k, t[r]);
        if (mf > 0) pa++;
        if (p.shift === 'margin') sp[i] = m - mf;
        else {
          let inf = 0;
          for (let c = 0; c < k; c++) inf = Math.max(inf, Math.abs(zs[row * k + c] - z[row * k + c]));
          sp[i] = 2 * inf;
        }
      });
      zn.forEach((z, i) => {
        const mf = marginAt(z, row, k, t[r]);
        if (mf > 0) na++;
        sn[i] = m - mf;
      });
      [out.msrc[o], out.qPos[o], out.qNeg[o], out.posAgree[o], out.negAgree[o]] = [m, quantile(sp, p.q), quantile(sn, 1 - p.q), pa / P, na / N];
    }
    report(ctx.onProgress, g0 + gs, G, `grid search: ${g0 + gs} of ${G} stretch factors evaluated on ${1 + P + N} models`);
    await new Promise((res) => setImmediate(res)); // let an abort from the caller land between chunks
  }
  return out;
}

interface Choice {
  index: number;
  low: number;
  high: number;
  admissible: boolean;
}

/** Per trigger r: the most feasible grid index and its admissible run (see the file comment). */
export function chooseLambda(s: GridStats, r: number, n: number, G: number): Choice {
  const at = (g: number) => g * n + r;
  const robust = (g: number) => s.msrc[at(g)] > 0 && s.msrc[at(g)] > s.qPos[at(g)];
  const unique = (g: number) => s.msrc[at(g)] < s.qNeg[at(g)];
  const feas = (g: number) => s.posAgree[at(g)] - s.negAgree[at(g)];
  const slack = (g: number) => Math.min(s.msrc[at(g)] - s.qPos[at(g)], s.qNeg[at(g)] - s.msrc[at(g)]);
  const better = (a: number, b: number) => (b < 0 || feas(a) > feas(b) || (feas(a) === feas(b) && slack(a) > slack(b)) ? a : b);
  let best = -1;
  for (let g = 0; g < G; g++) if (robust(g) && unique(g)) best = better(g, best);
  if (best >= 0) {
    let [lo, hi] = [best, best];
    while (lo > 0 && robust(lo - 1) && unique(lo - 1)) lo--;
    while (hi < G - 1 && robust(hi + 1) && unique(hi + 1)) hi++;
    return { index: best, low: lo, high: hi, admissible: true };
  }
  // Empty interval: kept and flagged; λ by the same criterion where the source says t, else the largest source margin.
  for (let g = 0; g < G; g++) if (s.msrc[at(g)] > 0) best = better(g, best);
  if (best < 0) for (let g = 0; g < G; g++) if (best < 0 || s.msrc[at(g)] > s.msrc[at(best)]) best = g;
  let [lo, hi] = [-1, -1];
  for (let g = 0; g < G; g++) {
    if (lo < 0 && robust(g)) lo = g;
    if (unique(g)) hi = g;
  }
  return { index: best, low: lo, high: hi, admissible: false };
}

async function generate(ctx: GenerateContext, given: Partial<AnafpParams>): Promise<TriggerSet> {
  const p = resolveAnafpParams(given);
  const k = ctx.data.numClasses;
  if (k < 2) throw new Error(`${ID}: needs at least 2 classes, the data has ${k}`);
  requirePools(ID, ctx, { positives: true, negatives: true });
  throwIfAborted(ID, ctx.signal);
  const shape = ctx.data.inputShape;
  const size = shape[0] * shape[1] * shape[2];
  const n = p.n;
  const m = Math.max(n, Math.round(p.oversample * n)); // candidates examined
  const base = chooseBaseSamples(ctx, m, ID);
  const y = argmaxRows(base.logits, k);
  const x0 = tf.tensor4d(base.images, [m, ...shape]);
  let t: Int32Array;
  let df: ReturnType<typeof deepfool>;
  try {
    t = chooseTargets(ctx.source.model, x0, y, base.logits, k, p, ctx);
    df = deepfool(ctx.source.model, x0, t, k, p, ctx);
  } finally {
    x0.dispose();
  }
  const lambdas = lambdaGrid(p);
  const stats = await evaluateGrid(ctx, base.images, df.delta, t, lambdas, p);
  throwIfAborted(ID, ctx.signal);
  const choices = Array.from({ length: m }, (_, r) => chooseLambda(stats, r, m, lambdas.length));
  // Keep the first n candidates (seeded order) with a non-empty interval; fill up with flagged ones only if too few.
  const order = [...choices.keys()].filter((r) => choices[r].admissible);
  order.push(...[...choices.keys()].filter((r) => !choices[r].admissible));
  const keep = order.slice(0, n).sort((a, b) => a - b);
  const inputs = new Float32Array(n * size);
  const aux = {
    lambda: new Float32Array(n), lambdaLow: new Float32Array(n), lambdaHigh: new Float32Array(n), q: new Float32Array(n).fill(p.q),
    admissible: new Int32Array(n), target: new Int32Array(n), base: new Int32Array(n), reached: new Int32Array(n), deepfoolIters: new Int32Array(n),
    deltaNorm: new Float32Array(n), margin: new Float32Array(n), posAgree: new Float32Array(n), negAgree: new Float32Array(n),
  };
  keep.forEach((c, r) => {
    const ch = choices[c];
    const o = ch.index * m + c;
    const delta = df.delta.subarray(c * size, (c + 1) * size);
    stretch(base.images.subarray(c * size, (c + 1) * size), delta, lambdas[ch.index], inputs, r * size);
    aux.lambda[r] = lambdas[ch.index];
    aux.lambdaLow[r] = ch.low >= 0 ? lambdas[ch.low] : NaN;
    aux.lambdaHigh[r] = ch.high >= 0 ? lambdas[ch.high] : NaN;
    aux.admissible[r] = ch.admissible ? 1 : 0;
    [aux.target[r], aux.base[r], aux.reached[r], aux.deepfoolIters[r]] = [t[c], base.indices[c], df.reached[c], df.iters[c]];
    [aux.posAgree[r], aux.negAgree[r]] = [stats.posAgree[o], stats.negAgree[o]];
    aux.deltaNorm[r] = Math.sqrt(delta.reduce((a, v) => a + v * v, 0));
  });
  // Labels and margins from the stored bytes themselves: what the source answers is what is recorded.
  const logits = sourceLogits(ctx.source.model, inputs, n, shape);
  const labels = argmaxRows(logits, k);
  for (let r = 0; r < n; r++) aux.margin[r] = marginAt(logits, r, k, aux.target[r]);
  return makeTriggerSet(ctx, ID, p, inputs, labels, aux, { usedPools: true });
}

async function score(set: TriggerSet, suspect: Suspect, ctx: ScoreContext = {}): Promise<Score> {
  return scoreLabelMatch(ID, set, suspect, ctx, 'admissible');
}

export const anafp: FingerprintMethod<AnafpParams> = {
  id: ID,
  description: 'AnaFP: DeepFool boundary points stretched by a factor λ chosen between pool-derived robustness and uniqueness bounds; score = label match rate',
  needs: { positives: true, negatives: true },
  labelOnly: true,
  defaults: ANAFP_DEFAULTS,
  generate,
  score,
};
