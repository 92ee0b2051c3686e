/**
 * The verdict: turn a suspect's score into a decision with a stated false-accusation probability,
 * calibrated against a null of innocent models (independently trained, held out from generation).
 *
 *  - Empirical p-value: (1 + #{null scores ≥ s}) / (N + 1). Exact for exchangeable nulls and never
 *    below 1/(N+1): with N innocents it cannot support a level below 1/(N+1) on its own.
 *  - Parametric p-value: P(an innocent scores ≥ s) under a distribution fitted to the null.
 *    When the score is a match count over n triggers, a beta-binomial (method of moments; its
 *    over-dispersion absorbs the correlation between triggers that a plain binomial would ignore);
 *    otherwise a beta distribution on the scores. Fitting smooths the null with a half pseudo-count
 *    so an all-zero null does not yield p = 0 for any non-zero score.
 *  - Decision at level α (default 1e-3): "derived" only when the parametric p ≤ α AND the suspect
 *    scores above every null model (the empirical p is at its floor): the parametric tail is used to
 *    extrapolate beyond the observed null, never to overrule it. "not derived" otherwise. Refused
 *    ("insufficient-null") when the null has fewer than `minNull` models: no honest tail can be
 *    fitted. When α < 1/(N+1) the verdict says that it rests on the fitted tail.
 */

export interface NullModelScore {
  id: string;
  score: number;
  /** Matches out of `trials` (for match-rate methods), when known. */
  matches?: number;
}

export interface VerdictRequest {
  score: number;
  /** The suspect's match count out of `trials` (match-rate methods). */
  matches?: number;
  trials?: number;
  nullScores: readonly NullModelScore[];
  /** False-accusation level (default 1e-3). */
  level?: number;
  /** Fewest null models a verdict is given with (default 20). */
  minNull?: number;
}

export type Decision = 'derived' | 'not-derived' | 'insufficient-null';

export interface Verdict {
  decision: Decision;
  level: number;
  score: number;
  pEmpirical: number;
  pParametric: number | null;
  model: { kind: 'beta-binomial'; a: number; b: number; trials: number } | { kind: 'beta'; a: number; b: number } | null;
  nullSize: number;
  nullMax: number;
  /** 'empirical' when 1/(N+1) ≤ level, else the decision leans on the fitted tail. */
  supportedBy: 'empirical' | 'parametric-tail' | 'none';
  /** The verdict in plain words, for reports. */
  explanation: string;
}

// ---- special functions ------------------------------------------------------------------------

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** log Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const logBeta = (a: number, b: number): number => logGamma(a) + logGamma(b) - logGamma(a + b);

/** P(K ≥ k) for K ~ BetaBinomial(n, a, b), summed in log space. */
export function betaBinomialTail(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const lb = logBeta(a, b);
  const logC = (j: number) => logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1);
  const terms: number[] = [];
  for (let j = k; j <= n; j++) terms.push(logC(j) + logBeta(j + a, n - j + b) - lb);
  const m = Math.max(...terms);
  return Math.min(1, Math.exp(m) * terms.reduce((s, t) => s + Math.exp(t - m), 0));
}

/** P(X ≥ x) for X ~ Beta(a, b), by Simpson integration of the density on [x, 1] (adequate for a, b ≥ 0.05). */
export function betaTail(x: number, a: number, b: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const lb = logBeta(a, b);
  // Substitute t = 1 − s^(1/b): the (1 − t)^(b−1) factor and dt cancel to 1/b, removing the singularity at t = 1.
  const steps = 2000;
  const upper = Math.pow(1 - x, b); // s ranges over [0, (1−x)^b]
  const f = (s: number) => Math.exp((a - 1) * Math.log(1 - Math.pow(s, 1 / b)) - lb) / b; // s = 0 ↔ t = 1
  const h = upper / steps;
  let sum = f(0) + f(upper);
  for (let i = 1; i < steps; i++) sum += f(i * h) * (i % 2 ? 4 : 2);
  return Math.min(1, Math.max(0, (sum * h) / 3));
}

// ---- fitting ------------------------------------------------------------------------------------

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.length > 1 ? xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) : 0;
};

/** Beta-binomial by moments on match counts out of n, with a half pseudo-count on the mean. */
export function fitBetaBinomial(counts: number[], n: number): { a: number; b: number } {
  const p = (counts.reduce((s, k) => s + k, 0) + 0.5) / (counts.length * n + 1);
  const s2 = variance(counts.map((k) => k / n));
  // Var(K/n) = p(1−p)/n · (1 + (n−1)ρ), ρ = 1/(a+b+1); clamp ρ into (0, 1).
  const rho = n > 1 ? Math.min(0.999, Math.max(1e-6, ((s2 * n) / (p * (1 - p)) - 1) / (n - 1))) : 0.5;
  const total = 1 / rho - 1;
  return { a: p * total, b: (1 - p) * total };
}

