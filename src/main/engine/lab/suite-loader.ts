/**
 * Reading what the suite builder wrote: a manifest, a generation pool as differentiable models
 * (what CAE, MetaFinger, GanFinger and AnaFP optimise against) and an evaluation suite's members as
 * classifiers (what fingerprint evaluation scores). Every model is checked against the hash the
 * manifest recorded, so a swapped or corrupted file is an error naming it, not a silent wrong score.
 */
import type * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadModel } from '../models/model-io.ts';
import type { ArchSpec } from '../models/types.ts';
import type { ManifestEntry } from './build-recipe.ts';
import { modelClassifier } from './classifier.ts';
import { SUITE_FORMAT, type SuiteManifest } from './manifest.ts';
import type { Classifier } from './types.ts';
import { getWrapper } from './wrappers/index.ts';

export async function readSuiteManifest(dir: string): Promise<SuiteManifest> {
  const path = join(resolve(dir), 'manifest.json');
  let m: SuiteManifest;
  try {
    m = JSON.parse(await readFile(path, 'utf8')) as SuiteManifest;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${path}: ${e.code === 'ENOENT' ? 'not found (not a suite or pool directory; build one with `provenant lab build`)' : e.message}`);
  }
  if (m?.format !== SUITE_FORMAT) throw new Error(`${path}: unknown format ${JSON.stringify(m?.format)} (expected "${SUITE_FORMAT}")`);
  if (!Array.isArray(m.models)) throw new Error(`${path}: "models" must be a list`);
  if (!m.complete) throw new Error(`${path}: the build did not finish (complete: false); run the same \`provenant lab build\` again to resume it`);
  return m;
}

/** A pool or suite model loaded from disk, verified against its manifest hash. */
export interface LoadedMember {
  entry: ManifestEntry;
  model: tf.LayersModel;
  spec: ArchSpec;
  sha256: string;
}

async function loadMember(dir: string, e: ManifestEntry): Promise<LoadedMember> {
  if (!e.dir) throw new Error(`${dir}/manifest.json: model "${e.id}" has no directory`);
  const loaded = await loadModel(join(dir, e.dir));
  if (e.sha256 && loaded.saved.sha256 !== e.sha256) {
    loaded.model.dispose();
    throw new Error(`${join(dir, e.dir)}: sha256 ${loaded.saved.sha256} does not match ${e.sha256} in manifest.json (modified or replaced)`);
  }
  if (!loaded.meta) {
    loaded.model.dispose();
    throw new Error(`${join(dir, e.dir)}: no Provenant metadata (architecture unknown)`);
  }
  return { entry: e, model: loaded.model, spec: loaded.meta.spec, sha256: loaded.saved.sha256 };
}

export interface LoadedPool {
  manifest: SuiteManifest;
  positives: LoadedMember[];
  negatives: LoadedMember[];
  /** Members not usable for generation, with why (query-time wrappers are not models). */
  skipped: { id: string; reason: string }[];
  dispose(): void;
}

/** A generation pool (purpose 'pool') as differentiable models. */
export async function loadPool(dir: string, expect?: { sourceSha256?: string }): Promise<LoadedPool> {
  const root = resolve(dir);
  const manifest = await readSuiteManifest(root);
  if (manifest.purpose !== 'pool') {
    throw new Error(`${root}: this is an evaluation suite (purpose "${manifest.purpose}"), not a generation pool; build one with \`provenant lab build --purpose pool\``);
  }
  if (expect?.sourceSha256 && manifest.source.sha256 !== expect.sourceSha256) {
    throw new Error(`${root}: the pool was built around source ${manifest.source.sha256.slice(0, 16)}…, not ${expect.sourceSha256.slice(0, 16)}…`);
  }
  const positives: LoadedMember[] = [];
  const negatives: LoadedMember[] = [];
  const skipped: LoadedPool['skipped'] = [];
  const dispose = () => [...positives, ...negatives].forEach((m) => m.model.dispose());
  try {
    for (const e of manifest.models) {
      if (e.kind === 'wrapper') {
        skipped.push({ id: e.id, reason: 'query-time wrapper: not a model generation can differentiate through' });
        continue;
      }
      (e.role === 'positive' ? positives : negatives).push(await loadMember(root, e));
    }
  } catch (err) {
    dispose();
    throw err;
  }
  return { manifest, positives, negatives, skipped, dispose };
}

export interface LoadedSuite {
  manifest: SuiteManifest;
  dir: string;
  /** Every saved model of the suite (wrappers are built on demand around these or the source). */
  models: Map<string, LoadedMember>;
  /**
   * A fresh classifier for one manifest entry. Fresh each call because noisy wrappers advance their
   * seeded noise per query: two methods scoring the same suspect must each start from its seed.
   */
  classifier(entry: ManifestEntry): Classifier;
  dispose(): void;
}

/** An evaluation suite's members, loaded once; `source` is the suite's source model (wrappers may wrap it). */
export async function loadSuite(dir: string, source: tf.LayersModel): Promise<LoadedSuite> {
  const root = resolve(dir);
  const manifest = await readSuiteManifest(root);
  const models = new Map<string, LoadedMember>();
  try {
    for (const e of manifest.models) if (e.kind !== 'wrapper') models.set(e.id, await loadMember(root, e));
  } catch (err) {
    models.forEach((m) => m.model.dispose());
    throw err;
  }
  const classifier = (e: ManifestEntry): Classifier => {
    if (e.kind !== 'wrapper') {
      const m = models.get(e.id);
      if (!m) throw new Error(`${root}: model "${e.id}" is not in this suite`);
      return modelClassifier(m.model, e.id);
    }
    const baseModel = e.base === 'source' ? source : models.get(e.base ?? '')?.model;
    if (!baseModel) throw new Error(`${root}/manifest.json: wrapper "${e.id}" wraps unknown "${e.base}"`);
    return getWrapper(e.method).wrap(modelClassifier(baseModel, e.base), e.params, e.seed);
  };
  return { manifest, dir: root, models, classifier, dispose: () => models.forEach((m) => m.model.dispose()) };
}

/** The saved models of a suite or pool that `keep` selects (wrappers have no model and are never selected). */
export async function loadSuiteMembers(dir: string, keep: (e: ManifestEntry) => boolean): Promise<LoadedMember[]> {
  const root = resolve(dir);
  const manifest = await readSuiteManifest(root);
  const out: LoadedMember[] = [];
  try {
    for (const e of manifest.models) if (e.kind !== 'wrapper' && keep(e)) out.push(await loadMember(root, e));
  } catch (err) {
    out.forEach((m) => m.model.dispose());
    throw err;
  }
  return out;
}
