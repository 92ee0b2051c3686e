/**
 * Public types of the model lab: removal attacks that derive a pirated model from the source
 * (positives), query-time wrappers that change how a deployed model answers, and the suite records
 * (manifest) that fingerprint evaluation reads. One attack per file in attacks/, one wrapper per
 * file in wrappers/, all behind the interfaces below.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types.ts';
import type { ArchSpec } from '../models/types.ts';

export const ATTACK_IDS = ['ftll', 'ftal', 'rtll', 'rtal', 'prune', 'adv-train', 'extract'] as const;
export type AttackId = (typeof ATTACK_IDS)[number];

export interface LabProgress {
  done: number;
  total: number;
  message?: string;
}

/** What every attack gets. The attack must only train on `attackerIndices` of `data`. */
export interface AttackContext {
  /** The source (victim) model; attacks never modify it (they copy weights first). */
  source: tf.LayersModel;
  sourceSpec: ArchSpec;
  data: Dataset;
  /** The attacker's split: the only samples an attack may train on or query the source with. */
  attackerIndices: Int32Array;
  /** Seed of every random choice the attack makes (init, shuffling, PGD starts, …). */
  seed: number;
  onProgress?: (p: LabProgress) => void;
  signal?: AbortSignal;
}

/** What an attack returns: a new model (caller owns and disposes it) and how it was made. */
export interface AttackResult {
  model: tf.LayersModel;
  /** The architecture of the returned model (the source's, or the student's for extraction). */
  spec: ArchSpec;
  record: AttackRecord;
}

export interface AttackRecord {
  attack: AttackId;
  /** Every parameter after defaults were applied. */
  params: Record<string, unknown>;
  seed: number;
  /** Free-form facts worth keeping (e.g. achieved sparsity, query count, final train accuracy). */
  details?: Record<string, unknown>;
}

/** One removal attack. `params` are validated by the attack, with errors naming the field. */
export interface Attack<P extends object = Record<string, unknown>> {
  id: AttackId;
  /** One line for tables and the UI. */
  description: string;
  defaults: P;
  run(ctx: AttackContext, params: Partial<P>): Promise<AttackResult>;
}

// ---- query-time wrappers ----------------------------------------------------------------------

/**
 * Anything that answers classification queries: a model, a wrapped model, later a remote API.
 * `x` is NHWC float32 in [0,1]. Returns probabilities [n, numClasses] (caller disposes).
 */
export interface Classifier {
  readonly inputShape: [number, number, number];
  readonly numClasses: number;
  predictProbs(x: tf.Tensor4D): tf.Tensor2D;
  /** One line saying what this is ("cnn", "blur(k=5) ∘ cnn"). */
  describe(): string;
}

export const WRAPPER_IDS = ['crop-resize', 'flip', 'rotate', 'gaussian-noise', 'gaussian-blur', 'dp-logits', 'query-filter'] as const;
export type WrapperId = (typeof WRAPPER_IDS)[number];

export interface WrapperSpec {
  wrapper: WrapperId;
  params: Record<string, unknown>;
  /** Seed of the wrapper's randomness (noise draws), advanced per query batch deterministically. */
  seed: number;
}

/** Makes a wrapped classifier; the wrapped one is not changed. */
export interface Wrapper<P extends object = Record<string, unknown>> {
  id: WrapperId;
  description: string;
  defaults: P;
  wrap(base: Classifier, params: Partial<P>, seed: number): Classifier;
}
