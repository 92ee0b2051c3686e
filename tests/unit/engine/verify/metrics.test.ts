import { describe, expect, it } from 'vitest';
import { auc, aruc, mannWhitneyAuc, roc, rocSvg, scoreHistogramSvg, tprAtFpr } from '../../../../src/main/engine/verify/metrics.ts';

/** Deterministic uniform [0,1) stream (LCG) for the randomised cross-checks. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every tag closes in order (enough to call the string well-formed XML for our generator). */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (!m[1]) stack.push(m[2]);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0 && !/&(?!(lt|gt|amp|quot|apos);)/.test(svg);
}

describe('roc / auc', () => {
  it('hand-computed example with ties', () => {
    const pos = [0.9, 0.5, 0.5];
    const neg = [0.5, 0.1];
    expect(roc(pos, neg)).toEqual([
      { fpr: 0, tpr: 0, threshold: Infinity },
      { fpr: 0, tpr: 1 / 3, threshold: 0.9 },
      { fpr: 0.5, tpr: 1, threshold: 0.5 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ]);
    expect(auc(pos, neg)).toBeCloseTo(5 / 6, 12);
    expect(mannWhitneyAuc(pos, neg)).toBeCloseTo(5 / 6, 12);
  });

  it('all tied → 0.5 (one diagonal step)', () => {
    expect(roc([0.3, 0.3], [0.3])).toEqual([
      { fpr: 0, tpr: 0, threshold: Infinity },
      { fpr: 1, tpr: 1, threshold: 0.3 },
    ]);
    expect(auc([0.3, 0.3], [0.3])).toBe(0.5);
  });

  it('perfect separation → AUC 1; reversed → 0', () => {
    expect(auc([0.9, 0.8, 1], [0.1, 0.2, 0.7])).toBe(1);
    expect(auc([0.1, 0.2], [0.9, 0.8])).toBe(0);
  });

  it('identical distributions → 0.5', () => {
    const xs = [0.1, 0.2, 0.2, 0.4, 0.7, 0.9];
    expect(auc(xs, xs)).toBeCloseTo(0.5, 12);
    const r = rng(7);
    const a = Array.from({ length: 2000 }, r);
    const b = Array.from({ length: 2000 }, r);
    expect(Math.abs(auc(a, b) - 0.5)).toBeLessThan(0.03);
  });

  it('trapezoid AUC equals Mann–Whitney U with ties counted ½ (randomised, heavy ties)', () => {
    const r = rng(11);
    for (let trial = 0; trial < 50; trial++) {
      const pos = Array.from({ length: 1 + Math.floor(r() * 40) }, () => Math.round((r() * 0.6 + 0.3) * 10) / 10);
      const neg = Array.from({ length: 1 + Math.floor(r() * 40) }, () => Math.round(r() * 0.8 * 10) / 10);
      expect(auc(pos, neg)).toBeCloseTo(mannWhitneyAuc(pos, neg), 12);
    }
  });

  it('rejects empty and non-finite inputs', () => {
    expect(() => roc([], [0.1])).toThrow(/positives is empty/);
    expect(() => auc([0.1], [])).toThrow(/negatives is empty/);
    expect(() => auc([0.1, NaN], [0.2])).toThrow(/positives\[1\] is not a finite number/);
    expect(() => aruc([0.1], [Infinity])).toThrow(/negatives\[0\]/);
    expect(() => tprAtFpr([0.1], [0.2], 1.5)).toThrow(/maxFpr/);
  });
});

describe('tprAtFpr', () => {
  it('hand-computed: largest TPR with FPR ≤ max, and the achieved FPR', () => {
    const pos = [0.9, 0.5, 0.5];
    const neg = [0.5, 0.1];
    expect(tprAtFpr(pos, neg, 0.4)).toEqual({ tpr: 1 / 3, fpr: 0, threshold: 0.9 });
    expect(tprAtFpr(pos, neg, 0.5)).toEqual({ tpr: 1, fpr: 0.5, threshold: 0.5 });
    expect(tprAtFpr(pos, neg, 0)).toEqual({ tpr: 1 / 3, fpr: 0, threshold: 0.9 });
  });

  it('perfect separation → TPR 1 at 1% FPR', () => {
    expect(tprAtFpr([0.9, 0.95, 1], [0.1, 0.2], 0.01)).toEqual({ tpr: 1, fpr: 0, threshold: 0.9 });
  });

  it('the 1/N floor: with 50 negatives the achieved FPR at a 1% bound is 0', () => {
    const neg = Array.from({ length: 50 }, (_, i) => i / 100); // 0 … 0.49
    const pos = [0.3, 0.45, 0.6, 0.7];
    const r = tprAtFpr(pos, neg, 0.01);
    expect(r.fpr).toBe(0);
    expect(r.tpr).toBe(0.5);
    const r10 = tprAtFpr(pos, neg, 0.1); // 5 negatives (0.45 … 0.49) may be above the threshold
    expect(r10.fpr).toBeCloseTo(0.1, 12);
    expect(r10.tpr).toBe(0.75);
  });
});

describe('aruc', () => {
  it('hand-computed example with ties', () => {
    // R(t) = #{pos ≥ t}/3, U(t) = #{neg < t}/2: min is ½ on (0.1, 0.5] and ⅓ on (0.5, 0.9].
    expect(aruc([0.9, 0.5, 0.5], [0.5, 0.1])).toBeCloseTo(0.5 * 0.4 + (1 / 3) * 0.4, 12);
  });

  it('perfect separation: 1 for scores 1 vs 0, else at least the width of the gap', () => {
    expect(aruc([1, 1, 1], [0, 0])).toBe(1);
    expect(aruc([0.95, 0.95], [0.05, 0.05, 0.05])).toBeCloseTo(0.9, 12);
    // Gap (0.05, 0.95] gives 0.9; plus ⅓·0.02 + ⅔·0.03 below it and ⅔·0.05 above it.
    expect(aruc([1, 0.95, 1], [0, 0.02, 0.05])).toBeCloseTo(0.9 + 0.02 / 3 + 0.02 + 0.1 / 3, 12);
  });

  it('identical or reversed distributions score low', () => {
    expect(aruc([0.5], [0.5])).toBe(0);
    expect(aruc([0.1, 0.2], [0.8, 0.9])).toBe(0);
    const xs = [0.1, 0.3, 0.5, 0.7, 0.9];
    expect(aruc(xs, xs)).toBeLessThan(0.5);
  });

  it('matches a brute-force integration on a fine grid', () => {
    const r = rng(3);
    const pos = Array.from({ length: 30 }, () => 0.4 + 0.6 * r());
    const neg = Array.from({ length: 30 }, () => 0.6 * r());
    const steps = 200_000;
    let area = 0;
    for (let k = 0; k < steps; k++) {
      const t = (k + 0.5) / steps;
      const rob = pos.filter((s) => s >= t).length / pos.length;
      const uni = neg.filter((s) => s < t).length / neg.length;
      area += Math.min(rob, uni) / steps;
    }
    expect(aruc(pos, neg)).toBeCloseTo(area, 4);
  });
});

describe('SVG', () => {
  it('rocSvg: one polyline per curve, legend, escaped names, well-formed', () => {
    const curves = [
      { name: 'ipguard', points: roc([0.9, 0.8], [0.1, 0.85]) },
      { name: 'cae <fast> & "x"', points: roc([0.6, 0.7], [0.5, 0.4]) },
    ];
    const svg = rocSvg(curves, { title: 'MNIST suite' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('MNIST suite');
    expect(svg).toContain('ipguard (AUC 0.750)');
    expect(svg).toContain('cae &lt;fast&gt; &amp; &quot;x&quot; (AUC 1.000)');
    expect(svg).not.toContain('Infinity');
    expect(wellFormed(svg)).toBe(true);
    expect(rocSvg(curves, { title: 'MNIST suite' })).toBe(svg);
    expect(() => rocSvg([])).toThrow(/no curves/);
  });

  it('scoreHistogramSvg: bars for both groups, well-formed', () => {
    const svg = scoreHistogramSvg([0.9, 0.95, 1, 0.2], [0, 0.1, 0.15], { title: 'scores', bins: 10 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('positives (4)');
    expect(svg).toContain('negatives (3)');
    expect(svg.match(/fill-opacity/g)!.length).toBeGreaterThanOrEqual(4);
    expect(wellFormed(svg)).toBe(true);
    expect(() => scoreHistogramSvg([], [0])).toThrow(/positives is empty/);
  });
});
