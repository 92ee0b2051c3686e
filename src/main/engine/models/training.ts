/**
 * The training loop: seeded shuffling, mini-batch SGD/Adam with weight decay and an lr schedule,
 * progress events (epoch, batch, loss, accuracy, ETA) and cancellation by AbortSignal. Written as
 * an explicit loop rather than LayersModel.fit so that every random choice is seeded and recorded
 * and the optimizer semantics match PyTorch's (see optimizers.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, learningRateAt, type OptimizerConfig, type ScheduleConfig } from './optimizers.ts';
import { batchIterator, batchCount } from '../data/batches.ts';
import { createRng, deriveSeed, shuffled } from '../data/random.ts';
import { makeAugmenter, type AugmentConfig } from './augment.ts';
import type { Dataset } from '../data/types.ts';

/** What training needs of a dataset (a Dataset satisfies it). */
export type LabelledImages = Pick<Dataset, 'name' | 'images' | 'labels' | 'inputShape' | 'numClasses'>;

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** Seed of the per-epoch shuffling and augmentation (initial weights are seeded by the ArchSpec). */
  seed: number;
  /** Training-time augmentation (default none). */
  augment?: AugmentConfig;
}

export interface TrainProgress {
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 1-based within the epoch
  batches: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
  learningRate: number;
  elapsedSeconds: number;
  etaSeconds: number;
  samplesPerSecond: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  seconds: number;
  evalAccuracy?: number;
}

export interface TrainResult {
  config: TrainConfig;
  epochs: EpochRecord[];
  seconds: number;
  samples: number;
}

export interface TrainOptions {
  onProgress?: (p: TrainProgress) => void;
  /** Called after each epoch; e.g. to evaluate on held-out data. May return an accuracy to record. */
  onEpochEnd?: (record: EpochRecord) => Promise<number | void> | number | void;
  signal?: AbortSignal;
  /** Minimum milliseconds between two progress events within an epoch (default 250). */
  progressIntervalMs?: number;
}

export class TrainingCancelled extends Error {
  constructor(where: string) {
    super(`training cancelled ${where}`);
    this.name = 'TrainingCancelled';
  }
}

function checkData(model: tf.LayersModel, data: LabelledImages, indices: ArrayLike<number>): void {
  const expected = model.inputs[0].shape.slice(1);
  if (expected.join(',') !== data.inputShape.join(',')) {
    throw new Error(`model expects input [*,${expected.join(',')}], the data is [*,${data.inputShape.join(',')}]`);
  }
  const outUnits = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (outUnits !== data.numClasses) throw new Error(`model has ${outUnits} outputs, the data has ${data.numClasses} classes`);
  if (indices.length === 0) throw new Error('no training samples selected');
}

/** Trains `model` in place. Throws TrainingCancelled when `signal` aborts (weights are then partially trained). */
export async function trainModel(
  model: tf.LayersModel,
  data: LabelledImages,
  indices: ArrayLike<number>,
  config: TrainConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  checkData(model, data, indices);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer(vars, config.optimizer);
  const n = indices.length;
  const batches = batchCount(n, config.batchSize);
  const totalSteps = batches * config.epochs;
  const started = performance.now();
  const interval = options.progressIntervalMs ?? 250;
  const records: EpochRecord[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const order = shuffled(indices, deriveSeed(config.seed, `shuffle-epoch-${epoch}`));
      const epochStart = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lastEmit = 0;
      let b = 0;
      const transform = config.augment
        ? makeAugmenter(config.augment, data.inputShape, createRng(deriveSeed(config.seed, `augment-epoch-${epoch}`)))
        : undefined;
      for (const batch of batchIterator(data as Dataset, order, { batchSize: config.batchSize, transform })) {
        if (options.signal?.aborted) throw new TrainingCancelled(`at epoch ${epoch}, batch ${b + 1}`);
        const lr = learningRateAt(config.learningRate, config.schedule, step, totalSteps, batches);
        const size = batch.indices.length;
        const { loss, predicted } = trainStep(model, vars, optimizer, batch.x, batch.y, lr);
        lossSum += loss * size;
        for (let i = 0; i < size; i++) if (predicted[i] === data.labels[batch.indices[i]]) correct++;
        seen += size;
        const now = performance.now();
        if (options.onProgress && (now - lastEmit >= interval || b === batches - 1)) {
          lastEmit = now;
          const elapsed = (now - started) / 1000;
          const rate = (step + 1) / elapsed;
          options.onProgress({
            epoch, epochs: config.epochs, batch: b + 1, batches,
            loss: lossSum / seen, accuracy: correct / seen, learningRate: lr,
            elapsedSeconds: elapsed, etaSeconds: (totalSteps - step - 1) / rate,
            samplesPerSecond: ((epoch - 1) * n + seen) / elapsed,
          });
        }
        b++;
        step++;
        // Yield to the event loop so that an abort (Ctrl-C, a UI cancel) can be delivered.
        if (b % 8 === 0) await new Promise((r) => setImmediate(r));
      }
      const record: EpochRecord = { epoch, loss: lossSum / seen, accuracy: correct / seen, seconds: (performance.now() - epochStart) / 1000 };
      const evalAccuracy = await options.onEpochEnd?.(record);
      if (typeof evalAccuracy === 'number') record.evalAccuracy = evalAccuracy;
      records.push(record);
    }
  } finally {
    optimizer.dispose();
  }
  return { config, epochs: records, seconds: (performance.now() - started) / 1000, samples: n * config.epochs };
}

/** One optimisation step; returns the batch loss and the predicted labels (before the update). */
export function trainStep(
  model: tf.LayersModel,
  vars: tf.Variable[],
  optimizer: ReturnType<typeof createOptimizer>,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  lr: number,
): { loss: number; predicted: Int32Array } {
  let predictedT: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor2D;
    predictedT = tf.keep(logits.argMax(-1));
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  }, vars);
  optimizer.step(vars.map((v) => grads[v.name]), lr);
  const loss = value.dataSync()[0];
  const predicted = (predictedT as unknown as tf.Tensor).dataSync() as Int32Array;
  tf.dispose([value, predictedT as unknown as tf.Tensor, ...Object.values(grads)]);
  return { loss, predicted };
}

/** Top-1 accuracy of `model` on the selected samples, in batches. */
export function evaluateAccuracy(model: tf.LayersModel, data: LabelledImages, indices: ArrayLike<number>, batchSize = 256): number {
  let correct = 0;
  for (const batch of batchIterator(data as Dataset, indices, { batchSize, labels: 'index' })) {
    const pred = tf.tidy(() => (model.predict(batch.x) as tf.Tensor).argMax(-1).dataSync() as Int32Array);
    for (let i = 0; i < pred.length; i++) if (pred[i] === data.labels[batch.indices[i]]) correct++;
  }
  return correct / indices.length;
}
