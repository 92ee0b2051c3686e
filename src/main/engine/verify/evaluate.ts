/**
 * Fingerprint evaluation: rank methods on a held-out evaluation suite. For each method: generate a
 * trigger set from the suite's source (with the generation pool, which must share no model with the
 * suite: checkSeparation), score every suite member, and compute AUC, TPR at 1 % / 10 % FPR (with
 * the FPR actually achievable with this many negatives), ARUC, per-family mean scores, queries per
 * suspect and timings. A method that fails is reported with its error, never dropped silently.
 *
 * Scoring modes: every method is scored against label-only suspects (what a prediction API gives).
 * Methods whose score uses probabilities when the suspect reveals them (MFUE's white-box loss test)
 * are scored a second time with probabilities, reported as a separate row.
 */
import { join } from 'node:path';
import { loadSourceEnv, type SourceEnv } from '../lab/lab-env.ts';
import { family, checkSeparation, type SuiteManifest } from '../lab/manifest.ts';
import { loadPool, loadSuite, readSuiteManifest, type LoadedPool, type LoadedSuite } from '../lab/suite-loader.ts';
import { generateWith } from '../methods/generate-job.ts';
import { getMethod } from '../methods/index.ts';
import { METHOD_IDS, type MethodId, type Progress } from '../methods/types.ts';
import { classifierSuspect } from '../suspects/classifier-suspect.ts';
import { engineInfo, type EngineInfo } from '../tensor/backend.ts';
import { aruc, auc, roc, tprAtFpr, type RocPoint, type TprAtFpr } from './metrics.ts';
import { matchCounts, verdict } from './verdict.ts';

/** Methods whose score differs when the suspect reveals probabilities (scored in both modes). */
export const PROBABILITY_AWARE: ReadonlySet<MethodId> = new Set<MethodId>(['mfue']);

export type ScoringMode = 'labels' | 'probabilities';

