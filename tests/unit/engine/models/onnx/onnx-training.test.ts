/**
 * Fine-tuning an imported ONNX model and exporting it back: SGD on the graph's variables lowers the
 * loss; batch norm statistics stay as they were (inference form); exportOnnx writes a file with the
 * same graph that onnxruntime-node runs to the fine-tuned outputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../../src/main/engine/tensor/backend.ts';
import { createRng } from '../../../../../src/main/engine/data/random.ts';
import { exportOnnx, importOnnx } from '../../../../../src/main/engine/models/onnx/onnx-graph.ts';
import { decodeModel } from '../../../../../src/main/engine/models/onnx/onnx-proto.ts';
import { FIXTURES, inputShape, maxAbsDiff, ortLogits, readFixture, seededBatch } from './zoo.ts';

const N = 16;
const STEPS = 5;

beforeAll(async () => {
  await initBackend('wasm');
});

/** Node list as comparable data: names, op types, inputs, outputs, attributes. */
function nodeList(bytes: Uint8Array): string {
  const graph = decodeModel(bytes, 'x').graph!;
  return JSON.stringify(graph.node.map((n) => ({ name: n.name, op: n.op_type, in: n.input, out: n.output, attrs: n.attribute.map((a) => JSON.stringify(a)) })));
}

describe.each(FIXTURES)('%s', (file) => {
  it('fine-tunes: each SGD step lowers the loss, batch norm statistics do not move, the export runs in onnxruntime', async () => {
    const original = readFixture(file);
    const g = importOnnx(original, { file });
    try {
      const shape = inputShape(file, N);
      const data = seededBatch(shape, 11);
      const rng = createRng(12);
      const labels = Int32Array.from({ length: N }, () => rng.int(10));
      const x = tf.tensor(data, shape);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const loss = () => tf.losses.softmaxCrossEntropy(y, g.apply(x, { training: true })) as tf.Scalar;
      const stats = g.weights.filter((w) => !w.trainable).map((w) => w.variable.dataSync().slice());
      // Small enough for every fixture (0.3 already overshoots on the batch-norm nets).
      const optimizer = tf.train.sgd(0.05);
      const losses: number[] = [];
      for (let step = 0; step < STEPS; step++) {
        const value = optimizer.minimize(loss, true, g.trainableVariables)!;
        losses.push(value.dataSync()[0]);
        value.dispose();
      }
      losses.push(tf.tidy(() => loss().dataSync()[0]));
      // Every step lowers the cross-entropy on the batch (weight gradients point downhill).
      for (let i = 1; i < losses.length; i++) expect(losses[i], `loss after step ${i}: ${losses.join(', ')}`).toBeLessThan(losses[i - 1]);
      g.weights.filter((w) => !w.trainable).forEach((w, i) => expect(Array.from(w.variable.dataSync())).toEqual(Array.from(stats[i])));

      const exported = exportOnnx(g);
      expect(nodeList(exported)).toBe(nodeList(original));
      const before = decodeModel(original, file).graph!;
      const after = decodeModel(exported, file).graph!;
      expect(after.initializer.map((t) => t.name)).toEqual(before.initializer.map((t) => t.name));
      expect(decodeModel(exported, file).opset_import).toEqual(decodeModel(original, file).opset_import);

      const trained = tf.tidy(() => g.apply(x).dataSync());
      const ort = await ortLogits(exported, data, shape);
      expect(maxAbsDiff(ort, trained)).toBeLessThan(1e-4);
      expect(maxAbsDiff(await ortLogits(original, data, shape), trained)).toBeGreaterThan(1e-3);

      // And the exported file imports again to the same function.
      const again = importOnnx(exported, { file: 'exported' });
      expect(maxAbsDiff(tf.tidy(() => again.apply(x).dataSync()), trained)).toBeLessThan(1e-6);
      again.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    } finally {
      g.dispose();
    }
  });
});

describe('training mode', () => {
  it('keeps batch norm in inference form: training: true changes nothing without Dropout', () => {
    const g = importOnnx(readFixture('bn-cnn-opset17.onnx'));
    const x = tf.tensor(seededBatch(inputShape('bn-cnn', 2), 5), inputShape('bn-cnn', 2));
    const a = tf.tidy(() => g.apply(x).dataSync());
    const b = tf.tidy(() => g.apply(x, { training: true }).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    g.dispose();
    x.dispose();
  });
});
