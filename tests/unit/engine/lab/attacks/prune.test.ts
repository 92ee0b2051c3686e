import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ATTACKS } from '../../../../../src/main/engine/lab/attacks/index.ts';
import { prunableKernels, smallestK } from '../../../../../src/main/engine/lab/attacks/prune.ts';
import { evaluateAccuracy } from '../../../../../src/main/engine/models/training.ts';
import { ctxOf, same, sameSnapshots, setup, snapshot, type Fixture } from './helpers.ts';

let f: Fixture;
let before: Map<string, Float32Array>;
const KERNELS = ['cnn/conv1/kernel', 'cnn/conv2/kernel', 'cnn/fc1/kernel', 'cnn/logits/kernel'];
const zeros = (a: Float32Array) => a.reduce((c, v) => c + (v === 0 ? 1 : 0), 0);

beforeAll(async () => {
  f = await setup('cnn', 400, 2);
  before = snapshot(f.source);
});
afterAll(() => f.source.dispose());

describe('smallestK', () => {
  it('marks exactly k entries, breaking ties by position', () => {
    const [m] = smallestK([Float32Array.from([0.5, -0.1, 0.1, 0.1, 2, -0.1])], 3);
    // |−0.1| = |0.1| in float32: four ties at the threshold, the first three are taken.
    expect(Array.from(m)).toEqual([1, 0, 0, 0, 1, 1]);
    const [a, b] = smallestK([Float32Array.from([1, 1]), Float32Array.from([1, 1])], 3);
    expect([...a, ...b]).toEqual([0, 0, 0, 1]);
  });
});

describe('prune attack', () => {
  it('global scope prunes exactly round(p·n) kernel weights, no biases', async () => {
    const { model, record } = await ATTACKS.prune.run(ctxOf(f, f.attacker), { rate: 0.7 });
    const after = snapshot(model);
    const n = KERNELS.reduce((s, k) => s + after.get(k)!.length, 0);
    const pruned = KERNELS.reduce((s, k) => s + zeros(after.get(k)!), 0);
    expect(prunableKernels(model).map((k) => k.name)).toEqual(KERNELS);
    expect(pruned).toBe(Math.round(0.7 * n));
    expect(record.details?.sparsity).toBeCloseTo(Math.round(0.7 * n) / n, 12);
    expect(same(after.get('cnn/fc1/bias')!, before.get('cnn/fc1/bias')!)).toBe(true);
    // Kept weights are untouched, and every pruned one was no larger than every kept one.
    for (const k of KERNELS) after.get(k)!.forEach((v, i) => v !== 0 && expect(v).toBe(before.get(k)![i]));
    expect(record.params).toEqual({ rate: 0.7, scope: 'global', epochs: 0, lr: 0.01, momentum: 0.9, batchSize: 64 });
    model.dispose();
    expect(sameSnapshots(snapshot(f.source), before)).toBe(true);
  });

  it('layer scope prunes exactly round(p·n_l) per kernel', async () => {
    const { model, record } = await ATTACKS.prune.run(ctxOf(f, f.attacker), { rate: 0.35, scope: 'layer' });
    const after = snapshot(model);
    for (const k of KERNELS) expect(zeros(after.get(k)!), k).toBe(Math.round(0.35 * after.get(k)!.length));
    expect(Object.keys(record.details?.perLayerSparsity as object)).toEqual(KERNELS);
    model.dispose();
  });

  it('fine-tuning after pruning keeps the mask and changes the kept weights', async () => {
    const start = tf.memory().numTensors;
    const { model, record } = await ATTACKS.prune.run(ctxOf(f, f.attacker.slice(0, 256)), { rate: 0.8, epochs: 1 });
    const plain = await ATTACKS.prune.run(ctxOf(f, f.attacker), { rate: 0.8 });
    const tuned = snapshot(model);
    const mask = snapshot(plain.model);
    for (const k of KERNELS) {
      const t = tuned.get(k)!;
      mask.get(k)!.forEach((v, i) => v === 0 && expect(t[i]).toBe(0));
      expect(zeros(t), k).toBe(zeros(mask.get(k)!));
    }
    expect(same(tuned.get('cnn/fc1/kernel')!, mask.get('cnn/fc1/kernel')!)).toBe(false);
    expect(record.details?.steps).toBe(4);
    expect(evaluateAccuracy(model, f.data, f.test)).toBeGreaterThan(0.5);
    model.dispose();
    plain.model.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(sameSnapshots(snapshot(f.source), before)).toBe(true);
  });

  it('is deterministic per seed', async () => {
    const a = await ATTACKS.prune.run(ctxOf(f, f.attacker.slice(0, 128), 3), { rate: 0.5, epochs: 1 });
    const b = await ATTACKS.prune.run(ctxOf(f, f.attacker.slice(0, 128), 3), { rate: 0.5, epochs: 1 });
    expect(sameSnapshots(snapshot(a.model), snapshot(b.model))).toBe(true);
    a.model.dispose();
    b.model.dispose();
  });

  it('rejects bad params with the field named', async () => {
    const ctx = ctxOf(f, f.attacker);
    await expect(ATTACKS.prune.run(ctx, { rate: 1.2 })).rejects.toThrow('prune.rate: expected a number in (0, 1), got 1.2');
    await expect(ATTACKS.prune.run(ctx, { rate: 0 })).rejects.toThrow('prune.rate');
    await expect(ATTACKS.prune.run(ctx, { scope: 'row' })).rejects.toThrow('prune.scope: expected one of "global", "layer", got "row"');
  });
});