export interface EvalRequest {
  suiteDir: string;
  poolDir?: string;
  /** Method ids, or ['all']. */
  methods: string[];
  /** Per-method parameter overrides. */
  params?: Partial<Record<MethodId, Record<string, unknown>>>;
  seed: number;
  /** Where trigger sets are saved (one directory per method). */
  triggersDir: string;
  /** Override the source directory recorded in the suite manifest (e.g. the suite was moved). */
  sourceDir?: string;
  onProgress?: (p: EvalProgress) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface EvalProgress extends Progress {
  method: string;
  phase: 'generate' | 'score';
}

export interface SuspectScore {
  id: string;
  role: 'positive' | 'negative';
  family: string;
  score: number;
  /** Matched triggers out of `trials`, for match-rate scores. */
  matched?: number;
  trials?: number;
  queries: number;
  seconds: number;
}

export interface FamilyMean {
  role: 'positive' | 'negative';
  family: string;
  n: number;
  mean: number;
  min: number;
  max: number;
}

export interface MethodEval {
  method: MethodId;
  mode: ScoringMode;
  /** "mfue (probabilities)" for the second row of a probability-aware method, else the id. */
  label: string;
  generation?: { seconds: number; triggers: number; dir: string; sha256: string; params: Record<string, unknown> };
  metrics?: { auc: number; tprAt1: TprAtFpr; tprAt10: TprAtFpr; aruc: number; positives: number; negatives: number };
  roc?: RocPoint[];
  families?: FamilyMean[];
  queries?: { mean: number; max: number };
  verifySeconds?: { median: number; total: number };
  /** Verdicts at false-accusation level 1e-3 on this suite (suiteVerdicts). */
  verdicts?: VerdictSummary;
  scores?: SuspectScore[];
  error?: string;
}

export interface EvalReport {
  format: 'provenant-eval/1';
  dataset: SuiteManifest['dataset'];
  suite: { dir: string; preset: string; seed: number; positives: number; negatives: number; source: SuiteManifest['source'] };
  pool: { dir: string; preset: string; seed: number; positives: number; negatives: number; skipped: number } | null;
  seed: number;
  engine: EngineInfo;
  createdAt: string;
  seconds: number;
  methods: MethodEval[];
  /** Present when rows come from several runs (`provenant eval --append`). */
  runs?: { createdAt: string; seconds: number; methods: string[] }[];
}

export function resolveMethodList(methods: string[]): MethodId[] {
  const ids = methods.flatMap((m) => (m === 'all' ? [...METHOD_IDS] : m.split(',').map((s) => s.trim()).filter(Boolean)));
  for (const id of ids) getMethod(id); // unknown or unavailable → error naming it
  return [...new Set(ids)] as MethodId[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

export function familyMeans(scores: SuspectScore[]): FamilyMean[] {
  const groups = new Map<string, SuspectScore[]>();
  for (const s of scores) groups.set(`${s.role}\t${s.family}`, [...(groups.get(`${s.role}\t${s.family}`) ?? []), s]);
  return [...groups].map(([key, ss]) => {
    const [role, fam] = key.split('\t') as ['positive' | 'negative', string];
    const v = ss.map((s) => s.score);
    return { role, family: fam, n: v.length, mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) };
  });
}

/** Metrics of one scored method (exported for tests and for re-scoring saved results). */
/**
 * What the verdict layer would have said on this suite at `level`: each negative judged against the
 * other negatives as its null (leave-one-out: the measured false-accusation count), each positive
 * against all negatives (detections). The suite's negatives are held out from generation.
 */
export function suiteVerdicts(scores: SuspectScore[], level = 1e-3): VerdictSummary {
  const negs = scores.filter((s) => s.role === 'negative');
  const asNull = (xs: SuspectScore[]) => xs.map((x) => ({ id: x.id, score: x.score, matches: x.matched }));
  const judge = (s: SuspectScore, nulls: SuspectScore[]) => verdict({ score: s.score, matches: s.matched, trials: s.trials, nullScores: asNull(nulls), level }).decision;
  const negDecisions = negs.map((s) => judge(s, negs.filter((x) => x !== s)));
  const posDecisions = scores.filter((s) => s.role === 'positive').map((s) => judge(s, negs));
  const count = (ds: string[], d: string) => ds.filter((x) => x === d).length;
  return {
    level, model: negs.every((s) => s.trials !== undefined) ? 'beta-binomial' : 'beta',
    falseAccusations: count(negDecisions, 'derived'), negatives: negs.length,
    detections: count(posDecisions, 'derived'), positives: posDecisions.length,
    refused: count(negDecisions, 'insufficient-null') + count(posDecisions, 'insufficient-null'),
  };
}

export interface VerdictSummary {
  level: number;
  model: 'beta-binomial' | 'beta';
  falseAccusations: number;
  negatives: number;
  detections: number;
  positives: number;
  refused: number;
}

export function summarise(scores: SuspectScore[]): Pick<MethodEval, 'metrics' | 'roc' | 'families' | 'queries' | 'verifySeconds' | 'verdicts'> {
  const pos = scores.filter((s) => s.role === 'positive').map((s) => s.score);
  const neg = scores.filter((s) => s.role === 'negative').map((s) => s.score);
  if (!pos.length || !neg.length) throw new Error(`evaluation needs positives and negatives (got ${pos.length} and ${neg.length})`);
  return {
    metrics: { auc: auc(pos, neg), tprAt1: tprAtFpr(pos, neg, 0.01), tprAt10: tprAtFpr(pos, neg, 0.1), aruc: aruc(pos, neg), positives: pos.length, negatives: neg.length },
    roc: roc(pos, neg),
    families: familyMeans(scores),
    queries: { mean: scores.reduce((a, s) => a + s.queries, 0) / scores.length, max: Math.max(...scores.map((s) => s.queries)) },
    verifySeconds: { median: median(scores.map((s) => s.seconds)), total: scores.reduce((a, s) => a + s.seconds, 0) },
    verdicts: suiteVerdicts(scores),
  };
}

async function evaluateMethod(id: MethodId, env: SourceEnv, suite: LoadedSuite, pool: LoadedPool | null, req: EvalRequest): Promise<MethodEval[]> {
  const method = getMethod(id);
  const modes: ScoringMode[] = PROBABILITY_AWARE.has(id) ? ['labels', 'probabilities'] : ['labels'];
  const rows: MethodEval[] = modes.map((mode) => ({ method: id, mode, label: mode === 'labels' ? id : `${id} (probabilities)` }));
  try {
    const gen = await generateWith(env, pool, {
      method: id, seed: req.seed, params: req.params?.[id], outDir: join(req.triggersDir, id), overwrite: true,
      onProgress: (p) => req.onProgress?.({ ...p, method: id, phase: 'generate' }), signal: req.signal,
    });
    const generation = { seconds: gen.seconds, triggers: gen.set.labels.length, dir: gen.saved!.dir, sha256: gen.saved!.sha256, params: gen.set.params };
    req.log?.(`${id}: ${generation.triggers} triggers in ${gen.seconds.toFixed(1)} s`);
    // The trigger set names the pool models it was made with: none of them may be a suspect here.
    const used = new Set([...gen.set.pools.positives, ...gen.set.pools.negatives]);
    const clash = suite.manifest.models.find((e) => e.sha256 && used.has(e.sha256));
    if (clash) throw new Error(`suite model "${clash.id}" was used to generate the ${id} trigger set`);
    for (const row of rows) {
      row.generation = generation;
      const scores: SuspectScore[] = [];
      const entries = suite.manifest.models;
      for (const [k, e] of entries.entries()) {
        if (req.signal?.aborted) throw new Error('evaluation: cancelled');
        const suspect = classifierSuspect(suite.classifier(e), { labelOnly: row.mode === 'labels', name: e.id });
        const t0 = performance.now();
        const s = await method.score(gen.set, suspect, { signal: req.signal });
        // Match counts feed the verdict's beta-binomial null, when the score is exactly a match rate.
        const c = matchCounts(s);
        scores.push({
          id: e.id, role: e.role, family: family(e), score: s.score, queries: s.queries, seconds: (performance.now() - t0) / 1000,
          ...(c.trials !== undefined ? { matched: c.matches, trials: c.trials } : {}),
        });
        req.onProgress?.({ done: k + 1, total: entries.length, message: `scoring ${row.label}: ${e.id}`, method: row.label, phase: 'score' });
      }
      Object.assign(row, summarise(scores), { scores });
      req.log?.(`${row.label}: AUC ${row.metrics!.auc.toFixed(4)}, TPR@1%FPR ${row.metrics!.tprAt1.tpr.toFixed(3)}, ${row.queries!.mean.toFixed(0)} queries/suspect`);
    }
  } catch (err) {
    if (req.signal?.aborted) throw err;
    const msg = (err as Error).message ?? String(err);
    req.log?.(`${id}: FAILED: ${msg}`);
    for (const row of rows) if (!row.metrics) row.error = msg;
  }
  return rows;
}

export async function evaluate(req: EvalRequest): Promise<EvalReport> {
  const started = performance.now();
  const ids = resolveMethodList(req.methods);
  const suiteManifest = await readSuiteManifest(req.suiteDir);
  if (suiteManifest.purpose !== 'suite') throw new Error(`${req.suiteDir}: a generation pool cannot be used as the evaluation suite; build a suite with \`provenant lab build --purpose suite\``);
  const env = await loadSourceEnv(req.sourceDir ?? suiteManifest.source.dir, suiteManifest.dataset.id);
  let pool: LoadedPool | null = null;
  let suite: LoadedSuite | null = null;
  try {
    if (env.sourceSha256 !== suiteManifest.source.sha256) {
      throw new Error(`source ${env.sourceSha256.slice(0, 16)}… is not the suite's source ${suiteManifest.source.sha256.slice(0, 16)}… (${join(req.suiteDir, 'manifest.json')})`);
    }
    if (req.poolDir) {
      pool = await loadPool(req.poolDir, { sourceSha256: env.sourceSha256 });
      checkSeparation(pool.manifest, suiteManifest);
    }
    suite = await loadSuite(req.suiteDir, env.source);
    const methods: MethodEval[] = [];
    for (const id of ids) methods.push(...(await evaluateMethod(id, env, suite, pool, req)));
    const count = (m: SuiteManifest, role: string) => m.models.filter((e) => e.role === role).length;
    return {
      format: 'provenant-eval/1',
      dataset: suiteManifest.dataset,
      suite: { dir: suite.dir, preset: suiteManifest.preset, seed: suiteManifest.seed, positives: count(suiteManifest, 'positive'), negatives: count(suiteManifest, 'negative'), source: suiteManifest.source },
      pool: pool ? { dir: req.poolDir!, preset: pool.manifest.preset, seed: pool.manifest.seed, positives: pool.positives.length, negatives: pool.negatives.length, skipped: pool.skipped.length } : null,
      seed: req.seed,
      engine: engineInfo(),
      createdAt: new Date().toISOString(),
      seconds: (performance.now() - started) / 1000,
      methods,
    };
  } finally {
    suite?.dispose();
    pool?.dispose();
    env.source.dispose();
  }
}
