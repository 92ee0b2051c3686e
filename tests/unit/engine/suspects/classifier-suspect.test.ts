import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { buildModel } from '../../../../src/main/engine/models/architectures.ts';
import { modelClassifier } from '../../../../src/main/engine/lab/classifier.ts';
import { classifierSuspect } from '../../../../src/main/engine/suspects/classifier-suspect.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('classifierSuspect', () => {
  const model = () => buildModel({ arch: 'mlp', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
  const inputs = (n: number) => tf.tidy(() => tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 2).dataSync() as Float32Array).slice();

  it('answers labels and probabilities consistent with the model, in batches, and counts queries', async () => {
    const m = model();
    const s = classifierSuspect(modelClassifier(m), { batchSize: 7 });
    const x = inputs(20);
    const a = await s.query(x, 20);
    const expected = tf.tidy(() => (m.predict(tf.tensor4d(x, [20, 28, 28, 1])) as tf.Tensor).argMax(-1).dataSync());
    expect(Array.from(a.labels)).toEqual(Array.from(expected));
    expect(a.probs).toHaveLength(200);
    for (let i = 0; i < 20; i++) expect(a.probs!.subarray(i * 10, i * 10 + 10).reduce((p, q) => p + q, 0)).toBeCloseTo(1, 5);
    await s.query(x.subarray(0, 784 * 3), 3);
    expect(s.queries()).toBe(23);
    m.dispose();
  });

  it('label-only suspects reveal no probabilities; wrong input sizes are refused; no tensors leak', async () => {
    const m = model();
    const s = classifierSuspect(modelClassifier(m), { labelOnly: true, name: 'api' });
    const before = tf.memory().numTensors;
    const a = await s.query(inputs(4), 4);
    expect(a.probs).toBeUndefined();
    expect(s.labelOnly).toBe(true);
    expect(s.describe()).toBe('api');
    await expect(s.query(new Float32Array(10), 4)).rejects.toThrow(/expected 4×28×28×1 = 3136 values, got 10/);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
