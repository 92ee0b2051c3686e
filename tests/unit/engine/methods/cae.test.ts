import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cae, CAE_DEFAULTS, resolveCaeParams } from '../../../../src/main/engine/methods/cae.ts';
import { modelLabels } from '../../../../src/main/engine/methods/common.ts';
import type { GenerateContext } from '../../../../src/main/engine/methods/types.ts';
import { makeFixture, median, tf, type Fixture, type Pools } from './helpers.ts';

let fx: Fixture;
let pools: Pools;
beforeAll(async () => {
  fx = await makeFixture();
  pools = await fx.pools();
}, 120_000);
afterAll(() => fx?.cleanup());

const ctxOf = (seed: number, extra: Partial<GenerateContext> = {}): GenerateContext => ({ ...fx.ctx(seed), pools, ...extra });
const small = { n: 16, candidates: 32, iterations: 60 };
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

describe('cae', () => {
  it('makes targeted examples that fool the source and confer more than plain adversarial examples', async () => {
    const progress: number[] = [];
    const set = await cae.generate(ctxOf(7, { onProgress: (p) => progress.push(p.done) }), small);
    expect(set.params).toEqual({ ...CAE_DEFAULTS, ...small });
    expect(set.labels.length).toBe(16);
    expect(set.inputs.length).toBe(16 * 784);
    expect(set.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(set.pools.positives).toEqual(pools.positives.map((m) => m.sha256));
    expect(set.pools.negatives).toEqual(pools.negatives.map((m) => m.sha256));
    expect(progress.length).toBeGreaterThan(0);
    // Within ε of the clean base (plus float slack), labels are the source's own on the stored bytes.
    const data = fx.ctx(7).data;
    const base = set.aux.base as Int32Array;
    let dmax = 0;
    base.forEach((d, r) => {
      for (let i = 0; i < 784; i++) dmax = Math.max(dmax, Math.abs(set.inputs[r * 784 + i] - data.images[d * 784 + i]));
    });
    expect(dmax).toBeLessThanOrEqual(CAE_DEFAULTS.epsilon + 1e-6);
    expect(modelLabels(fx.source.model, set.inputs, 16, [28, 28, 1])).toEqual(set.labels);
    // Defining property 1: every trigger fools the source (≠ the base's class), nearly all into the target.
    const cls = set.aux.baseClass as Int32Array;
    const target = set.aux.target as Int32Array;
    expect(Array.from(set.labels).every((l, r) => l !== cls[r])).toBe(true);
    expect(Array.from(set.labels).filter((l, r) => l === target[r]).length).toBeGreaterThanOrEqual(14);
    // Defining property 2: conferrability (on the generation pool) beats plain targeted adversarial examples
    // against the source alone (alpha = 0; same bases and targets, no selection).
    const plain = await cae.generate(ctxOf(7), { ...small, candidates: 16, alpha: 0 });
    const caeC = mean(set.aux.conferrability);
    const plainC = mean(plain.aux.conferrability);
    console.log(
      `cae: conferrability mean ${caeC.toFixed(3)} (median ${median(set.aux.conferrability).toFixed(3)}), plain targeted ${plainC.toFixed(3)}; ` +
        `passed ${mean(set.aux.passed) * 16}/16; pos agreement ${mean(set.aux.positiveAgreement).toFixed(2)}, neg agreement ${mean(set.aux.negativeAgreement).toFixed(2)} ` +
        `(plain: ${mean(plain.aux.positiveAgreement).toFixed(2)}, ${mean(plain.aux.negativeAgreement).toFixed(2)})`,
    );
    expect(caeC).toBeGreaterThan(plainC + 0.1);
    expect(mean(set.aux.negativeAgreement)).toBeLessThan(mean(plain.aux.negativeAgreement));

    // Scores: the source matches everything; the held-out pirate beats an independent model.
    const self = await cae.score(set, fx.suspect(fx.source, true));
    const pirate = await cae.score(set, fx.suspect(await fx.pirate(), true));
    const other = await cae.score(set, fx.suspect(fx.innocent, true));
    console.log(`cae scores: source ${self.score}, pirate ${pirate.score}, independent ${other.score}`);
    expect(self.score).toBe(1);
    expect(self.queries).toBe(16);
    expect(self.matches!.length).toBe(16);
    expect(pirate.score).toBeGreaterThan(other.score);
    expect(other.score).toBeLessThan(self.score);
    expect(other.queries).toBe(16);
  });

  it('is seeded: same seed → identical bytes and labels; another seed → other bases; random targets work', async () => {
    const p = { n: 4, candidates: 6, iterations: 8, modelsPerStep: 2 };
    const a = await cae.generate(ctxOf(3), p);
    const b = await cae.generate(ctxOf(3), p);
    const c = await cae.generate(ctxOf(4), p);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(b.labels).toEqual(a.labels);
    expect(b.aux).toEqual(a.aux);
    expect(c.aux.base).not.toEqual(a.aux.base);
    const r = await cae.generate(ctxOf(3), { ...p, target: 'random' });
    const t = r.aux.target as Int32Array;
    expect(Array.from(t).every((x, i) => x !== (r.aux.baseClass as Int32Array)[i])).toBe(true);
  });

  it('leaves no tensors behind', async () => {
    const p = { n: 2, candidates: 3, iterations: 3 };
    await cae.generate(ctxOf(1), p); // warm up lazily created kernels/weights
    const before = tf.memory().numTensors;
    const set = await cae.generate(ctxOf(1), p);
    await cae.score(set, fx.suspect(fx.innocent));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad params naming the field, needs pools, honours the abort signal', async () => {
    expect(() => resolveCaeParams({ epsilon: 0 })).toThrow('cae.epsilon: expected a number > 0 and <= 1, got 0');
    expect(() => resolveCaeParams({ n: 10, candidates: 5 })).toThrow(/^cae\.candidates: expected an integer >= 10/);
    expect(() => resolveCaeParams({ threshold: 1.5 })).toThrow(/^cae\.threshold: expected a number >= 0 and <= 1/);
    expect(() => resolveCaeParams({ modelsPerStep: -1 })).toThrow(/^cae\.modelsPerStep:/);
    expect(() => resolveCaeParams({ target: 'least' as never })).toThrow(/^cae\.target: expected one of/);
    expect(() => resolveCaeParams({ bogus: 1 } as never)).toThrow(/^cae\.bogus: unknown parameter/);
    await expect(cae.generate(ctxOf(1), { lr: -1 })).rejects.toThrow('cae.lr');
    await expect(cae.generate(fx.ctx(1), { n: 2, candidates: 2 })).rejects.toThrow(/cae: needs a generation pool with positives and negatives/);
    const ac = new AbortController();
    ac.abort();
    await expect(cae.generate(ctxOf(1, { signal: ac.signal }), { n: 2, candidates: 2 })).rejects.toThrow(/cancelled/);
  });
});
