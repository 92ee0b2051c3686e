/**
 * The PDF report's model, filled from a case: the case and its parties, the run and its verdict
 * (as recorded — the report never recomputes a decision), the null it was calibrated on, exhibits
 * with their intake hashes, the query log's summary, thumbnails from the trigger set, the bundle
 * exported for the run (when there is one) and the command an arbiter runs to replay it.
 *
 * The ROC of the trigger set on its calibration suite is computed here when that suite has positives
 * saved as models (a standard suite does; the `calibration` preset has none): their scores against
 * the run's recorded null scores. Query-time wrappers are left out (they need the source model) and
 * the report says how many positives were used.
 */
import { runBundle } from './run-bundle.ts';
import { createRequire } from 'node:module';
import { getMethod } from '../engine/methods/index.ts';
import { readTriggerSet } from '../engine/methods/trigger-set-io.ts';
import { modelClassifier } from '../engine/lab/classifier.ts';
import { loadSuiteMembers } from '../engine/lab/suite-loader.ts';
import { classifierSuspect } from '../engine/suspects/classifier-suspect.ts';
import { aucFromPoints, roc } from '../engine/verify/metrics.ts';
import type { VerifyComplete } from '../engine/verify/verify-job.ts';
import type { ReportModelInput } from '../evidence/report/index.ts';
import type { CaseStore } from '../store/index.ts';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

export interface ReportOptions {
  /** Score the calibration suite's positives for a ROC (default true). */
  roc?: boolean;
  thumbnails?: number;
  log?: (line: string) => void;
  generatedAt?: string;
}

export async function reportModelFromCase(store: CaseStore, runId: number, opts: ReportOptions = {}): Promise<ReportModelInput> {
  const info = store.info();
  const run = store.run(runId);
  if (!run) throw new Error(`${info.dir}: no run ${runId} (runs: ${store.runs().map((r) => r.id).join(', ') || 'none'})`);
  if (run.kind !== 'verify') throw new Error(`run ${runId} is a ${run.kind} run; a report covers a verification`);
  const v = store.verdict(runId);
  if (run.status !== 'complete' || !v) throw new Error(`run ${runId} is ${run.status}: a report needs a complete verification with a verdict${run.status === 'partial' ? ' (resume it by running the same verify --case command)' : ''}`);
  const result = run.result as VerifyComplete;
  const { set, saved } = await readTriggerSet(result.triggers.dir);
  if (saved.sha256 !== result.triggers.sha256) throw new Error(`${result.triggers.dir}: the trigger set changed since run ${runId} (sha256 ${saved.sha256}, recorded ${result.triggers.sha256})`);
  const [h, w, c] = set.inputShape;
  const size = h * w * c;
  const q = store.querySummary(runId);
  const bundle = runBundle(store, runId);
  const params = run.params as { level: number; labelsOnly: boolean; nullSuite: string };
  const rocModel = opts.roc === false ? null : await suiteRoc(params.nullSuite, set, params.labelsOnly, v.nullScores.map((n) => n.score), opts.log);
  return {
    case: { id: info.id, name: info.name, parties: Object.entries(info.parties).filter(([, n]) => n).map(([role, name]) => ({ role, name: String(name) })), ...(info.description ? { description: info.description } : {}) },
    generatedAt: opts.generatedAt ?? new Date().toISOString(),
    producer: { provenant: pkg.version, engine: run.engine as { backend: string; versions: Record<string, string> } },
    run: { id: String(run.id), method: set.method, params: set.params, seeds: { triggers: set.seed }, level: params.level, labelsOnly: params.labelsOnly, startedAt: run.startedAt, ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}) },
    verdict: v,
    nullScores: v.nullScores.map((n) => ({ id: n.id, score: n.score, ...(n.matches !== undefined ? { matches: n.matches } : {}) })),
    ...(result.matches ? { suspectMatches: { matches: result.matches.matches, trials: result.matches.trials } } : {}),
    roc: rocModel,
    exhibits: [
      ...store.exhibits().map((e) => ({ role: e.role, path: e.path, size: e.size, sha256: e.sha256, acquiredAt: e.acquiredAt, ...(e.notes ? { notes: e.notes } : {}) })),
      ...store.endpoints().map((ep) => ({ role: 'suspect-endpoint', path: `${ep.protocol} ${ep.url}`, size: null, sha256: null, acquiredAt: ep.createdAt, notes: `mode ${ep.mode}` })),
    ],
    suspect: { identity: result.suspect.identity, kind: result.suspect.kind, location: result.suspect.location, ...(result.suspect.sha256 ? { sha256: result.suspect.sha256 } : {}), describe: result.suspect.describe },
    triggerSet: {
      sha256: saved.sha256, count: set.labels.length, inputShape: set.inputShape, numClasses: set.numClasses,
      thumbnails: Array.from({ length: Math.min(opts.thumbnails ?? 8, set.labels.length) }, (_, i) => ({ index: i, trigger: set.inputs.slice(i * size, (i + 1) * size), label: set.labels[i] })),
      ...(result.matches ? { matches: result.matches.flags } : {}),
    },
    queries: {
      needed: result.queries.needed, sent: q.inputsAnswered, reused: result.queries.reused, byOutcome: q.byOutcome, retries: q.retries,
      ...(q.firstTime ? { firstAt: q.firstTime } : {}), ...(q.lastTime ? { lastAt: q.lastTime } : {}),
      ...(q.latencyMedianMs !== undefined ? { latencyMs: { median: q.latencyMedianMs, p95: q.latencyP95Ms! } } : {}),
    },
    reproducibility: bundle
      ? { bundle: { file: bundle.exhibit.path, sha256: bundle.exhibit.sha256, signerFingerprint: bundle.signer }, replayCommand: replayCommand(bundle.exhibit.path, result) }
      : {},
  };
}

/** What an arbiter types to replay the bundle on the same suspect (a URL suspect needs its protocol flags too). */
export function replayCommand(bundlePath: string, r: VerifyComplete): string {
  const suspect = r.suspect.kind === 'http' ? `${r.suspect.location} --protocol ${r.suspect.identity.split(' ')[1]}` : r.suspect.location;
  return `provenant replay ${bundlePath} --suspect ${suspect}${r.suspect.labelsOnly ? ' --labels-only' : ''}`;
}

export async function suiteRoc(suiteDir: string, set: Awaited<ReturnType<typeof readTriggerSet>>['set'], labelsOnly: boolean, nullScores: number[], log?: (l: string) => void): Promise<ReportModelInput['roc']> {
  const positives = await loadSuiteMembers(suiteDir, (e) => e.role === 'positive').catch(() => []);
  if (!positives.length) return null;
  try {
    log?.(`scoring the ${positives.length} saved positives of ${suiteDir} for the ROC`);
    const method = getMethod(set.method);
    const pos: number[] = [];
    for (const m of positives) pos.push((await method.score(set, classifierSuspect(modelClassifier(m.model), { labelOnly: labelsOnly, name: m.entry.id }))).score);
    const points = roc(pos, nullScores);
    return { points, auc: aucFromPoints(points), suite: `${suiteDir} (${pos.length} saved positives; query-time wrappers not included)`, positives: pos.length, negatives: nullScores.length };
  } finally {
    positives.forEach((m) => m.model.dispose());
  }
}
