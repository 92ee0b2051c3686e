/**
 * The generate job shared by `provenant generate`, evaluation and (later) the app: load a source
 * model with the data and split it was trained on, load the generation pool when the method needs
 * one, run the method, save the trigger set. Generation time is measured here (not stored inside
 * the trigger set, whose bytes must not depend on the clock).
 */
import type { DatasetOptions } from '../data/registry.ts';
import type { DatasetId } from '../data/types.ts';
import { loadSourceEnv, type OnnxSourceOptions, type SourceEnv } from '../lab/lab-env.ts';
import { loadPool, type LoadedPool } from '../lab/suite-loader.ts';
import { saveTriggerSet, type SavedTriggerSet } from './trigger-set-io.ts';
import { getMethod } from './index.ts';
import type { GenerateContext, Progress, TriggerSet } from './types.ts';

export interface GenerateRequest {
  method: string;
  sourceDir: string;
  poolDir?: string;
  params?: Record<string, unknown>;
  seed: number;
  /** Where to save the trigger set; omitted = keep in memory only. */
  outDir?: string;
  overwrite?: boolean;
  dataset?: DatasetId;
  datasetOptions?: DatasetOptions[DatasetId];
  /** When sourceDir is an .onnx file: its declared preprocessing and the split seed. */
  sourceOnnx?: OnnxSourceOptions;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface GenerateResult {
  set: TriggerSet;
  saved?: SavedTriggerSet;
  seconds: number;
  /** Pool members left out (e.g. query-time wrappers), with why. */
  poolSkipped: { id: string; reason: string }[];
}

/** Runs a method against an already loaded source (and pool); evaluation uses this directly. */
export async function generateWith(env: SourceEnv, pool: LoadedPool | null, req: Omit<GenerateRequest, 'sourceDir' | 'poolDir'>): Promise<GenerateResult> {
  const method = getMethod(req.method);
  const needsPool = Boolean(method.needs.positives || method.needs.negatives);
  if (needsPool && !pool) {
    throw new Error(`${method.id} needs a generation pool of positives and negatives: build one with \`provenant lab build --source SRC --purpose pool\` and pass --pools DIR`);
  }
  const ctx: GenerateContext = {
    source: { model: env.source, spec: env.sourceMeta.spec, sha256: env.sourceSha256 },
    data: env.data,
    splits: env.splits,
    ...(needsPool && pool ? { pools: { positives: pool.positives, negatives: pool.negatives } } : {}),
    seed: req.seed,
    onProgress: req.onProgress,
    signal: req.signal,
  };
  const started = performance.now();
  const set = await method.generate(ctx, req.params ?? {});
  const seconds = (performance.now() - started) / 1000;
  const saved = req.outDir ? await saveTriggerSet(set, req.outDir, { overwrite: req.overwrite }) : undefined;
  return { set, saved, seconds, poolSkipped: needsPool ? (pool?.skipped ?? []) : [] };
}

export async function runGenerate(req: GenerateRequest): Promise<GenerateResult> {
  getMethod(req.method); // fail on a bad method name before loading anything
  const env = await loadSourceEnv(req.sourceDir, req.dataset, req.datasetOptions, req.sourceOnnx);
  let pool: LoadedPool | null = null;
  try {
    if (req.poolDir) pool = await loadPool(req.poolDir, { sourceSha256: env.sourceSha256 });
    return await generateWith(env, pool, req);
  } finally {
    pool?.dispose();
    env.source.dispose();
  }
}
