/**
 * Builds one suspect of a suite, in whatever thread runs it: applies a removal attack to the source
 * or trains an independent model, measures it on the held-out test split, and saves it atomically
 * with its manifest entry inside its metadata. A model already on disk with the same recipe hash is
 * kept (builds resume). Query-time wrappers save nothing: they are measured around their base.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { batchIterator } from '../data/batches.ts';
import { deriveSeed } from '../data/random.ts';
import type { Dataset, DatasetSplits } from '../data/types.ts';
import { buildModel } from '../models/architectures.ts';
import { loadModel, saveModel } from '../models/model-io.ts';
import { trainModel } from '../models/training.ts';
import { resolveTrainConfig } from '../models/train-source.ts';
import type { ArchSpec, ModelMeta } from '../models/types.ts';
import { engineInfo } from '../tensor/backend.ts';
import { getAttack } from './attacks/index.ts';
import { modelClassifier } from './classifier.ts';
import type { Purpose, Recipe } from './recipes.ts';
import type { Classifier, LabProgress } from './types.ts';
import { getWrapper } from './wrappers/index.ts';

/** Everything a builder needs, loaded once per thread. */
export interface LabEnv {
  source: tf.LayersModel;
  sourceMeta: ModelMeta;
  sourceSha256: string;
  data: Dataset;
  splits: DatasetSplits;
  outDir: string;
  suiteSeed: number;
  purpose: Purpose;
}

/** One line of manifest.json. */
export interface ManifestEntry {
  id: string;
  role: Recipe['role'];
  kind: Recipe['kind'];
  /** attack id, wrapper id, or 'independent'. */
  method: string;
  params: Record<string, unknown>;
  arch: string;
  seed: number;
  recipeHash: string;
  /** Top-1 accuracy on the held-out test split. */
  testAccuracy: number;
  /** Fraction of test inputs on which its label equals the source's. */
  agreement: number;
  /** Model directory relative to the suite directory (absent for wrappers). */
  dir?: string;
  sha256?: string;
  /** For wrappers: the entry id (or 'source') it wraps. */
  base?: string;
  backend: string;
  seconds: number;
  details?: Record<string, unknown>;
}

export const recipeSeed = (suiteSeed: number, purpose: Purpose, id: string): number => deriveSeed(suiteSeed, `${purpose}/${id}`);

export function recipeHash(env: LabEnv, recipe: Recipe, seed: number): string {
  const identity = { recipe, seed, purpose: env.purpose, source: env.sourceSha256, split: env.splits.record.sha256 };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** Labels of a classifier on the test split, in split order. */
export function testLabels(c: Classifier, data: Dataset, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  let k = 0;
  for (const batch of batchIterator(data, indices, { batchSize: 256, labels: 'index' })) {
    const labels = tf.tidy(() => c.predictProbs(batch.x).argMax(-1).dataSync() as Int32Array);
    out.set(labels, k);
    k += labels.length;
  }
  return out;
}

function score(labels: Int32Array, sourceLabels: Int32Array, data: Dataset, indices: Int32Array) {
  let correct = 0;
  let agree = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === data.labels[indices[i]]) correct++;
    if (labels[i] === sourceLabels[i]) agree++;
  }
  return { testAccuracy: correct / labels.length, agreement: agree / labels.length };
}

let sourceLabelCache: { sha: string; labels: Int32Array } | null = null;
/** The source's labels on the test split, computed once per source and thread. */
export function sourceTestLabels(env: LabEnv): Int32Array {
  if (sourceLabelCache?.sha !== env.sourceSha256) {
    sourceLabelCache = { sha: env.sourceSha256, labels: testLabels(modelClassifier(env.source), env.data, env.splits.test.indices) };
  }
  return sourceLabelCache.labels;
}

/** An existing model built from the same recipe, or null. */
async function existing(dir: string, hash: string): Promise<ManifestEntry | null> {
  if (!existsSync(join(dir, 'model.json'))) return null;
  try {
    const { model, meta, saved } = await loadModel(dir);
    model.dispose();
    const lab = (meta?.training as { lab?: { recipeHash?: string; entry?: ManifestEntry } } | undefined)?.lab;
    return lab?.recipeHash === hash && lab.entry ? { ...lab.entry, sha256: saved.sha256 } : null;
  } catch {
    return null; // unreadable leftovers are rebuilt (the save replaces them atomically)
  }
}

