/** Shared helpers of the wrapper tests: MNIST slices as tensors and small models as Classifiers. */
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../../../../../src/main/engine/data/mnist.ts';
import type { Dataset } from '../../../../../src/main/engine/data/types.ts';
import { buildModel } from '../../../../../src/main/engine/models/architectures.ts';
import type { ArchId } from '../../../../../src/main/engine/models/types.ts';
import { trainModel } from '../../../../../src/main/engine/models/training.ts';
import { modelClassifier } from '../../../../../src/main/engine/lab/classifier.ts';
import type { Classifier } from '../../../../../src/main/engine/lab/types.ts';
import { initBackend } from '../../../../../src/main/engine/tensor/backend.ts';

let mnist: Dataset | undefined;

export async function setup(): Promise<Dataset> {
  await initBackend('wasm');
  mnist ??= loadMnist();
  return mnist;
}

/** Indices spread over all classes (the package's digits are stored class by class). */
export const spread = (count: number, stride: number, offset = 0): Int32Array =>
  Int32Array.from({ length: count }, (_, i) => i * stride + offset);

export function images(data: Dataset, indices: ArrayLike<number>): tf.Tensor4D {
  const [h, w, c] = data.inputShape;
  const px = h * w * c;
  const out = new Float32Array(indices.length * px);
  for (let i = 0; i < indices.length; i++) out.set(data.images.subarray(indices[i] * px, (indices[i] + 1) * px), i * px);
  return tf.tensor4d(out, [indices.length, h, w, c]);
}

export function untrained(arch: ArchId = 'cnn', seed = 1): { model: tf.LayersModel; clf: Classifier } {
  const model = buildModel({ arch, inputShape: [28, 28, 1], numClasses: 10, seed });
  return { model, clf: modelClassifier(model, arch) };
}

/** A cnn trained briefly on `train` (good enough for stable labels on most clean digits). */
export async function trained(data: Dataset, train: Int32Array, epochs = 3, shift = 0): Promise<{ model: tf.LayersModel; clf: Classifier }> {
  const model = buildModel({ arch: 'cnn', inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
  await trainModel(model, data, train, {
    epochs, batchSize: 32, learningRate: 2e-3, optimizer: { name: 'adam' }, schedule: { name: 'cosine' }, seed: 3,
    ...(shift > 0 ? { augment: { shift } } : {}),
  });
  return { model, clf: modelClassifier(model, 'cnn') };
}

export const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
