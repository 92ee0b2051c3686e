import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANAFP_DEFAULTS, anafp, chooseLambda, lambdaGrid, resolveAnafpParams, type GridStats } from '../../../../src/main/engine/methods/anafp.ts';
import { modelLabels } from '../../../../src/main/engine/methods/common.ts';
import type { GenerateContext, TriggerSet } from '../../../../src/main/engine/methods/types.ts';
import { makeFixture, median, tf, type Fixture } from './helpers.ts';

let fx: Fixture;
let pooled: (seed: number) => Promise<GenerateContext>;
beforeAll(async () => {
  fx = await makeFixture();
  pooled = async (seed) => ({ ...fx.ctx(seed), pools: await fx.pools() });
});
afterAll(() => fx?.cleanup());

const small = { n: 24, grid: 31, lambdaMax: 4 };

describe('anafp', () => {
  let set: TriggerSet;

  it('stretches DeepFool points to a λ inside the pool-derived admissible interval; the source says t on every trigger', async () => {
    const progress: string[] = [];
    set = await anafp.generate({ ...(await pooled(7)), onProgress: (p) => progress.push(p.message ?? '') }, small);
    expect(set.params).toEqual({ ...ANAFP_DEFAULTS, ...small });
    expect(set.labels.length).toBe(24);
    expect(set.inputs.length).toBe(24 * 784);
    expect(set.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(set.pools.positives.length).toBe(3);
    expect(set.pools.negatives.length).toBe(3);
    expect(progress.some((m) => m.startsWith('deepfool'))).toBe(true);
    expect(progress.some((m) => m.startsWith('grid search'))).toBe(true);
    const { lambda, lambdaLow, lambdaHigh, admissible, target, q, reached, margin, posAgree, negAgree, deltaNorm } = set.aux as Record<string, Float32Array>;
    // The defining property: λ ∈ [lambdaLow, lambdaHigh] wherever the interval is non-empty; the rest flagged.
    const grid = lambdaGrid(small).map(Math.fround);
    let nAdm = 0;
    for (let r = 0; r < 24; r++) {
      expect(grid).toContain(lambda[r]);
      expect(lambda[r]).toBeGreaterThanOrEqual(1);
      expect(q[r]).toBeCloseTo(ANAFP_DEFAULTS.q, 6);
      expect(admissible[r] === 0 || admissible[r] === 1).toBe(true);
      if (admissible[r]) {
        nAdm++;
        expect(lambdaLow[r]).toBeLessThanOrEqual(lambda[r]);
        expect(lambda[r]).toBeLessThanOrEqual(lambdaHigh[r]);
      }
    }
    // The source labels every stored trigger t (λ ≥ 1 past the DeepFool point), and recorded labels are its answers.
    expect(Array.from(reached).every((v) => v === 1)).toBe(true);
    expect(Array.from(set.labels)).toEqual(Array.from(target));
    expect(Array.from(modelLabels(fx.source.model, set.inputs, 24, [28, 28, 1]))).toEqual(Array.from(set.labels));
    expect(Array.from(margin).every((v) => v > 0)).toBe(true);
    console.log(
      `anafp: ${nAdm}/24 admissible; median ‖δ*‖₂ ${median(deltaNorm).toFixed(2)}, median λ ${median(lambda).toFixed(2)}, ` +
        `median source margin ${median(margin).toFixed(2)}, mean pool agreement pos ${mean(posAgree).toFixed(2)} / neg ${mean(negAgree).toFixed(2)}`,
    );
    expect(nAdm).toBeGreaterThan(0);
  });

  it('chooses λ inside the admissible run, flags an empty interval (synthetic grid statistics)', () => {
    // One trigger, 6 grid values. Robust where msrc > max(0, qPos); unique where msrc < qNeg.
    const stats = (msrc: number[], qPos: number[], qNeg: number[], pos: number[], neg: number[]): GridStats => ({
      msrc: Float64Array.from(msrc), qPos: Float64Array.from(qPos), qNeg: Float64Array.from(qNeg),
      posAgree: Float64Array.from(pos), negAgree: Float64Array.from(neg),
    });
    const qp = [1, 1, 1, 1, 1, 1];
    const qn = [5, 5, 5, 5, 5, 5];
    // Admissible at indices 2..4 (margin in (1, 5)); most feasible (pos − neg) at 3.
    const a = chooseLambda(stats([0.2, 0.8, 1.5, 3, 4.5, 6], qp, qn, [0.3, 0.6, 0.9, 1, 1, 1], [0, 0, 0.1, 0.1, 0.5, 1]), 0, 1, 6);
    expect(a).toEqual({ index: 3, low: 2, high: 4, admissible: true });
    // Robust only from index 3, unique only up to index 2: empty interval → flagged, λ by feasibility where the source says t.
    const b = chooseLambda(stats([0.2, 0.5, 0.9, 2, 3, 4], qp, [5, 5, 5, 1.5, 2, 2], [0.25, 0.5, 0.75, 0.75, 0.875, 1], [0, 0.125, 0.125, 0.5, 0.75, 1]), 0, 1, 6);
    expect(b).toEqual({ index: 2, low: 3, high: 2, admissible: false });
    // The source never says t: no robust value (low −1), λ = largest source margin.
    const c = chooseLambda(stats([-3, -2, -1, -0.5, -0.7, -0.9], qp, qn, [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]), 0, 1, 6);
    expect(c).toEqual({ index: 3, low: -1, high: 5, admissible: false });
  });

  it('scores the source 1, the held-out pirate above an independent model', async () => {
    const self = await anafp.score(set, fx.suspect(fx.source, true));
    const pirate = await anafp.score(set, fx.suspect(await fx.pirate(), true));
    const other = await anafp.score(set, fx.suspect(fx.innocent, true));
    console.log(`anafp scores: source ${self.score}, pirate ${pirate.score.toFixed(3)}, independent ${other.score.toFixed(3)}; admissible-only: pirate ${fmt(pirate.details?.matchRate_admissible)}, independent ${fmt(other.details?.matchRate_admissible)}`);
    expect(self.score).toBe(1);
    expect(self.queries).toBe(24);
    expect(pirate.queries).toBe(24);
    expect(pirate.score).toBeGreaterThan(other.score);
    expect(other.matches!.length).toBe(24);
  });

  it('is seeded: same seed → identical bytes and labels; another seed → other bases; random targets work', async () => {
    const p = { n: 4, grid: 6, maxIter: 20 };
    const a = await anafp.generate(await pooled(3), p);
    const b = await anafp.generate(await pooled(3), p);
    const c = await anafp.generate(await pooled(4), p);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(b.labels).toEqual(a.labels);
    expect(Buffer.from((b.aux.lambda as Float32Array).buffer).equals(Buffer.from((a.aux.lambda as Float32Array).buffer))).toBe(true);
    expect(c.aux.base).not.toEqual(a.aux.base);
    const r = await anafp.generate(await pooled(3), { ...p, target: 'random', shift: 'linf' });
    const base = r.aux.base as Int32Array;
    const ctx = fx.ctx(3);
    const imgs = new Float32Array(4 * 784);
    base.forEach((d, i) => imgs.set(ctx.data.images.subarray(d * 784, (d + 1) * 784), i * 784));
    const y = modelLabels(fx.source.model, imgs, 4, [28, 28, 1]);
    expect(Array.from(r.aux.target as Int32Array).every((t, i) => t !== y[i])).toBe(true);
  });

  it('leaves no tensors behind', async () => {
    const ctx = await pooled(1);
    await anafp.generate(ctx, { n: 2, grid: 3, maxIter: 3 }); // warm up lazily created kernels/weights
    const before = tf.memory().numTensors;
    const s = await anafp.generate(ctx, { n: 3, grid: 4, maxIter: 5 });
    await anafp.score(s, fx.suspect(fx.innocent));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad params naming the field, needs both pools, honours the abort signal', async () => {
    expect(() => resolveAnafpParams({ q: 0.3 })).toThrow('anafp.q: expected a number >= 0.5 and <= 1, got 0.3');
    expect(() => resolveAnafpParams({ n: 1.5 })).toThrow(/^anafp\.n: expected an integer >= 1/);
    expect(() => resolveAnafpParams({ lambdaMax: 1 })).toThrow(/^anafp\.lambdaMax: expected a number > 1/);
    expect(() => resolveAnafpParams({ grid: 1 })).toThrow(/^anafp\.grid: expected an integer >= 2/);
    expect(() => resolveAnafpParams({ target: 'least' as never })).toThrow(/^anafp\.target: expected one of/);
    expect(() => resolveAnafpParams({ shift: 'l2' as never })).toThrow(/^anafp\.shift: expected one of/);
    expect(() => resolveAnafpParams({ bogus: 1 } as never)).toThrow(/^anafp\.bogus: unknown parameter/);
    await expect(anafp.generate(await pooled(1), { q: 2 })).rejects.toThrow('anafp.q');
    await expect(anafp.generate(fx.ctx(1), { n: 2 })).rejects.toThrow(/needs a generation pool with positives and negatives/);
    const ac = new AbortController();
    ac.abort();
    await expect(anafp.generate({ ...(await pooled(1)), signal: ac.signal }, { n: 2 })).rejects.toThrow(/cancelled/);
    // Cancelled mid-way (during DeepFool, and during the grid search).
    for (const stage of ['deepfool', 'grid search']) {
      const mid = new AbortController();
      const ctx = { ...(await pooled(1)), signal: mid.signal, onProgress: (p: { message?: string }) => p.message?.startsWith(stage) && mid.abort() };
      await expect(anafp.generate(ctx, { n: 2, grid: 40 })).rejects.toThrow('anafp: cancelled');
    }
  });
});

function mean(a: ArrayLike<number>): number {
  return Array.from(a).reduce((s, v) => s + v, 0) / a.length;
}

function fmt(v: unknown): string {
  return typeof v === 'number' ? v.toFixed(3) : String(v);
}
