import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { loadMnist } from '../../../../src/main/engine/data/mnist.ts';
import type { Dataset } from '../../../../src/main/engine/data/types.ts';
import { buildModel } from '../../../../src/main/engine/models/architectures.ts';
import { evaluateAccuracy, trainModel, TrainingCancelled, type TrainConfig, type TrainProgress } from '../../../../src/main/engine/models/training.ts';

let mnist: Dataset;
const subset = Int32Array.from({ length: 512 }, (_, i) => i * 19); // spread over all classes
const heldOut = Int32Array.from({ length: 256 }, (_, i) => i * 19 + 7);

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  epochs: 2, batchSize: 32, learningRate: 2e-3,
  optimizer: { name: 'adam' }, schedule: { name: 'cosine' }, seed: 5, ...over,
});

function weightsHash(model: tf.LayersModel): string {
  const h = createHash('sha256');
  for (const w of model.getWeights()) h.update(new Uint8Array((w.dataSync() as Float32Array).slice().buffer));
  return h.digest('hex');
}

beforeAll(async () => {
  await initBackend('wasm');
  mnist = loadMnist();
});

describe('trainModel', () => {
  it('learns: held-out accuracy well above chance after two epochs on 512 digits', async () => {
    const model = buildModel({ arch: 'cnn', inputShape: [28, 28, 1], numClasses: 10, seed: 3 });
    const result = await trainModel(model, mnist, subset, config());
    expect(result.epochs).toHaveLength(2);
    expect(result.epochs[1].loss).toBeLessThan(result.epochs[0].loss);
    expect(evaluateAccuracy(model, mnist, heldOut)).toBeGreaterThan(0.6);
    model.dispose();
  });

  it('same seeds give the same weights hash on the same backend; another shuffle seed does not', async () => {
    const run = async (seed: number, augment?: TrainConfig['augment']) => {
      const model = buildModel({ arch: 'resnet', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
      await trainModel(model, mnist, subset.slice(0, 128), config({ epochs: 1, seed, augment }));
      const h = weightsHash(model);
      model.dispose();
      return h;
    };
    const a = await run(5, { shift: 2 });
    expect(await run(5, { shift: 2 })).toBe(a);
    expect(await run(6, { shift: 2 })).not.toBe(a);
  });

  it('keeps tf.memory().numTensors flat over repeated training and prediction', async () => {
    const model = buildModel({ arch: 'vgg', inputShape: [28, 28, 1], numClasses: 10, seed: 2, dropout: 0.3 });
    await trainModel(model, mnist, subset.slice(0, 64), config({ epochs: 1, optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 5e-4 } }));
    evaluateAccuracy(model, mnist, heldOut.slice(0, 64));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await trainModel(model, mnist, subset.slice(0, 64), config({ epochs: 1, augment: { shift: 1 } }));
      evaluateAccuracy(model, mnist, heldOut.slice(0, 64));
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('reports progress with counts, running metrics and an ETA', async () => {
    const model = buildModel({ arch: 'mlp', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const events: TrainProgress[] = [];
    await trainModel(model, mnist, subset, config({ epochs: 2 }), { onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    expect(events).toHaveLength(2 * 16);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ epoch: 2, epochs: 2, batch: 16, batches: 16 });
    expect(last.etaSeconds).toBe(0);
    expect(events[0].etaSeconds).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.accuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(e.loss)).toBe(true);
    }
    model.dispose();
  });

  it('stops on an AbortSignal with TrainingCancelled naming where it stopped', async () => {
    const model = buildModel({ arch: 'mlp', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const controller = new AbortController();
    const run = trainModel(model, mnist, subset, config({ epochs: 5 }), {
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (p) => p.batch === 3 && controller.abort(),
    });
    await expect(run).rejects.toThrow(TrainingCancelled);
    await expect(run).rejects.toThrow(/at epoch 1, batch 4/);
    model.dispose();
  });

  it('rejects data that does not fit the model, naming both shapes', async () => {
    const model = buildModel({ arch: 'mlp', inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
    await expect(trainModel(model, mnist, subset, config())).rejects.toThrow(/model expects input \[\*,32,32,3\], the data is \[\*,28,28,1\]/);
    model.dispose();
  });
});
