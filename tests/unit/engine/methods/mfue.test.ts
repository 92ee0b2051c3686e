import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTriggerSet, saveTriggerSet } from '../../../../src/main/engine/methods/trigger-set-io.ts';
import { MFUE_DEFAULTS, lossFromProbs, mfue, resolveMfueParams } from '../../../../src/main/engine/methods/mfue.ts';
import { mcLoss } from '../../../../src/main/engine/methods/mfue-label-only.ts';
import type { TriggerSet } from '../../../../src/main/engine/methods/types.ts';
import { makeFixture, median, tf, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(() => fx?.cleanup());

// Tiny: 12 triggers, 3 mimics of 6 steps, 30 sign steps, 40 probes.
const small = {
  n: 12, rounds: 6, stepsPerRound: 5, mimics: 3, mimicSteps: 6, mimicBatch: 32, mimicAdv: 4, mimicPgdSteps: 3,
  probes: 40, searchRounds: 6, probeSteps: 10,
};
const tiny = { ...small, n: 3, rounds: 2, stepsPerRound: 2, mimics: 1, mimicSteps: 2, mimicBatch: 8, mimicAdv: 2, mimicPgdSteps: 1, probes: 6, searchRounds: 2, probeSteps: 2 };

let set: TriggerSet;

describe('mfue', () => {
  it('generates unlearnable triggers: below the clean loss on the source and every mimic', async () => {
    const progress: number[] = [];
    set = await mfue.generate({ ...fx.ctx(7), onProgress: (p) => progress.push(p.done / p.total) }, small);
    expect(set.params).toEqual({ ...MFUE_DEFAULTS, ...small });
    expect(set.method).toBe('mfue');
    expect(set.labels.length).toBe(12);
    expect(set.inputs.length).toBe(12 * 784);
    expect(set.source).toEqual({ sha256: fx.source.sha256, arch: 'cnn' });
    expect(set.pools).toEqual({ positives: [], negatives: [] });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((f, i) => f <= 1 && (i === 0 || f >= progress[i - 1]))).toBe(true);
    // ‖δ‖∞ ≤ ε around the clean base, inside [0,1].
    const data = fx.ctx(7).data;
    const base = set.aux.base as Int32Array;
    let maxDelta = 0;
    for (let t = 0; t < 12; t++) for (let i = 0; i < 784; i++) maxDelta = Math.max(maxDelta, Math.abs(set.inputs[t * 784 + i] - data.images[base[t] * 784 + i]));
    expect(maxDelta).toBeLessThanOrEqual(MFUE_DEFAULTS.epsilon + 1e-6);
    expect(set.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Array.from(set.aux.trueLabel)).toEqual(Array.from(base, (d) => data.labels[d]));
    expect(set.labels).toEqual(set.aux.trueLabel); // the source still answers the true label
    // The defining property: per trigger, CE(y) at x_UF < CE(y) at the clean base on the source (column 0) and on each mimic.
    const w = 1 + small.mimics;
    const clean = set.aux.lossClean;
    const trig = set.aux.lossTrigger;
    expect(clean.length).toBe(12 * w);
    for (let j = 0; j < w; j++) {
      const ratio = median(Array.from({ length: 12 }, (_, t) => trig[t * w + j] / clean[t * w + j]));
      console.log(`mfue: model ${j === 0 ? 'source' : `mimic ${j}`}: median trigger/clean loss ${ratio.toExponential(2)}`);
      for (let t = 0; t < 12; t++) expect(trig[t * w + j]).toBeLessThan(clean[t * w + j]);
    }
    // The stored white-box reference is the source's loss at x_UF (from probabilities vs logits: same value).
    for (let t = 0; t < 12; t++) expect(set.aux.loss[t]).toBeCloseTo(trig[t * w], 4);
    expect(set.aux.probe.length).toBe(12 * 784);
    expect(Array.from(set.aux.mcLoss)).toEqual(Array.from(set.aux.mcHits, (h) => Math.fround(mcLoss(h, 40, 10, 1))));
  });

  it('scores the source 1 both ways and an independent model lower (pirate reported); counts queries exactly', async () => {
    const runs: Record<string, { wb: number; lo: number }> = {};
    for (const [name, m] of [['source', fx.source], ['innocent', fx.innocent], ['pirate', await fx.pirate()]] as const) {
      const wb = await mfue.score(set, fx.suspect(m));
      const s = fx.suspect(m, true);
      const lo = await mfue.score(set, s);
      expect(wb.queries).toBe(12);
      expect(lo.queries).toBe(12 * 40); // n·M, every probe once
      expect(s.queries()).toBe(lo.queries);
      expect(wb.details!.mode).toBe('white-box');
      expect(lo.details!.mode).toBe('label-only');
      expect(lo.matches!.length).toBe(12);
      runs[name] = { wb: wb.score, lo: lo.score };
      if (name === 'source') {
        // The Monte Carlo estimate on the source reproduces the stored reference exactly (deterministic probes).
        expect(lo.details!.lossSuspect).toEqual(Array.from(set.aux.mcHits, (h) => mcLoss(h, 40, 10, 1)));
      }
    }
    console.log(`mfue scores (white-box / label-only): ${Object.entries(runs).map(([k, v]) => `${k} ${v.wb.toFixed(2)} / ${v.lo.toFixed(2)}`).join(', ')}`);
    expect(runs.source).toEqual({ wb: 1, lo: 1 });
    expect(runs.innocent.wb).toBeLessThan(1);
    expect(runs.innocent.lo).toBeLessThan(1);
    // Everything scoring needs travels in the saved set (the arbiter has no source).
    const dir = mkdtempSync(join(tmpdir(), 'provenant-mfue-'));
    try {
      await saveTriggerSet(set, join(dir, 'set'));
      const loaded = await loadTriggerSet(join(dir, 'set'));
      const again = await mfue.score(loaded, fx.suspect(fx.source, true));
      expect(again.score).toBe(1);
      expect((await mfue.score(loaded, fx.suspect(fx.source))).score).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is seeded: same seed → identical bytes, labels and label-only references', async () => {
    const a = await mfue.generate(fx.ctx(3), tiny);
    const b = await mfue.generate(fx.ctx(3), tiny);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(b.labels).toEqual(a.labels);
    for (const k of ['probe', 'alpha', 'mcHits', 'loss', 'lossTrigger']) {
      expect(Buffer.from(b.aux[k].buffer).equals(Buffer.from(a.aux[k].buffer))).toBe(true);
    }
  });

  it('evaluates losses stably where float32 p_y rounds to 1', () => {
    const probs = new Float32Array([1, 1e-9, 2e-9]);
    expect(lossFromProbs(probs, 0, 3, 0)).toBeCloseTo(3e-9, 12);
    expect(lossFromProbs(new Float32Array([0.25, 0.75]), 0, 2, 0)).toBeCloseTo(Math.log(4), 6);
  });

  it('leaves no tensors behind, also when cancelled mid-way', async () => {
    await mfue.generate(fx.ctx(1), tiny); // warm up lazily created kernels/weights
    const before = tf.memory().numTensors;
    const s = await mfue.generate(fx.ctx(1), tiny);
    await mfue.score(s, fx.suspect(fx.innocent));
    await mfue.score(s, fx.suspect(fx.innocent, true));
    expect(tf.memory().numTensors).toBe(before);
    const ac = new AbortController();
    let calls = 0;
    const gen = mfue.generate({ ...fx.ctx(1), signal: ac.signal, onProgress: () => ++calls === 3 && ac.abort() }, tiny);
    await expect(gen).rejects.toThrow(/mfue: cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad params naming the field, honours an aborted signal', async () => {
    expect(() => resolveMfueParams({ tau: -0.1 })).toThrow('mfue.tau: expected a number >= 0 and <= 1, got -0.1');
    expect(() => resolveMfueParams({ epsilon: 0 })).toThrow(/^mfue\.epsilon: expected a number > 0/);
    expect(() => resolveMfueParams({ probes: 2.5 })).toThrow(/^mfue\.probes: expected an integer >= 1/);
    expect(() => resolveMfueParams({ smoothing: 0 })).toThrow(/^mfue\.smoothing: expected a number > 0/);
    expect(() => resolveMfueParams({ bogus: 1 } as never)).toThrow(/^mfue\.bogus: unknown parameter/);
    await expect(mfue.generate(fx.ctx(1), { mimics: -1 })).rejects.toThrow('mfue.mimics');
    const ac = new AbortController();
    ac.abort();
    await expect(mfue.generate({ ...fx.ctx(1), signal: ac.signal }, tiny)).rejects.toThrow(/cancelled/);
    await expect(mfue.score(set, fx.suspect(fx.source, true), { signal: ac.signal })).rejects.toThrow(/cancelled/);
  });
});
