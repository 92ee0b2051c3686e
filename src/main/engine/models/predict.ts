/**
 * Batched prediction helpers for LayersModels. Our architectures output logits; these helpers
 * apply the softmax (unless the model's output layer already does) and work through a large input
 * in batches so intermediate activations of only one batch are alive at a time. Returned tensors
 * belong to the caller; everything else is disposed.
 */
import * as tf from '@tensorflow/tfjs';

export interface PredictOptions {
  /** Examples per forward pass (default 256). */
  batchSize?: number;
  /**
   * Whether to apply a softmax to the model's output. 'auto' (default): yes, unless the model's
   * output layer already has a softmax activation (e.g. an imported plain tfjs classifier).
   */
  softmax?: boolean | 'auto';
}

const DEFAULT_BATCH = 256;

const fmt = (shape: readonly (number | null)[]): string => `[${shape.map((d) => (d === null ? '*' : d)).join(',')}]`;

/** Throws `expected input [*,28,28,1], got [5,32,32,3]` when `x` does not fit the model's input. */
export function checkInputShape(model: tf.LayersModel, x: tf.Tensor): void {
  if (!(x instanceof tf.Tensor)) throw new Error('predict: input must be a tf.Tensor');
  const expected = model.inputs[0].shape;
  const ok = x.rank === expected.length && expected.every((d, i) => i === 0 || d === null || d === x.shape[i]);
  if (!ok) throw new Error(`expected input ${fmt(expected)}, got ${fmt(x.shape)}`);
  if (x.dtype !== 'float32') throw new Error(`expected a float32 input, got ${x.dtype}`);
}

/** True when the model's (single) output layer ends in a softmax, i.e. it outputs probabilities. */
export function outputsProbabilities(model: tf.LayersModel): boolean {
  const last = model.outputLayers[model.outputLayers.length - 1];
  if (!last) return false;
  return last.getClassName() === 'Softmax' || last.getConfig()['activation'] === 'softmax';
}

function batchSizeOf(opts: PredictOptions): number {
  const bs = opts.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(bs) || bs < 1) throw new Error(`predict: batchSize must be a positive integer, got ${String(bs)}`);
  return bs;
}

/**
 * Runs `fn` on each batch of `x` (in its own tidy) and concatenates the results along axis 0.
 * An empty input (tfjs's predict rejects one) gives `fn` applied to an empty [0, ...outputShape].
 */
function mapBatches(model: tf.LayersModel, x: tf.Tensor, bs: number, fn: (out: tf.Tensor) => tf.Tensor): tf.Tensor {
  const n = x.shape[0];
  if (n === 0) return tf.tidy(() => fn(tf.zeros([0, ...(model.outputs[0].shape.slice(1) as number[])])));
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < n; i += bs) {
      parts.push(
        tf.tidy(() => {
          const size = Math.min(bs, n - i);
          const xb = size === n ? x : tf.slice(x, i, size);
          return fn(model.predict(xb) as tf.Tensor);
        }),
      );
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  });
}

/** The model's raw outputs (logits for our architectures), batched. Shape [N, numClasses]. */
export function predictLogits(model: tf.LayersModel, x: tf.Tensor, opts: PredictOptions = {}): tf.Tensor2D {
  checkInputShape(model, x);
  return mapBatches(model, x, batchSizeOf(opts), (out) => out) as tf.Tensor2D;
}

/** Class probabilities [N, numClasses]: softmax of the logits (see PredictOptions.softmax). */
export function predictProbabilities(model: tf.LayersModel, x: tf.Tensor, opts: PredictOptions = {}): tf.Tensor2D {
  checkInputShape(model, x);
  const softmax = opts.softmax === undefined || opts.softmax === 'auto' ? !outputsProbabilities(model) : opts.softmax;
  return mapBatches(model, x, batchSizeOf(opts), (out) => (softmax ? tf.softmax(out) : out)) as tf.Tensor2D;
}

/** Top-1 labels [N] (int32). Taken on the raw outputs: softmax is monotone, and logits do not saturate. */
export function predictLabels(model: tf.LayersModel, x: tf.Tensor, opts: PredictOptions = {}): tf.Tensor1D {
  checkInputShape(model, x);
  return mapBatches(model, x, batchSizeOf(opts), (out) => tf.argMax(out, 1)) as tf.Tensor1D;
}
