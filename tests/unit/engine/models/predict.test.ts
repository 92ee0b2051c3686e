import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { buildModel } from '../../../../src/main/engine/models/architectures.ts';
import { checkInputShape, outputsProbabilities, predictLabels, predictLogits, predictProbabilities } from '../../../../src/main/engine/models/predict.ts';

let model: tf.LayersModel;
let x: tf.Tensor4D;

beforeAll(async () => {
  await initBackend('wasm');
  model = buildModel({ arch: 'lenet', inputShape: [28, 28, 1], numClasses: 10, seed: 5 });
  x = tf.randomUniform([7, 28, 28, 1], 0, 1, 'float32', 9);
});
afterAll(() => {
  model.dispose();
  x.dispose();
});

describe('input checks', () => {
  const cases: [string, () => tf.Tensor, string][] = [
    ['wrong image size', () => tf.zeros([2, 32, 32, 3]), 'expected input [*,28,28,1], got [2,32,32,3]'],
    ['wrong channels', () => tf.zeros([2, 28, 28, 3]), 'expected input [*,28,28,1], got [2,28,28,3]'],
    ['missing batch axis', () => tf.zeros([28, 28, 1]), 'expected input [*,28,28,1], got [28,28,1]'],
    ['int32 pixels', () => tf.zeros([2, 28, 28, 1], 'int32'), 'expected a float32 input, got int32'],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what} with a clear message`, () => {
      const bad = make();
      const before = tf.memory().numTensors;
      for (const f of [predictProbabilities, predictLabels, predictLogits]) expect(() => f(model, bad)).toThrow(message);
      expect(() => checkInputShape(model, bad)).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
      bad.dispose();
    });
  }

  it('rejects a bad batch size', () => {
    expect(() => predictProbabilities(model, x, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
  });
});

describe('batched prediction', () => {
  it('probabilities are softmax(logits), rows sum to 1, batch size does not matter', () => {
    const before = tf.memory().numTensors;
    const logits = predictLogits(model, x);
    const p1 = predictProbabilities(model, x, { batchSize: 3 });
    const p7 = predictProbabilities(model, x, { batchSize: 100 });
    expect(p1.shape).toEqual([7, 10]);
    const ref = tf.tidy(() => tf.softmax(model.predict(x) as tf.Tensor));
    const a = p1.dataSync();
    const b = p7.dataSync();
    const r = ref.dataSync();
    for (let i = 0; i < a.length; i++) {
      expect(a[i]).toBeCloseTo(r[i], 6);
      expect(b[i]).toBeCloseTo(r[i], 6);
    }
    for (const s of tf.tidy(() => tf.sum(p1, 1).dataSync())) expect(s).toBeCloseTo(1, 5);
    const labels = predictLabels(model, x, { batchSize: 2 });
    expect(labels.dtype).toBe('int32');
    expect([...labels.dataSync()]).toEqual([...tf.tidy(() => tf.argMax(logits, 1).dataSync())]);
    tf.dispose([logits, p1, p7, ref, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not apply a second softmax to a model that already outputs probabilities', () => {
    const input = tf.input({ shape: [4] });
    const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    const soft = tf.model({ inputs: input, outputs: out });
    expect(outputsProbabilities(soft)).toBe(true);
    expect(outputsProbabilities(model)).toBe(false);
    const v = tf.randomUniform([5, 4], 0, 1, 'float32', 2);
    const p = predictProbabilities(soft, v);
    const raw = soft.predict(v) as tf.Tensor;
    expect([...p.dataSync()]).toEqual([...raw.dataSync()]);
    const forced = predictProbabilities(soft, v, { softmax: true });
    expect([...forced.dataSync()]).not.toEqual([...raw.dataSync()]);
    tf.dispose([v, p, raw, forced]);
    soft.dispose();
  });

  it('an empty batch gives empty outputs', () => {
    const empty = tf.zeros([0, 28, 28, 1]);
    const p = predictProbabilities(model, empty);
    const l = predictLabels(model, empty);
    expect(p.shape).toEqual([0, 10]);
    expect(l.shape).toEqual([0]);
    tf.dispose([empty, p, l]);
  });

  it('repeated calls do not leak tensors', () => {
    tf.dispose(predictProbabilities(model, x, { batchSize: 2 }));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose(predictProbabilities(model, x, { batchSize: 2 }));
      tf.dispose(predictLabels(model, x, { batchSize: 4 }));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
