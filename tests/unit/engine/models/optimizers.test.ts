import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { createOptimizer, learningRateAt } from '../../../../src/main/engine/models/optimizers.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('optimizers follow PyTorch semantics', () => {
  it('SGD with momentum and coupled weight decay', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = createOptimizer([w], { name: 'sgd', momentum: 0.9, weightDecay: 0.1 });
    const g = tf.tensor1d([0.5, 0.5]);
    opt.step([g], 0.1);
    // buf = g + wd*w = [0.6, 0.3]; w -= 0.1*buf
    expect(Array.from(w.dataSync())).toEqual([1 - 0.06, -2 - 0.03].map(Math.fround));
    opt.step([g], 0.1);
    // g' = g + wd*w = [0.5+0.094, 0.5-0.203]; buf = 0.9*buf + g'
    const buf = [0.9 * 0.6 + 0.594, 0.9 * 0.3 + 0.297];
    const expected = [0.94 - 0.1 * buf[0], -2.03 - 0.1 * buf[1]];
    w.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    opt.dispose();
    tf.dispose([w, g]);
  });

  it('Adam: the first step moves each weight by lr·sign(g) (bias correction)', () => {
    const w = tf.variable(tf.tensor1d([1, 1, 1]));
    const opt = createOptimizer([w], { name: 'adam' });
    const g = tf.tensor1d([3, -0.001, 0]);
    opt.step([g], 0.01);
    const v = w.dataSync();
    expect(v[0]).toBeCloseTo(0.99, 5);
    expect(v[1]).toBeCloseTo(1.01, 4);
    expect(v[2]).toBe(1);
    opt.dispose();
    tf.dispose([w, g]);
  });

  it('rejects an unknown optimizer by name', () => {
    expect(() => createOptimizer([], { name: 'rmsprop' as never })).toThrow(/unknown optimizer "rmsprop"/);
  });
});

describe('learning-rate schedules', () => {
  it('constant, cosine (to 0 at the end), step, warm-up', () => {
    expect(learningRateAt(0.1, { name: 'constant' }, 50, 100, 10)).toBe(0.1);
    expect(learningRateAt(0.1, { name: 'cosine' }, 0, 100, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(0.1, { name: 'cosine' }, 50, 100, 10)).toBeCloseTo(0.05);
    expect(learningRateAt(0.1, { name: 'cosine' }, 100, 100, 10)).toBeCloseTo(0);
    expect(learningRateAt(0.1, { name: 'step', stepEpochs: 2, gamma: 0.5 }, 39, 100, 10)).toBeCloseTo(0.05);
    expect(learningRateAt(0.1, { name: 'step', stepEpochs: 2, gamma: 0.5 }, 40, 100, 10)).toBeCloseTo(0.025);
    expect(learningRateAt(0.1, { name: 'constant', warmupSteps: 4 }, 0, 100, 10)).toBeCloseTo(0.025);
    expect(() => learningRateAt(0.1, { name: 'exp' as never }, 0, 1, 1)).toThrow(/unknown lr schedule "exp"/);
  });
});
