/**
 * Invariants and small helpers over the Dataset type. Every loader ends with validateDataset so
 * a dataset that reaches a split or a training loop is known to be consistent.
 */
import type { Dataset, DatasetRef } from './types.ts';

/** Number of samples. */
export function datasetSize(ds: Dataset): number {
  return ds.labels.length;
}

/** Floats per sample (h*w*c). */
export function sampleSize(ds: Dataset): number {
  const [h, w, c] = ds.inputShape;
  return h * w * c;
}

/** The reference an artefact records about its dataset. */
export function datasetRef(ds: Dataset): DatasetRef {
  return {
    id: ds.id,
    name: ds.name,
    sha256: ds.source.sha256,
    size: datasetSize(ds),
    inputShape: [...ds.inputShape],
    numClasses: ds.numClasses,
  };
}

/** Picks a label array just wide enough for the class count. */
export function allocLabels(n: number, numClasses: number): Uint8Array | Int32Array {
  return numClasses <= 256 ? new Uint8Array(n) : new Int32Array(n);
}

/**
 * Checks shapes, label range and pixel range; throws naming the dataset and the first offence.
 * The pixel scan is one pass over the floats, cheap next to reading the files.
 */
export function validateDataset(ds: Dataset): Dataset {
  const where = `dataset "${ds.name}"`;
  const [h, w, c] = ds.inputShape;
  if (![h, w, c].every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${where}: bad inputShape [${ds.inputShape.join(', ')}]`);
  }
  if (ds.classNames.length !== ds.numClasses) {
    throw new Error(`${where}: ${ds.classNames.length} class names for ${ds.numClasses} classes`);
  }
  const n = ds.labels.length;
  if (ds.images.length !== n * h * w * c) {
    throw new Error(`${where}: ${ds.images.length} floats for ${n} samples of ${h}x${w}x${c}`);
  }
  for (let i = 0; i < n; i++) {
    const y = ds.labels[i];
    if (y >= ds.numClasses) throw new Error(`${where}: sample ${i} has label ${y}, expected < ${ds.numClasses}`);
  }
  for (let i = 0; i < ds.images.length; i++) {
    const v = ds.images[i];
    // Written as a negated range test so NaN fails too.
    if (!(v >= 0 && v <= 1)) {
      throw new Error(`${where}: pixel ${i} (sample ${Math.floor(i / (h * w * c))}) is ${v}, expected [0, 1]`);
    }
  }
  if (ds.parts) {
    for (const [name, r] of Object.entries(ds.parts)) {
      if (r.start < 0 || r.count < 0 || r.start + r.count > n) {
        throw new Error(`${where}: part "${name}" [${r.start}, ${r.start + r.count}) is outside [0, ${n})`);
      }
    }
  }
  return ds;
}
