/**
 * Public types of the models module: architecture specs, model metadata, saved-model records.
 * Architectures are tfjs LayersModels built by the registry (architectures.ts); model IO
 * (model-io.ts) saves them as a tfjs directory (model.json + weights.bin) with our metadata inside
 * model.json's userDefinedMetadata.
 */
import type { EngineInfo } from '../tensor/backend.ts';

export const ARCH_IDS = ['mlp', 'lenet', 'cnn', 'vgg', 'resnet'] as const;
export type ArchId = (typeof ARCH_IDS)[number];

/** Everything needed to rebuild an untrained model bit-for-bit on the same backend. */
export interface ArchSpec {
  /** A registry architecture, or 'onnx': an imported ONNX graph (see `onnx`). */
  arch: ArchId | 'onnx';
  /** [height, width, channels], e.g. [28, 28, 1] or [32, 32, 3]. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Seed of every initializer (each layer derives its own from it). */
  seed: number;
  /** Width multiplier for channel/unit counts (default 1). Lets suites vary capacity. */
  width?: number;
  /** resnet only: basic residual blocks per stage (default 1). */
  blocksPerStage?: number;
  /** vgg only: dropout rate before the last dense layer (default 0: no dropout layer). */
  dropout?: number;
  /** onnx only: which graph (by the file's SHA-256) and how Provenant's input is fed to it. */
  onnx?: OnnxSpec;
}

/** An imported ONNX graph: the file (kept as graph.onnx next to the weights) and its declared input. */
export interface OnnxSpec {
  /** SHA-256 of the original ONNX file (graph + initial weights). */
  sha256: string;
  /** The file's name when it was imported (for reports). */
  file: string;
  /** NHWC [0,1] → the file's input: layout, scale, per-channel mean/std, channel order. */
  input: { layout: 'nchw' | 'nhwc'; scale: number; mean?: number[]; std?: number[]; channelOrder: 'rgb' | 'bgr' };
}

/** What Provenant stores about a model next to its weights. */
export interface ModelMeta {
  format: 'provenant-model/1';
  spec: ArchSpec;
  /** How the pixels are scaled before the model sees them; the model expects [0,1] NHWC floats. */
  input: { range: [0, 1]; layout: 'NHWC' };
  classNames?: string[];
  /** Free-form provenance: dataset + split hashes, training config, seeds, metrics. */
  training?: Record<string, unknown>;
  engine?: EngineInfo;
  createdAt: string;
}

export interface ArtefactHash {
  file: string;
  bytes: number;
  sha256: string;
}

export interface SavedModel {
  dir: string;
  files: ArtefactHash[];
  /** SHA-256 over the files' hashes in name order: one id for the whole model directory. */
  sha256: string;
}