/** Builds (or finds) one attack or independent recipe and returns its manifest entry. */
export async function buildModelRecipe(env: LabEnv, recipe: Recipe, opts: { onProgress?: (p: LabProgress) => void; signal?: AbortSignal } = {}): Promise<ManifestEntry> {
  if (recipe.kind === 'wrapper') throw new Error(`recipe ${recipe.id}: wrappers are measured with measureWrapperRecipe`);
  const seed = recipeSeed(env.suiteSeed, env.purpose, recipe.id);
  const hash = recipeHash(env, recipe, seed);
  const rel = join('models', recipe.id);
  const dir = join(env.outDir, rel);
  const found = await existing(dir, hash);
  if (found) return found;
  const started = performance.now();
  let model: tf.LayersModel;
  let spec: ArchSpec;
  let params: Record<string, unknown>;
  let details: Record<string, unknown> | undefined;
  if (recipe.kind === 'attack') {
    const result = await getAttack(recipe.attack).run(
      { source: env.source, sourceSpec: env.sourceMeta.spec, data: env.data, attackerIndices: env.splits.attacker.indices, seed, onProgress: opts.onProgress, signal: opts.signal },
      recipe.params,
    );
    ({ model, spec } = result);
    params = result.record.params;
    details = result.record.details;
  } else {
    spec = { arch: recipe.arch, inputShape: env.data.inputShape, numClasses: env.data.numClasses, seed, ...(recipe.width ? { width: recipe.width } : {}) };
    model = buildModel(spec);
    const config = resolveTrainConfig(env.data.id, deriveSeed(seed, 'shuffle'), { epochs: recipe.epochs });
    const indices = recipe.split === 'attacker' ? env.splits.attacker.indices : env.splits.ownerTrain.indices;
    await trainModel(model, env.data, indices, config, {
      signal: opts.signal,
      onProgress: (p) => opts.onProgress?.({ done: (p.epoch - 1) * p.batches + p.batch, total: p.epochs * p.batches, message: `epoch ${p.epoch}/${p.epochs}` }),
    });
    params = { arch: recipe.arch, width: recipe.width ?? 1, split: recipe.split, train: config };
  }
  try {
    const labels = testLabels(modelClassifier(model), env.data, env.splits.test.indices);
    const entry: ManifestEntry = {
      id: recipe.id, role: recipe.role, kind: recipe.kind,
      method: recipe.kind === 'attack' ? recipe.attack : 'independent',
      params, arch: spec.arch, seed, recipeHash: hash,
      ...score(labels, sourceTestLabels(env), env.data, env.splits.test.indices),
      dir: rel, backend: engineInfo().backend, seconds: (performance.now() - started) / 1000,
      ...(details ? { details } : {}),
    };
    const meta: ModelMeta = {
      format: 'provenant-model/1', spec, input: { range: [0, 1], layout: 'NHWC' }, classNames: env.data.classNames,
      training: { role: recipe.role, lab: { recipeHash: hash, purpose: env.purpose, suiteSeed: env.suiteSeed, source: env.sourceSha256, split: env.splits.record.sha256, entry } },
      engine: engineInfo(), createdAt: new Date().toISOString(),
    };
    const saved = await saveModel(model, dir, meta, { overwrite: true });
    return { ...entry, sha256: saved.sha256 };
  } finally {
    model.dispose();
  }
}

/** Measures a wrapper recipe around its base (the source or an already built model). */
export async function measureWrapperRecipe(env: LabEnv, recipe: Recipe, baseEntry: ManifestEntry | null): Promise<ManifestEntry> {
  if (recipe.kind !== 'wrapper') throw new Error(`recipe ${recipe.id} is not a wrapper`);
  const seed = recipeSeed(env.suiteSeed, env.purpose, recipe.id);
  const started = performance.now();
  let baseModel = env.source;
  let owned: tf.LayersModel | null = null;
  if (recipe.base !== 'source') {
    if (!baseEntry?.dir) throw new Error(`recipe ${recipe.id}: its base "${recipe.base}" was not built`);
    owned = (await loadModel(join(env.outDir, baseEntry.dir))).model;
    baseModel = owned;
  }
  try {
    const wrapper = getWrapper(recipe.wrapper);
    const classifier = wrapper.wrap(modelClassifier(baseModel, recipe.base), recipe.params, seed);
    const labels = testLabels(classifier, env.data, env.splits.test.indices);
    return {
      id: recipe.id, role: recipe.role, kind: 'wrapper', method: recipe.wrapper,
      params: { ...wrapper.defaults, ...recipe.params }, arch: baseEntry?.arch ?? env.sourceMeta.spec.arch, seed,
      recipeHash: recipeHash(env, recipe, seed), base: recipe.base,
      ...score(labels, sourceTestLabels(env), env.data, env.splits.test.indices),
      backend: engineInfo().backend, seconds: (performance.now() - started) / 1000,
    };
  } finally {
    owned?.dispose();
  }
}
