import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METAFINGER_DEFAULTS, metafinger, resolveMetafingerParams } from '../../../../src/main/engine/methods/metafinger.ts';
import { modelLabels } from '../../../../src/main/engine/methods/common.ts';
import type { GenerateContext } from '../../../../src/main/engine/methods/types.ts';
import { makeFixture, tf, type Fixture, type Pools } from './helpers.ts';

let fx: Fixture;
let pools: Pools;
beforeAll(async () => {
  fx = await makeFixture();
  pools = await fx.pools();
});
afterAll(() => fx?.cleanup());

const ctx = (seed: number): GenerateContext => ({ ...fx.ctx(seed), pools });
const small = { n: 12, batch: 24, rounds: 2, epochs: 6, stepsPerEpoch: 4, selectAfter: 2 };
const shape: [number, number, number] = [28, 28, 1];

describe('metafinger', () => {
  it('keeps triggers agreed on by every validation positive and no validation negative; the pirate scores above the innocent', async () => {
    const progress: number[] = [];
    const set = await metafinger.generate({ ...ctx(7), onProgress: (p) => progress.push(p.done) }, small);
    expect(set.params).toEqual({ ...METAFINGER_DEFAULTS, ...small });
    expect(set.labels.length).toBe(12);
    expect(set.inputs.length).toBe(12 * 784);
    expect(set.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(set.pools).toEqual({ positives: pools.positives.map((m) => m.sha256), negatives: pools.negatives.map((m) => m.sha256) });
    expect(progress.length).toBeGreaterThan(0);
    // Labels are the source's own answers on the stored bytes.
    expect(modelLabels(fx.source.model, set.inputs, 12, shape)).toEqual(set.labels);

    // The split as recorded: 3 per side → 1 validation member (role 1), 2 meta-train (role 0).
    const posRole = Array.from(set.aux.positiveRole.subarray(0, 3));
    const negRole = Array.from(set.aux.negativeRole.subarray(0, 3));
    expect(posRole.filter((r) => r === 1).length).toBe(1);
    expect(negRole.filter((r) => r === 1).length).toBe(1);
    const valPos = pools.positives.filter((_, i) => posRole[i] !== 0);
    const valNeg = pools.negatives.filter((_, i) => negRole[i] !== 0);
    const passed = set.aux.passed as Int32Array;
    const nPassed = passed.reduce((s, f) => s + f, 0);
    console.log(`metafinger: ${set.aux.candidatesPassed[0]} of ${set.aux.candidates[0]} candidates passed; ${nPassed} of 12 kept triggers passed`);
    expect(nPassed).toBeGreaterThanOrEqual(6);
    const posLabels = valPos.map((m) => modelLabels(m.model, set.inputs, 12, shape));
    const negLabels = valNeg.map((m) => modelLabels(m.model, set.inputs, 12, shape));
    for (let r = 0; r < 12; r++) {
      if (!passed[r]) continue;
      for (const l of posLabels) expect(l[r]).toBe(set.labels[r]);
      for (const l of negLabels) expect(l[r]).not.toBe(set.labels[r]);
    }
    // Passing triggers come first.
    expect(Array.from(passed)).toEqual(Array.from(passed).slice().sort((a, b) => b - a));

    const self = await metafinger.score(set, fx.suspect(fx.source, true));
    const innocent = await metafinger.score(set, fx.suspect(fx.innocent, true));
    const pirate = await metafinger.score(set, fx.suspect(await fx.pirate(), true));
    const onPassed = (s: typeof self) => `${s.details!.matched_passed}/${s.details!.passed}`;
    console.log(`metafinger scores: source ${self.score}, pirate ${pirate.score.toFixed(3)} (passed triggers ${onPassed(pirate)}), innocent ${innocent.score.toFixed(3)} (passed triggers ${onPassed(innocent)})`);
    expect(self.score).toBe(1);
    expect(self.queries).toBe(12);
    expect(self.matches!.length).toBe(12);
    expect(innocent.score).toBeLessThan(self.score);
    expect(pirate.score).toBeGreaterThan(innocent.score);
  });

  it('is seeded: same seed → identical bytes and labels; another seed → other bases', async () => {
    const p = { ...small, n: 4, batch: 6, rounds: 1, epochs: 3, stepsPerEpoch: 2, selectAfter: 1 };
    const a = await metafinger.generate(ctx(3), p);
    const b = await metafinger.generate(ctx(3), p);
    const c = await metafinger.generate(ctx(4), p);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(b.labels).toEqual(a.labels);
    expect(b.aux).toEqual(a.aux);
    expect(Array.from(c.aux.base).sort()).not.toEqual(Array.from(a.aux.base).sort());
  });

  it("the 'margin' objective keeps the same contract", async () => {
    const set = await metafinger.generate(ctx(5), { ...small, n: 6, batch: 12, rounds: 1, loss: 'margin' });
    expect(set.params.loss).toBe('margin');
    expect(modelLabels(fx.source.model, set.inputs, 6, shape)).toEqual(set.labels);
    expect((await metafinger.score(set, fx.suspect(fx.source, true))).score).toBe(1);
    const passed = set.aux.passed as Int32Array;
    const valNeg = pools.negatives.filter((_, i) => set.aux.negativeRole[i] !== 0);
    const negLabels = valNeg.map((m) => modelLabels(m.model, set.inputs, 6, shape));
    passed.forEach((f, r) => f && negLabels.forEach((l) => expect(l[r]).not.toBe(set.labels[r])));
  });

  it('leaves no tensors behind', async () => {
    const p = { n: 2, batch: 3, rounds: 1, epochs: 2, stepsPerEpoch: 2, selectAfter: 1 };
    await metafinger.generate(ctx(1), p); // warm up lazily created kernels/weights
    await metafinger.generate(ctx(1), { ...p, loss: 'margin' });
    const before = tf.memory().numTensors;
    const set = await metafinger.generate(ctx(1), p);
    await metafinger.generate(ctx(1), { ...p, loss: 'margin' });
    await metafinger.score(set, fx.suspect(fx.innocent));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad params naming the field, needs both pools, honours the abort signal', async () => {
    expect(() => resolveMetafingerParams({ lr: 0 })).toThrow('metafinger.lr: expected a number > 0, got 0');
    expect(() => resolveMetafingerParams({ n: 1.5 })).toThrow(/^metafinger\.n: expected an integer >= 1/);
    expect(() => resolveMetafingerParams({ valFraction: 0.9 })).toThrow(/^metafinger\.valFraction: expected a number > 0 and <= 0.5/);
    expect(() => resolveMetafingerParams({ selectAfter: 10 })).toThrow(/^metafinger\.selectAfter: expected an integer >= 0 and <= 9/);
    expect(() => resolveMetafingerParams({ augment: 'flip' as never })).toThrow(/^metafinger\.augment: expected one of/);
    expect(() => resolveMetafingerParams({ loss: 'ce' as never })).toThrow(/^metafinger\.loss: expected one of "kl", "margin"/);
    expect(() => resolveMetafingerParams({ n: 50, batch: 10, rounds: 4 })).toThrow(/^metafinger\.rounds: batch × rounds = 40 candidates cannot give n = 50/);
    expect(() => resolveMetafingerParams({ bogus: 1 } as never)).toThrow(/^metafinger\.bogus: unknown parameter/);
    await expect(metafinger.generate(ctx(1), { sample: 0 })).rejects.toThrow('metafinger.sample');
    await expect(metafinger.generate(fx.ctx(1), { n: 2 })).rejects.toThrow(/metafinger: needs a generation pool with positives and negatives/);
    await expect(metafinger.generate({ ...ctx(1), pools: { positives: pools.positives, negatives: [] } }, { n: 2 })).rejects.toThrow(/with negatives/);
    const ac = new AbortController();
    ac.abort();
    await expect(metafinger.generate({ ...ctx(1), signal: ac.signal }, { n: 2 })).rejects.toThrow(/cancelled/);
  });
});
