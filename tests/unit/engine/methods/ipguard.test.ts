import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipguard, resolveIpguardParams } from '../../../../src/main/engine/methods/ipguard.ts';
import { sourceLogits, topTwoGap } from '../../../../src/main/engine/methods/common.ts';
import { makeFixture, median, tf, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(() => fx?.cleanup());

const small = { n: 16, iterations: 150, margin: 0.5, lr: 0.01 };

describe('ipguard', () => {
  it('puts triggers on the source boundary and scores the source above an independent model', async () => {
    const progress: number[] = [];
    const set = await ipguard.generate({ ...fx.ctx(7), onProgress: (p) => progress.push(p.done) }, small);
    expect(set.params).toEqual({ ...small, pair: 'runner-up' });
    expect(set.labels.length).toBe(16);
    expect(set.inputs.length).toBe(16 * 28 * 28);
    expect(set.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(set.source).toEqual({ sha256: fx.source.sha256, arch: 'cnn' });
    expect(set.engine.backend).toBe('wasm');
    expect(progress.length).toBeGreaterThan(0);
    // Near the boundary: the source's top-2 gap at x' is about k, far below the gap at the clean base.
    const baseImgs = new Float32Array(16 * 784);
    const idx = set.aux.base as Int32Array;
    const ctx = fx.ctx(7);
    idx.forEach((d, r) => baseImgs.set(ctx.data.images.subarray(d * 784, (d + 1) * 784), r * 784));
    const baseGap = median(topTwoGap(sourceLogits(fx.source.model, baseImgs, 16, [28, 28, 1]), 10));
    const trigGap = median(set.aux.margin);
    console.log(`ipguard: median source margin clean ${baseGap.toFixed(2)} → trigger ${trigGap.toFixed(3)}`);
    expect(trigGap).toBeLessThan(2 * small.margin);
    expect(trigGap).toBeLessThan(baseGap / 4);
    // Most labels end on the pair's j (the side the loss pushes to).
    const j = set.aux.j as Int32Array;
    expect(Array.from(set.labels).filter((l, r) => l === j[r]).length).toBeGreaterThanOrEqual(12);

    const self = await ipguard.score(set, fx.suspect(fx.source, true));
    const other = await ipguard.score(set, fx.suspect(fx.innocent, true));
    console.log(`ipguard scores: source ${self.score}, independent ${other.score}`);
    expect(self.score).toBe(1);
    expect(self.queries).toBe(16);
    expect(other.score).toBeLessThan(self.score);
    expect(other.matches!.length).toBe(16);
  });

  it('is seeded: same seed → identical bytes; another seed → other bases; random pairs work', async () => {
    const p = { ...small, n: 4, iterations: 20 };
    const a = await ipguard.generate(fx.ctx(3), p);
    const b = await ipguard.generate(fx.ctx(3), p);
    const c = await ipguard.generate(fx.ctx(4), p);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(b.labels).toEqual(a.labels);
    expect(c.aux.base).not.toEqual(a.aux.base);
    const r = await ipguard.generate(fx.ctx(3), { ...p, pair: 'random' });
    expect(Array.from(r.aux.j as Int32Array).every((j, t) => j !== (r.aux.i as Int32Array)[t])).toBe(true);
  });

  it('leaves no tensors behind', async () => {
    await ipguard.generate(fx.ctx(1), { n: 2, iterations: 3 }); // warm up lazily created kernels/weights
    const before = tf.memory().numTensors;
    const set = await ipguard.generate(fx.ctx(1), { n: 3, iterations: 5 });
    await ipguard.score(set, fx.suspect(fx.innocent));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad params naming the field, honours the abort signal', async () => {
    expect(() => resolveIpguardParams({ margin: -1 })).toThrow('ipguard.margin: expected a number >= 0, got -1');
    expect(() => resolveIpguardParams({ n: 1.5 })).toThrow(/^ipguard\.n: expected an integer >= 1/);
    expect(() => resolveIpguardParams({ lr: 0 })).toThrow(/^ipguard\.lr: expected a number > 0/);
    expect(() => resolveIpguardParams({ pair: 'least' as never })).toThrow(/^ipguard\.pair: expected one of/);
    expect(() => resolveIpguardParams({ bogus: 1 } as never)).toThrow(/^ipguard\.bogus: unknown parameter/);
    await expect(ipguard.generate(fx.ctx(1), { margin: -1 })).rejects.toThrow('ipguard.margin');
    const ac = new AbortController();
    ac.abort();
    await expect(ipguard.generate({ ...fx.ctx(1), signal: ac.signal }, { n: 2 })).rejects.toThrow(/cancelled/);
  });
});
