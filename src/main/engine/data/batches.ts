/**
 * Turning dataset samples into tensors, one batch at a time. A whole split as one tensor would
 * cost 4 bytes per pixel in tfjs memory on top of the dataset's own copy (about 200 MB for
 * Fashion-MNIST's train part); batches keep it to one batch.
 *
 * Ownership rule of batchIterator: a yielded batch lives until the consumer asks for the next one
 * (or leaves the loop, which runs the generator's finally). So `for (const b of batchIterator(...))`
 * never leaks, and anything kept past an iteration must be cloned (tf.clone / b.x.clone()).
 */
import * as tf from '@tensorflow/tfjs';
import { sampleSize } from './dataset.ts';
import type { Dataset } from './types.ts';

/** 'index': int32 [n] labels (sparse losses); 'one-hot': float32 [n, numClasses]. */
export type LabelEncoding = 'index' | 'one-hot';
export type LabelTensor<E extends LabelEncoding> = E extends 'one-hot' ? tf.Tensor2D : tf.Tensor1D;

/** One batch: inputs, labels, and which dataset samples they are. */
export interface Batch<E extends LabelEncoding = 'one-hot'> {
  /** [n, h, w, c] float32 in [0, 1]. */
  x: tf.Tensor4D;
  y: LabelTensor<E>;
  /** Dataset indices of the batch's samples, in order. */
  indices: Int32Array;
}

export interface BatchOptions<E extends LabelEncoding = 'one-hot'> {
  batchSize: number;
  /** Default 'one-hot'. */
  labels?: E;
  /** Drop a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
  /** Rewrites a batch's gathered pixels in place before they become a tensor (augmentation). */
  transform?: (images: Float32Array, indices: Int32Array) => void;
}

/** Copies the given samples' pixels and labels out of the dataset (no tensors). */
export function gather(ds: Dataset, indices: ArrayLike<number>): { images: Float32Array; labels: Int32Array } {
  const per = sampleSize(ds);
  const n = ds.labels.length;
  const images = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`${ds.name}: sample index ${i} (position ${k}) is outside [0, ${n})`);
    images.set(ds.images.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = ds.labels[i];
  }
  return { images, labels };
}

function labelTensor<E extends LabelEncoding>(labels: Int32Array, numClasses: number, encoding: E): LabelTensor<E> {
  if (encoding === 'index') return tf.tensor1d(labels, 'int32') as LabelTensor<E>;
  // Built on the JS side: tf.oneHot gives int32 and would need a cast, i.e. a second tensor.
  const oneHot = new Float32Array(labels.length * numClasses);
  labels.forEach((y, k) => (oneHot[k * numClasses + y] = 1));
  return tf.tensor2d(oneHot, [labels.length, numClasses], 'float32') as LabelTensor<E>;
}

/** The given samples as tensors; the caller owns (and disposes) both. For small sets. */
export function toTensors<E extends LabelEncoding = 'one-hot'>(
  ds: Dataset,
  indices: ArrayLike<number>,
  labels: E = 'one-hot' as E,
  transform?: BatchOptions['transform'],
): { x: tf.Tensor4D; y: LabelTensor<E> } {
  const g = gather(ds, indices);
  transform?.(g.images, Int32Array.from(indices));
  const [h, w, c] = ds.inputShape;
  const x = tf.tensor4d(g.images, [indices.length, h, w, c], 'float32');
  return { x, y: labelTensor(g.labels, ds.numClasses, labels) };
}

/**
 * Yields batches of the samples in `order` (e.g. a split part's indices, shuffled with
 * random.ts `shuffled(part.indices, epochSeed)`). Each batch is disposed when the next is requested
 * or the loop ends; see the module comment.
 */
export function batchIterator<E extends LabelEncoding = 'one-hot'>(
  ds: Dataset,
  order: ArrayLike<number>,
  opts: BatchOptions<E>,
): Generator<Batch<E>, void, undefined> {
  // Checked here rather than in the generator, whose body only runs on the first next().
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize: expected an integer >= 1, got ${batchSize}`);
  const encoding = opts.labels ?? ('one-hot' as E);
  if (encoding !== 'index' && encoding !== 'one-hot') throw new Error(`labels: expected "index" or "one-hot", got "${String(encoding)}"`);
  const end = opts.dropRemainder ? order.length - (order.length % batchSize) : order.length;
  return batches(ds, order, batchSize, end, encoding, opts.transform);
}

function* batches<E extends LabelEncoding>(
  ds: Dataset,
  order: ArrayLike<number>,
  batchSize: number,
  end: number,
  encoding: E,
  transform?: BatchOptions['transform'],
): Generator<Batch<E>, void, undefined> {
  let current: Batch<E> | null = null;
  try {
    for (let start = 0; start < end; start += batchSize) {
      if (current) tf.dispose([current.x, current.y]);
      current = null;
      const indices = Int32Array.from({ length: Math.min(batchSize, end - start) }, (_, k) => order[start + k]);
      current = { ...toTensors(ds, indices, encoding, transform), indices };
      yield current;
    }
  } finally {
    // Runs on normal end, on break/return, and on a throw in the consumer's loop body.
    if (current) tf.dispose([current.x, current.y]);
  }
}

/** Number of batches batchIterator will yield. */
export function batchCount(n: number, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}
