/**
 * Builds a suite (or a generation pool): every recipe of a preset, models in parallel worker threads
 * (each with its own tfjs backend) when more than one core helps, wrappers afterwards in this
 * thread. Resumable (models already built from the same recipe are kept), cancellable (AbortSignal;
 * saves are atomic, so a cancelled build leaves only whole models), and the manifest is rewritten
 * after every model so an interrupted build still says what it holds.
 */
import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { engineInfo } from '../tensor/backend.ts';
import { buildModelRecipe, measureWrapperRecipe, sourceTestLabels, type ManifestEntry } from './build-recipe.ts';
import { loadLabEnv, type LabEnvRequest } from './lab-env.ts';
import { SUITE_FORMAT, writeManifest, type SuiteManifest } from './manifest.ts';
import { presetRecipes, type Preset, type Recipe } from './recipes.ts';
import type { LabProgress } from './types.ts';

export interface SuiteProgress {
  done: number;
  total: number;
  /** Recipe ids being built right now, with their own progress. */
  running: { id: string; p?: LabProgress }[];
  elapsedSeconds: number;
  etaSeconds: number;
  last?: ManifestEntry;
}

export interface SuiteBuildRequest extends LabEnvRequest {
  preset: Preset;
  /** Worker threads for model training (default: 2 when the machine has ≥ 2 cores; 1 = in this thread). */
  workers?: number;
  onProgress?: (p: SuiteProgress) => void;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export async function buildSuite(req: SuiteBuildRequest): Promise<SuiteManifest> {
  const started = performance.now();
  await mkdir(req.outDir, { recursive: true });
  const env = await loadLabEnv(req);
  try {
    const recipes = presetRecipes(req.preset);
    const modelRecipes = recipes.filter((r) => r.kind !== 'wrapper');
    const entries = new Map<string, ManifestEntry>();
    const sourceLabels = sourceTestLabels(env);
    let correct = 0;
    sourceLabels.forEach((l, i) => (correct += l === env.data.labels[env.splits.test.indices[i]] ? 1 : 0));
    const manifest = (complete: boolean): SuiteManifest => ({
      format: SUITE_FORMAT, purpose: req.purpose, preset: req.preset, seed: req.suiteSeed, createdAt: new Date().toISOString(), complete,
      source: { dir: req.sourceDir, sha256: env.sourceSha256, arch: env.sourceMeta.spec.arch, testAccuracy: correct / sourceLabels.length },
      dataset: env.splits.record.dataset, split: env.splits.record.sha256, engine: engineInfo(),
      seconds: (performance.now() - started) / 1000,
      models: recipes.map((r) => entries.get(r.id)).filter((e): e is ManifestEntry => Boolean(e)),
    });
    const running = new Map<string, LabProgress | undefined>();
    const report = (last?: ManifestEntry) => {
      const elapsed = (performance.now() - started) / 1000;
      const done = entries.size;
      req.onProgress?.({
        done, total: recipes.length, running: [...running].map(([id, p]) => ({ id, p })), elapsedSeconds: elapsed,
        etaSeconds: done > 0 ? (elapsed / done) * (recipes.length - done) : Number.NaN, last,
      });
    };
    const finished = async (entry: ManifestEntry) => {
      entries.set(entry.id, entry);
      running.delete(entry.id);
      await writeManifest(req.outDir, manifest(false));
      report(entry);
    };
    const workers = Math.max(1, Math.min(req.workers ?? Math.min(2, cpus().length), modelRecipes.length));
    req.log?.(`building ${recipes.length} suspects (${modelRecipes.length} models, ${recipes.length - modelRecipes.length} wrappers) with ${workers} worker${workers > 1 ? 's' : ''}`);
    if (workers > 1) await buildInWorkers(req, modelRecipes, workers, running, finished, report);
    else {
      for (const r of modelRecipes) {
        if (req.signal?.aborted) throw new Error('suite build cancelled');
        running.set(r.id, undefined);
        await finished(await buildModelRecipe(env, r, { signal: req.signal, onProgress: (p) => (running.set(r.id, p), report()) }));
      }
    }
    for (const r of recipes.filter((x) => x.kind === 'wrapper')) {
      if (req.signal?.aborted) throw new Error('suite build cancelled');
      const base = r.kind === 'wrapper' && r.base !== 'source' ? entries.get(r.base) ?? null : null;
      running.set(r.id, undefined);
      await finished(await measureWrapperRecipe(env, r, base));
    }
    const final = manifest(true);
    await writeManifest(req.outDir, final);
    return final;
  } finally {
    env.source.dispose();
  }
}

function buildInWorkers(
  req: SuiteBuildRequest,
  recipes: Recipe[],
  count: number,
  running: Map<string, LabProgress | undefined>,
  finished: (e: ManifestEntry) => Promise<void>,
  report: () => void,
): Promise<void> {
  const queue = [...recipes];
  const pool: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let busy = 0;
    const stop = (err?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    req.signal?.addEventListener('abort', () => stop(new Error('suite build cancelled')), { once: true });
    const next = (w: Worker) => {
      const r = queue.shift();
      if (!r) {
        if (busy === 0) stop();
        return;
      }
      busy++;
      running.set(r.id, undefined);
      w.postMessage({ type: 'build', recipe: r });
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./suite-worker-boot.mjs', import.meta.url), {
        workerData: { env: { sourceDir: req.sourceDir, dataset: req.dataset, datasetOptions: req.datasetOptions, outDir: req.outDir, suiteSeed: req.suiteSeed, purpose: req.purpose }, backend: engineInfo().backend },
      });
      pool.push(w);
      w.on('message', (msg: { type: string; id?: string; entry?: ManifestEntry; message?: string; p?: LabProgress }) => {
        if (settled) return;
        if (msg.type === 'ready') next(w);
        else if (msg.type === 'progress') (running.set(msg.id!, msg.p), report());
        else if (msg.type === 'done') {
          // Counted as busy until its manifest entry is written, so the build cannot end before it.
          finished(msg.entry!).then(() => (busy--, next(w)), (e: Error) => stop(e));
        } else if (msg.type === 'error') stop(new Error(`recipe ${msg.id}: ${msg.message}`));
        else if (msg.type === 'fatal') stop(new Error(`suite worker: ${msg.message}`));
      });
      w.on('error', (e) => stop(e));
      w.on('exit', (code) => code !== 0 && !settled && stop(new Error(`suite worker exited with code ${code}`)));
    }
  });
}
