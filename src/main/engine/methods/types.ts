/**
 * The fingerprinting contract. A method generates a TriggerSet from a differentiable source model
 * (plus, for some methods, pools of positive / negative models from the lab) and scores a suspect
 * against it: a number in [0,1], higher = more likely derived, aware of label-only suspects.
 * One file per method in this folder, all implementing FingerprintMethod.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Dataset, DatasetSplits } from '../data/types.ts';
import type { ArchSpec } from '../models/types.ts';
import type { EngineInfo } from '../tensor/backend.ts';
import type { Suspect } from '../suspects/types.ts';

export const METHOD_IDS = ['ipguard', 'cae', 'metafinger', 'adv-tra', 'mfue', 'ganfinger', 'anafp'] as const;
export type MethodId = (typeof METHOD_IDS)[number];

export interface Progress {
  done: number;
  total: number;
  message?: string;
}

/** A model the method may differentiate through (the source, pool members). */
export interface DifferentiableModel {
  model: tf.LayersModel;
  spec: ArchSpec;
  sha256: string;
}

export interface GenerateContext {
  source: DifferentiableModel;
  data: Dataset;
  /** Base samples come from the owner's data (ownerTrain); never from the test split. */
  splits: DatasetSplits;
  /** Generation pools (built with purpose 'pool'), for the methods that need them. */
  pools?: { positives: DifferentiableModel[]; negatives: DifferentiableModel[] };
  seed: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface ScoreContext {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * A trigger set is data, not code: everything needed to verify, byte-for-byte reproducible from
 * (source, data, pools, method, params, seed, backend). No timestamps inside (they would break
 * byte equality); generation time is recorded by whoever runs the job.
 */
export interface TriggerSet {
  format: 'provenant-triggers/1';
  method: MethodId;
  /** Every parameter with defaults filled in. */
  params: Record<string, unknown>;
  seed: number;
  inputShape: [number, number, number];
  numClasses: number;
  /** n·h·w·c float32 NHWC in [0,1]. */
  inputs: Float32Array;
  /** The source's label on each trigger (what a derived suspect should answer). */
  labels: Int32Array;
  /**
   * Per-trigger auxiliaries by name, each of length n·w: w values per trigger, row-major (w = 1 for
   * scalars such as MFUE's source loss or ADV-TRA's trajectory id; w = h·w·c for a per-trigger image
   * such as a probe direction). Everything scoring needs must be here: the arbiter has no source.
   */
  aux: Record<string, Float32Array | Int32Array>;
  source: { sha256: string; arch: string };
  /** Hashes of the pool models used (empty when the method needs none). */
  pools: { positives: string[]; negatives: string[] };
  engine: EngineInfo;
}

export interface Score {
  /** In [0,1]; higher means more likely derived from the source. */
  score: number;
  /** Per-trigger (or per-group) match flags, when the method defines them. */
  matches?: Uint8Array;
  /** Inputs the suspect answered for this score. */
  queries: number;
  details?: Record<string, unknown>;
}

export interface FingerprintMethod<P extends object = Record<string, unknown>> {
  id: MethodId;
  description: string;
  /** What generation needs beyond the source. */
  needs: { positives?: boolean; negatives?: boolean };
  /** Whether score() works on a label-only suspect. */
  labelOnly: boolean;
  defaults: P;
  generate(ctx: GenerateContext, params: Partial<P>): Promise<TriggerSet>;
  score(set: TriggerSet, suspect: Suspect, ctx?: ScoreContext): Promise<Score>;
}
