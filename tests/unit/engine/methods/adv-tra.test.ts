import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advTra, resolveAdvTraParams, segmentLengths } from '../../../../src/main/engine/methods/adv-tra.ts';
import { makeFixture, tf, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(() => fx?.cleanup());

const small = { trajectories: 8, length: 12, classes: 3, searchRounds: 10 };

describe('adv-tra', () => {
  it('splits a surface trajectory into even segments', () => {
    expect(segmentLengths(20, 4)).toEqual([7, 7, 6]);
    expect(segmentLengths(40, 8)).toEqual([6, 6, 6, 6, 6, 5, 5]);
  });

  it('builds trajectories whose source label flips mid-segment; source scores 1 and an independent model mutates more', async () => {
    const progress: string[] = [];
    const set = await advTra.generate({ ...fx.ctx(5), onProgress: (p) => progress.push(p.message ?? '') }, small);
    expect(set.params).toEqual({ ...resolveAdvTraParams(small) });
    const P = small.length;
    expect(set.labels.length).toBe(8 * P);
    expect(set.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    const traj = set.aux.trajectory as Int32Array;
    const step = set.aux.step as Int32Array;
    const target = set.aux.target as Int32Array;
    expect(Array.from(traj.subarray(0, P))).toEqual(new Array(P).fill(0));
    expect(Array.from(step.subarray(P, 2 * P))).toEqual(Array.from({ length: P }, (_, t) => t));
    const data = fx.ctx(5).data;
    let flipsMid = 0;
    let startsInA = 0;
    for (let r = 0; r < 8; r++) {
      const labels = Array.from(set.labels.subarray(r * P, (r + 1) * P));
      const a = data.labels[(set.aux.base as Int32Array)[r * P]];
      const b = target[r * P];
      // First point (mostly) still the base's class; a later point in the first segment has the target class.
      if (labels[0] === a) startsInA++; // a large first step may cross into a third class; the paper only asks that b comes mid-way
      const firstB = labels.indexOf(b);
      expect(firstB).toBeGreaterThan(0);
      if (firstB === 3 - 1 || firstB === 3) flipsMid++; // segment of 6 steps: flip at step 3 (index 2)
    }
    console.log(`adv-tra: ${flipsMid}/8 first-segment flips at the middle, ${startsInA}/8 start in the base class; labels[0..P) = ${Array.from(set.labels.subarray(0, P))}`);
    expect(flipsMid).toBeGreaterThanOrEqual(6);
    expect(startsInA).toBeGreaterThanOrEqual(6);

    const self = await advTra.score(set, fx.suspect(fx.source, true));
    const other = await advTra.score(set, fx.suspect(fx.innocent, true));
    console.log(`adv-tra scores: source ${self.score} (mean mutation ${self.details!.meanMutation}), independent ${other.score} (mean mutation ${(other.details!.meanMutation as number).toFixed(3)})`);
    expect(self.score).toBe(1);
    expect(self.matches!.length).toBe(8);
    expect(self.queries).toBe(8 * P);
    // On this tiny, weakly trained pair the innocent's mutation stays under T_mut = 0.5 (targeted MNIST
    // steps transfer), so its score can tie the source's; it must never beat it, and it mutates more.
    expect(other.score).toBeLessThanOrEqual(self.score);
    expect(other.details!.meanMutation as number).toBeGreaterThan(self.details!.meanMutation as number);
  });

  it('is seeded: same seed → identical bytes', async () => {
    const p = { trajectories: 3, length: 4, classes: 2, searchRounds: 3 };
    const a = await advTra.generate(fx.ctx(9), p);
    const b = await advTra.generate(fx.ctx(9), p);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(b.labels).toEqual(a.labels);
    const c = await advTra.generate(fx.ctx(10), p);
    expect(Buffer.from(c.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(false);
  });

  it('leaves no tensors behind', async () => {
    const p = { trajectories: 2, length: 4, classes: 3, searchRounds: 2 };
    await advTra.generate(fx.ctx(1), p);
    const before = tf.memory().numTensors;
    const set = await advTra.generate(fx.ctx(1), p);
    await advTra.score(set, fx.suspect(fx.innocent));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad params naming the field, honours the abort signal', async () => {
    expect(() => resolveAdvTraParams({ brake: 1.5 })).toThrow('adv-tra.brake: expected a number > 0 and <= 1, got 1.5');
    expect(() => resolveAdvTraParams({ length: 5, classes: 4 })).toThrow(/^adv-tra\.length: expected an integer >= 6/);
    expect(() => resolveAdvTraParams({ mutationThreshold: -0.1 })).toThrow(/^adv-tra\.mutationThreshold/);
    expect(() => resolveAdvTraParams({ trajectories: 0 })).toThrow(/^adv-tra\.trajectories/);
    await expect(advTra.generate(fx.ctx(1), { classes: 11, length: 20 })).rejects.toThrow(/^adv-tra\.classes: expected an integer <= 10/);
    const ac = new AbortController();
    ac.abort();
    await expect(advTra.generate({ ...fx.ctx(1), signal: ac.signal }, { trajectories: 2 })).rejects.toThrow(/cancelled/);
  });
});
