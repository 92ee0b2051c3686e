import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GANFINGER_DEFAULTS, ganfinger, ganfingerPoolSplit, resolveGanfingerParams } from '../../../../src/main/engine/methods/ganfinger.ts';
import { modelLabels } from '../../../../src/main/engine/methods/common.ts';
import { makeFixture, tf, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(() => fx?.cleanup());

// Tiny: 24 pairs, 80 G/D steps of 16 on the fixture's cnn, pools 3 + 3 (2 train + 1 validation per side).
const small = { n: 24, steps: 80, batchSize: 16 };
const SIZE = 28 * 28;

describe('ganfinger', () => {
  it('keeps pairs (x correct, x′ misclassified by the source and agreed on by the validation positives); source 1, pirate above innocent', async () => {
    const pools = await fx.pools();
    const progress: string[] = [];
    const ctx = { ...fx.ctx(7), pools, onProgress: (p: { message?: string }) => progress.push(p.message ?? '') };
    const set = await ganfinger.generate(ctx, small);
    expect(set.params).toEqual({ ...GANFINGER_DEFAULTS, ...small });
    expect(set.pools).toEqual({ positives: pools.positives.map((m) => m.sha256), negatives: pools.negatives.map((m) => m.sha256) });
    expect(set.source).toEqual({ sha256: fx.source.sha256, arch: 'cnn' });
    expect(progress.some((m) => m.startsWith('training G/D'))).toBe(true);
    expect(progress.some((m) => m.startsWith('selecting pairs'))).toBe(true);
    const n2 = set.labels.length;
    const pairs = n2 / 2;
    console.log(`ganfinger: ${progress[progress.length - 1]}`);
    expect(pairs).toBe(small.n);
    expect(set.inputs.length).toBe(n2 * SIZE);
    expect(set.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
    const kind = set.aux.kind as Int32Array;
    const pair = set.aux.pair as Int32Array;
    const base = set.aux.base as Int32Array;
    expect(Array.from(kind)).toEqual(Array.from({ length: n2 }, (_, r) => r % 2));
    expect(Array.from(pair)).toEqual(Array.from({ length: n2 }, (_, r) => r >> 1));
    expect(new Set(Array.from(base)).size).toBe(pairs); // one pair per original

    // The defining property, re-checked independently of the generator's own bookkeeping.
    const data = fx.ctx(7).data;
    const src = modelLabels(fx.source.model, set.inputs, n2, [28, 28, 1]);
    expect(Array.from(src)).toEqual(Array.from(set.labels)); // recorded labels are the source's answers
    const { pos } = ganfingerPoolSplit(pools, GANFINGER_DEFAULTS.validationShare, 7);
    expect(pos.val.length).toBe(1);
    expect(pos.train.length).toBe(2);
    const valLabels = pos.val.map((m) => modelLabels(m.model, set.inputs, n2, [28, 28, 1]));
    for (let i = 0; i < pairs; i++) {
      const [o, f] = [2 * i, 2 * i + 1];
      expect(base[o]).toBe(base[f]);
      expect(fx.splits.ownerTrain.indices.includes(base[o])).toBe(true);
      expect(Array.from(set.inputs.subarray(o * SIZE, (o + 1) * SIZE))).toEqual(Array.from(data.images.subarray(base[o] * SIZE, (base[o] + 1) * SIZE)));
      expect(src[o]).toBe(data.labels[base[o]]); // original: correct
      expect(src[f]).not.toBe(data.labels[base[o]]); // fingerprint: misclassified
      for (const v of valLabels) expect(v[f]).toBe(src[f]); // agreed on by the validation positives (agreement 0.9 of 1 model)
      expect((set.aux.posAgree as Float32Array)[f]).toBe(1);
      expect((set.aux.l2 as Float32Array)[f]).toBeGreaterThan(0);
      expect((set.aux.l2 as Float32Array)[f]).toBeLessThanOrEqual(Math.sqrt(SIZE) * GANFINGER_DEFAULTS.eps + 1e-4);
    }
    const l2 = Array.from(set.aux.l2 as Float32Array).filter((_, r) => r % 2);
    console.log(`ganfinger: fingerprint L2 ${l2.map((v) => v.toFixed(2)).join(' ')}`);

    const self = await ganfinger.score(set, fx.suspect(fx.source, true));
    const innocent = await ganfinger.score(set, fx.suspect(fx.innocent, true));
    const pirate = await ganfinger.score(set, fx.suspect(await fx.pirate(), true));
    const fmt = (s: typeof self) => `${s.score.toFixed(3)} (ARD ${(s.details!.ard as number).toFixed(3)}, P_conf ${s.details!.pConf}, P_ori ${s.details!.pOri})`;
    console.log(`ganfinger scores: source ${fmt(self)}, pirate ${fmt(pirate)}, innocent ${fmt(innocent)}`);
    expect(self.score).toBe(1);
    expect(self.details!.ard).toBe(1);
    expect(self.queries).toBe(n2);
    expect(self.matches!.length).toBe(pairs);
    expect(self.matches!.every((m) => m === 1)).toBe(true);
    expect(innocent.score).toBeLessThan(self.score);
    expect(pirate.score).toBeGreaterThan(innocent.score);
    // Probabilities add nothing: the score is the same on a suspect that reveals them.
    expect((await ganfinger.score(set, fx.suspect(fx.innocent, false))).score).toBe(innocent.score);
  });

  it('the optional negative-validation filter keeps only fingerprints the validation negatives reject', async () => {
    const pools = await fx.pools();
    const p = { ...small, maxNegativeAgreement: 0 };
    const set = await ganfinger.generate({ ...fx.ctx(8), pools }, p);
    const n2 = set.labels.length;
    const { neg } = ganfingerPoolSplit(pools, GANFINGER_DEFAULTS.validationShare, 8);
    const valNeg = neg.val.map((m) => modelLabels(m.model, set.inputs, n2, [28, 28, 1]));
    for (let f = 1; f < n2; f += 2) {
      for (const v of valNeg) expect(v[f]).not.toBe(set.labels[f]);
      expect((set.aux.negAgree as Float32Array)[f]).toBe(0);
    }
    const innocent = await ganfinger.score(set, fx.suspect(fx.innocent, true));
    const pirate = await ganfinger.score(set, fx.suspect(await fx.pirate(), true));
    console.log(`ganfinger (maxNegativeAgreement 0): ${n2 / 2} pairs; pirate ${pirate.score.toFixed(3)}, innocent ${innocent.score.toFixed(3)}`);
    expect(pirate.score).toBeGreaterThan(innocent.score);
  });

  it('is seeded: same seed → identical bytes and labels; another seed → other pairs', async () => {
    const pools = await fx.pools();
    const p = { n: 3, steps: 6, batchSize: 8, agreement: 0, tries: 2 };
    const a = await ganfinger.generate({ ...fx.ctx(3), pools }, p);
    const b = await ganfinger.generate({ ...fx.ctx(3), pools }, p);
    const c = await ganfinger.generate({ ...fx.ctx(4), pools }, p);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(b.labels).toEqual(a.labels);
    expect(b.aux).toEqual(a.aux);
    expect(c.aux.base).not.toEqual(a.aux.base);
  });

  it('leaves no tensors behind', async () => {
    const pools = await fx.pools();
    const p = { n: 2, steps: 3, batchSize: 4, agreement: 0, tries: 1 };
    await ganfinger.generate({ ...fx.ctx(1), pools }, p); // warm up lazily created kernels/weights
    const before = tf.memory().numTensors;
    const set = await ganfinger.generate({ ...fx.ctx(1), pools }, p);
    await ganfinger.score(set, fx.suspect(fx.innocent));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad params and pools naming the field, honours the abort signal', async () => {
    expect(() => resolveGanfingerParams({ gamma: -1 })).toThrow('ganfinger.gamma: expected a number >= 0, got -1');
    expect(() => resolveGanfingerParams({ n: 0 })).toThrow(/^ganfinger\.n: expected an integer >= 1/);
    expect(() => resolveGanfingerParams({ eps: 0 })).toThrow(/^ganfinger\.eps: expected a number > 0/);
    expect(() => resolveGanfingerParams({ agreement: 1.5 })).toThrow(/^ganfinger\.agreement: expected a number >= 0 and <= 1/);
    expect(() => resolveGanfingerParams({ target: 'least' as never })).toThrow(/^ganfinger\.target: expected one of/);
    expect(() => resolveGanfingerParams({ bogus: 1 } as never)).toThrow(/^ganfinger\.bogus: unknown parameter/);
    const pools = await fx.pools();
    await expect(ganfinger.generate({ ...fx.ctx(1), pools }, { tries: 10 })).rejects.toThrow(/^ganfinger\.tries: expected an integer >= 0 and <= 9/);
    await expect(ganfinger.generate(fx.ctx(1), { n: 2 })).rejects.toThrow(/ganfinger: needs a generation pool with positives and negatives/);
    const one = { positives: pools.positives.slice(0, 1), negatives: pools.negatives };
    await expect(ganfinger.generate({ ...fx.ctx(1), pools: one }, { n: 2 })).rejects.toThrow(/needs at least 2 pool positives/);
    const ac = new AbortController();
    ac.abort();
    await expect(ganfinger.generate({ ...fx.ctx(1), pools, signal: ac.signal }, { n: 2 })).rejects.toThrow(/cancelled/);
    // Mid-run: abort during training.
    const mid = new AbortController();
    const run = ganfinger.generate({ ...fx.ctx(1), pools, signal: mid.signal, onProgress: () => mid.abort() }, { n: 2, steps: 50 });
    await expect(run).rejects.toThrow(/cancelled/);
  });
});
