import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ATTACKS, pgdAccuracy } from '../../../../../src/main/engine/lab/attacks/index.ts';
import { buildModel } from '../../../../../src/main/engine/models/architectures.ts';
import { evaluateAccuracy } from '../../../../../src/main/engine/models/training.ts';
import { ctxOf, sameSnapshots, setup, snapshot, type Fixture } from './helpers.ts';

let f: Fixture;
let before: Map<string, Float32Array>;
// MNIST-scale radius (8/255 barely moves an MNIST model); the same PGD attacks source and student.
const EPS = 0.1;
const evalPgd = { epsilon: EPS, steps: 10, stepSize: 0.025, seed: 99 };

beforeAll(async () => {
  f = await setup('mlp');
  before = snapshot(f.source);
});
afterAll(() => f.source.dispose());

describe('adv-train attack', () => {
  it('raises PGD accuracy on held-out inputs over the source, keeping clean accuracy usable', async () => {
    const { model, record } = await ATTACKS['adv-train'].run(ctxOf(f, f.attacker.slice(0, 1000)), { epsilon: EPS, steps: 5, epochs: 3 });
    const test = f.test.slice(0, 300);
    const src = pgdAccuracy(f.source, f.data, test, evalPgd);
    const adv = pgdAccuracy(model, f.data, test, evalPgd);
    console.log(`PGD(ε=${EPS}) accuracy: source ${src.toFixed(3)}, adv-trained ${adv.toFixed(3)}; clean ${evaluateAccuracy(model, f.data, test).toFixed(3)}`);
    expect(adv).toBeGreaterThan(src + 0.15);
    expect(evaluateAccuracy(model, f.data, test)).toBeGreaterThan(0.6);
    expect(record.params).toEqual({ epsilon: EPS, steps: 5, stepSize: (2.5 * EPS) / 5, cleanFraction: 0.5, epochs: 3, lr: 0.01, momentum: 0.9, batchSize: 64 });
    expect(record.details?.adversarialSamples).toBe(3 * 500);
    model.dispose();
    expect(sameSnapshots(snapshot(f.source), before)).toBe(true);
  });

  it('is deterministic per seed (random starts included) and keeps numTensors flat', async () => {
    const start = tf.memory().numTensors;
    const run = (seed: number) => ATTACKS['adv-train'].run(ctxOf(f, f.attacker.slice(0, 128), seed), { epochs: 1, cleanFraction: 0 });
    const a = await run(8);
    const b = await run(8);
    const c = await run(9);
    expect(sameSnapshots(snapshot(a.model), snapshot(b.model))).toBe(true);
    expect(sameSnapshots(snapshot(a.model), snapshot(c.model))).toBe(false);
    expect(a.record.params.stepSize).toBeCloseTo((2.5 * 8) / 255 / 7, 12);
    [a, b, c].forEach((r) => r.model.dispose());
    expect(tf.memory().numTensors).toBe(start);
  });

  it('works through conv layers (input gradients of the tape-aware conv2d)', async () => {
    const spec = { arch: 'cnn' as const, inputShape: [28, 28, 1] as [number, number, number], numClasses: 10, seed: 2, width: 0.5 };
    const source = buildModel(spec);
    const { model, record } = await ATTACKS['adv-train'].run({ ...ctxOf(f, f.attacker.slice(0, 64)), source, sourceSpec: spec }, { epochs: 1, steps: 2 });
    expect(record.details?.steps).toBe(1);
    expect(sameSnapshots(snapshot(model), snapshot(source))).toBe(false);
    model.dispose();
    source.dispose();
  });

  it('rejects bad params with the field named', async () => {
    const ctx = ctxOf(f, f.attacker);
    await expect(ATTACKS['adv-train'].run(ctx, { epsilon: 2 })).rejects.toThrow('adv-train.epsilon: expected a number in (0, 1], got 2');
    await expect(ATTACKS['adv-train'].run(ctx, { cleanFraction: 1 })).rejects.toThrow('adv-train.cleanFraction');
    await expect(ATTACKS['adv-train'].run(ctx, { steps: 0 })).rejects.toThrow('adv-train.steps');
  });
});