/** Beta by moments on scores in [0,1], with the same pseudo-count idea (scores pulled 1/(2N) inwards). */
export function fitBeta(scores: number[]): { a: number; b: number } {
  const eps = 1 / (2 * scores.length);
  const xs = scores.map((s) => Math.min(1 - eps, Math.max(eps, s)));
  const m = mean(xs);
  const v = Math.max(variance(xs), 1e-6);
  const common = Math.max(1e-3, (m * (1 - m)) / v - 1);
  return { a: m * common, b: (1 - m) * common };
}

// ---- the verdict --------------------------------------------------------------------------------

/**
 * A method score as (matches, trials) when it is exactly a match rate over per-trigger flags (then the
 * verdict can fit a beta-binomial to counts); {} otherwise (e.g. GanFinger's ARD, a beta on scores).
 */
export function matchCounts(s: { score: number; matches?: Uint8Array }): { matches?: number; trials?: number } {
  if (!s.matches || s.matches.length === 0) return {};
  const matched = s.matches.reduce((a, b) => a + b, 0);
  return Math.abs(s.score - matched / s.matches.length) < 1e-12 ? { matches: matched, trials: s.matches.length } : {};
}

export function verdict(req: VerdictRequest): Verdict {
  const level = req.level ?? 1e-3;
  const minNull = req.minNull ?? 20;
  if (!(level > 0 && level < 1)) throw new Error(`verdict: level must be in (0, 1), got ${level}`);
  if (!Number.isFinite(req.score)) throw new Error(`verdict: score must be a finite number, got ${req.score}`);
  const nulls = req.nullScores;
  const N = nulls.length;
  const nullMax = N ? Math.max(...nulls.map((x) => x.score)) : NaN;
  const pEmpirical = (1 + nulls.filter((x) => x.score >= req.score).length) / (N + 1);
  const pct = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));
  if (N < minNull) {
    return {
      decision: 'insufficient-null', level, score: req.score, pEmpirical, pParametric: null, model: null, nullSize: N, nullMax, supportedBy: 'none',
      explanation: `No verdict: the null has ${N} innocent models and at least ${minNull} are needed to estimate how often an innocent model scores this high.`,
    };
  }
  const counted = req.trials !== undefined && req.matches !== undefined && nulls.every((x) => x.matches !== undefined);
  let pParametric: number;
  let model: Verdict['model'];
  if (counted) {
    const n = req.trials!;
    const fit = fitBetaBinomial(nulls.map((x) => x.matches!), n);
    model = { kind: 'beta-binomial', ...fit, trials: n };
    pParametric = betaBinomialTail(req.matches!, n, fit.a, fit.b);
  } else {
    const fit = fitBeta(nulls.map((x) => x.score));
    model = { kind: 'beta', ...fit };
    pParametric = betaTail(req.score, fit.a, fit.b);
  }
  const aboveAll = req.score > nullMax;
  const supportedBy = 1 / (N + 1) <= level ? 'empirical' : 'parametric-tail';
  const derived = pParametric <= level && aboveAll && (supportedBy === 'parametric-tail' || pEmpirical <= level);
  const basis =
    supportedBy === 'empirical'
      ? `${N} innocent models support the level directly`
      : `with ${N} innocent models the smallest empirical p-value is ${pct(1 / (N + 1))}, so the decision at ${pct(level)} rests on the fitted ${model.kind} tail`;
  const explanation = derived
    ? `Derived: the suspect scores ${req.score.toFixed(3)}, above all ${N} innocent models (highest ${nullMax.toFixed(3)}); the probability that an innocent model scores this high is estimated at ${pct(pParametric)} (${model.kind} fit), below the chosen false-accusation level ${pct(level)}; ${basis}.`
    : `Not shown to be derived at false-accusation level ${pct(level)}: the suspect scores ${req.score.toFixed(3)}; ${aboveAll ? '' : `${nulls.filter((x) => x.score >= req.score).length} of ${N} innocent models score as high or higher; `}estimated probability for an innocent model ${pct(pParametric)} (${model.kind} fit), empirical ${pct(pEmpirical)}.`;
  return { decision: derived ? 'derived' : 'not-derived', level, score: req.score, pEmpirical, pParametric, model, nullSize: N, nullMax, supportedBy, explanation };
}
