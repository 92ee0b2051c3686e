/** Shared fixtures of the attack tests: MNIST splits, a briefly trained source, weight snapshots. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../../src/main/engine/tensor/backend.ts';
import { loadMnist } from '../../../../../src/main/engine/data/mnist.ts';
import { shuffled } from '../../../../../src/main/engine/data/random.ts';
import type { Dataset } from '../../../../../src/main/engine/data/types.ts';
import { buildModel } from '../../../../../src/main/engine/models/architectures.ts';
import { trainModel } from '../../../../../src/main/engine/models/training.ts';
import type { ArchSpec } from '../../../../../src/main/engine/models/types.ts';
import type { AttackContext } from '../../../../../src/main/engine/lab/types.ts';

export interface Fixture {
  data: Dataset;
  owner: Int32Array;
  attacker: Int32Array;
  test: Int32Array;
  source: tf.LayersModel;
  spec: ArchSpec;
}

/** Disjoint owner / attacker / test parts of a seeded permutation of the 10k embedded digits. */
export async function setup(arch: ArchSpec['arch'] = 'mlp', ownerSize = 600, epochs = 3, extra: Partial<ArchSpec> = {}): Promise<Fixture> {
  await initBackend('wasm');
  const data = loadMnist();
  const perm = shuffled(Int32Array.from({ length: data.labels.length }, (_, i) => i), 11);
  const owner = perm.slice(0, ownerSize);
  const attacker = perm.slice(3000, 5000);
  const test = perm.slice(9000, 9500);
  const spec: ArchSpec = { arch, inputShape: [28, 28, 1], numClasses: 10, seed: 7, ...extra };
  const source = buildModel(spec);
  if (epochs > 0) {
    await trainModel(source, data, owner, { epochs, batchSize: 32, learningRate: 2e-3, optimizer: { name: 'adam' }, schedule: { name: 'constant' }, seed: 1 });
  }
  return { data, owner, attacker, test, source, spec };
}

export const ctxOf = (f: Fixture, attacker: Int32Array, seed = 42, over: Partial<AttackContext> = {}): AttackContext => ({
  source: f.source, sourceSpec: f.spec, data: f.data, attackerIndices: attacker, seed, ...over,
});

/** Every weight (trainable and not) by its stable name, copied out. */
export function snapshot(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, (w.read().dataSync() as Float32Array).slice()]));
}

export const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

export function sameSnapshots(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.has(k) && same(v, b.get(k) as Float32Array));
}

/** Fraction of `indices` where the two models predict the same class. */
export function agreement(a: tf.LayersModel, b: tf.LayersModel, data: Dataset, indices: Int32Array): number {
  const [h, w, c] = data.inputShape;
  const per = h * w * c;
  const x = tf.tensor4d(Float32Array.from(Array.from(indices).flatMap((i) => Array.from(data.images.subarray(i * per, (i + 1) * per)))), [indices.length, h, w, c]);
  const [pa, pb] = tf.tidy(() => [a, b].map((m) => (m.predict(x) as tf.Tensor).argMax(-1).dataSync()));
  x.dispose();
  let n = 0;
  for (let i = 0; i < pa.length; i++) if (pa[i] === pb[i]) n++;
  return n / indices.length;
}
