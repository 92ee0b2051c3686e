import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../src/main/engine/data/random.ts';
import { betaBinomialTail, betaTail, fitBetaBinomial, logGamma, verdict, type NullModelScore } from '../../../../src/main/engine/verify/verdict.ts';

/** K ~ BetaBinomial(n, 2, 8): p = 2nd smallest of 9 uniforms (a Beta(2, 8) draw), then n Bernoulli(p). */
function drawCounts(count: number, n: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const u = Array.from({ length: 9 }, () => rng.next()).sort((x, y) => x - y);
    let k = 0;
    for (let t = 0; t < n; t++) k += rng.next() < u[1] ? 1 : 0;
    return k;
  });
}
const asNull = (counts: number[], n: number): NullModelScore[] => counts.map((k, i) => ({ id: `neg-${i}`, score: k / n, matches: k }));

describe('special functions', () => {
  it('logGamma, the beta-binomial and beta tails match closed forms', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
    // BetaBinomial(n, 1, 1) is uniform on 0..n.
    for (const k of [0, 1, 7, 20, 21]) expect(betaBinomialTail(k, 20, 1, 1)).toBeCloseTo(k > 20 ? 0 : (20 - k + 1) / 21, 10);
    for (const x of [0.1, 0.5, 0.9]) {
      expect(betaTail(x, 1, 1)).toBeCloseTo(1 - x, 6);
      expect(betaTail(x, 2, 1)).toBeCloseTo(1 - x * x, 6);
      expect(betaTail(x, 1, 3)).toBeCloseTo((1 - x) ** 3, 6);
    }
  });

  it('fitBetaBinomial recovers the mean and over-dispersion of a known null', () => {
    const fit = fitBetaBinomial(drawCounts(4000, 100, 5), 100);
    expect(fit.a / (fit.a + fit.b)).toBeCloseTo(0.2, 2);
    expect(fit.a + fit.b).toBeGreaterThan(7);
    expect(fit.a + fit.b).toBeLessThan(13); // true a + b = 10
  });
});

describe('verdict', () => {
  const n = 100;
  const nullSet = asNull(drawCounts(40, n, 1), n);

  it('refuses when the null is too small, whatever the score', () => {
    const v = verdict({ score: 1, matches: n, trials: n, nullScores: nullSet.slice(0, 10) });
    expect(v.decision).toBe('insufficient-null');
    expect(v.explanation).toMatch(/10 innocent models and at least 20/);
    expect(v.pEmpirical).toBeCloseTo(1 / 11, 12);
  });

  it('says derived for a score far above the null, with the tail as its stated basis', () => {
    const v = verdict({ score: 0.95, matches: 95, trials: n, nullScores: nullSet });
    expect(v.decision).toBe('derived');
    expect(v.pEmpirical).toBeCloseTo(1 / 41, 12);
    expect(v.pParametric!).toBeLessThan(1e-3);
    expect(v.supportedBy).toBe('parametric-tail');
    expect(v.model!.kind).toBe('beta-binomial');
    expect(v.explanation).toMatch(/rests on the fitted beta-binomial tail/);
  });

  it('never says derived when an innocent model scores as high, even if the fitted tail is small', () => {
    const top = Math.max(...nullSet.map((x) => x.matches!));
    const v = verdict({ score: top / n, matches: top, trials: n, nullScores: nullSet, level: 0.5 });
    expect(v.decision).toBe('not-derived');
    expect(v.explanation).toMatch(/innocent models score as high or higher/);
  });

  it('is calibrated: fresh innocent models are accused at about the chosen level', () => {
    // Null of 40 from BetaBinomial(100, 2, 8); 2000 fresh innocents from the same law; level 0.05
    // (large enough to be measured here). Accusations need p ≤ level AND a score above the whole null,
    // so the rate may fall below the level, never far above it.
    const fresh = drawCounts(2000, n, 99);
    const accused = fresh.filter((k) => verdict({ score: k / n, matches: k, trials: n, nullScores: nullSet, level: 0.05 }).decision === 'derived').length;
    expect(accused / fresh.length).toBeLessThan(0.08);
    const pBelow = fresh.filter((k) => verdict({ score: k / n, matches: k, trials: n, nullScores: nullSet, level: 0.05 }).pParametric! <= 0.05).length / fresh.length;
    expect(pBelow).toBeGreaterThan(0.02);
    expect(pBelow).toBeLessThan(0.09);
  });

  it('fits a beta on scores when per-trigger counts are absent, and checks its inputs', () => {
    const scores = nullSet.map((x) => ({ id: x.id, score: x.score }));
    const v = verdict({ score: 0.9, nullScores: scores });
    expect(v.model!.kind).toBe('beta');
    expect(v.decision).toBe('derived');
    expect(verdict({ score: 0.2, nullScores: scores }).decision).toBe('not-derived');
    expect(() => verdict({ score: 0.5, nullScores: scores, level: 0 })).toThrow(/level must be in \(0, 1\)/);
    expect(() => verdict({ score: NaN, nullScores: scores })).toThrow(/score must be a finite number/);
  });
});

describe('suiteVerdicts', () => {
  it('counts leave-one-out false accusations and detections at the level', async () => {
    const { suiteVerdicts } = await import('../../../../src/main/engine/verify/evaluate.ts');
    const n = 100;
    const negs = drawCounts(30, n, 3).map((k, i) => ({ id: `n${i}`, role: 'negative' as const, family: 'x', score: k / n, matched: k, trials: n, queries: n, seconds: 0 }));
    const pos = [97, 90, 15].map((k, i) => ({ id: `p${i}`, role: 'positive' as const, family: 'y', score: k / n, matched: k, trials: n, queries: n, seconds: 0 }));
    const v = suiteVerdicts([...pos, ...negs]);
    expect(v).toMatchObject({ level: 1e-3, model: 'beta-binomial', negatives: 30, positives: 3, refused: 0, falseAccusations: 0 });
    expect(v.detections).toBe(2); // 0.97 and 0.90 are far above a Beta(2, 8) null; 0.15 is inside it
  });
});
