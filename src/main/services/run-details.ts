/**
 * `runs.get`: one run of a case for the results page — the run and its verdict as recorded, the
 * innocent models' scores it was calibrated on, the ROC saved by the verify job (when its suite had
 * pirated models), every trigger with its label, whether the suspect matched it and a thumbnail,
 * the query account, and the report and bundle made for it. Nothing is recomputed: these are the
 * case's numbers.
 */
import { runBundle } from './run-bundle.ts';
import { existsSync, readFileSync } from 'node:fs';
import type { OutputOf } from '../../shared/contract.ts';
import type { CaseStore, Run } from '../store/index.ts';
import { caseArtefacts, fileSha256 } from './case-artefacts.ts';
import { runView } from './case-service.ts';
import { FieldError } from './data-folder.ts';

/** Triggers shown with a thumbnail (a 100-trigger set is ~150 KB of PNGs at 2×). */
export const MAX_TRIGGERS = 200;

type RunsGet = OutputOf<'runs.get'>;

interface RecordedVerify {
  triggers?: { dir: string; sha256: string };
  matches?: { flags: number[] };
  queries?: { needed: number; reused: number };
}

/** The trigger set a run used: the verification's own record, else its trigger-set row's exhibit. */
function triggerDir(store: CaseStore, run: Run): string | undefined {
  const result = run.result as (RecordedVerify & { triggerSet?: number }) | undefined;
  if (result?.triggers?.dir) return result.triggers.dir;
  const tsId = run.triggerSetId ?? result?.triggerSet;
  const ts = tsId === undefined ? undefined : store.triggerSets().find((t) => t.id === tsId);
  return ts ? store.exhibit(ts.exhibitId)?.location : undefined;
}

async function triggerRows(dir: string | undefined, flags: number[] | undefined): Promise<RunsGet['triggers']> {
  if (!dir || !existsSync(dir)) return [];
  const [{ readTriggerSet }, { pixelsToPng }] = await Promise.all([import('../engine/methods/trigger-set-io.ts'), import('../evidence/report/thumbnails.ts')]);
  const { set } = await readTriggerSet(dir);
  const [h, w, c] = set.inputShape;
  const size = h * w * c;
  const n = set.labels.length;
  const perTrigger = flags && flags.length === n ? flags : undefined;
  const rows: RunsGet['triggers'] = [];
  for (let i = 0; i < Math.min(n, MAX_TRIGGERS); i++) {
    const png = c === 1 || c === 3 ? `data:image/png;base64,${pixelsToPng(set.inputs.subarray(i * size, (i + 1) * size), set.inputShape, 2).toString('base64')}` : '';
    rows.push({ index: i, label: set.labels[i], ...(perTrigger ? { matched: perTrigger[i] === 1 } : {}), png });
  }
  return rows;
}

export async function runDetails(store: CaseStore, runId: number): Promise<RunsGet> {
  const run = store.run(runId);
  if (!run) throw new FieldError('runId', `the case has no run ${runId} (runs: ${store.runs().map((r) => r.id).join(', ') || 'none'})`);
  const verdict = store.verdict(runId);
  const recorded = (run.result ?? {}) as RecordedVerify;
  const q = store.querySummary(runId);
  const artefacts = caseArtefacts(store.dir);
  const rocFile = artefacts.roc(runId);
  const roc = existsSync(rocFile) ? (JSON.parse(readFileSync(rocFile, 'utf8')) as { points: { fpr: number; tpr: number }[]; auc: number }) : null;
  const reportFile = artefacts.report(runId);
  const bundle = runBundle(store, runId);
  return {
    run: runView(store, run),
    nullScores: (verdict?.nullScores ?? []).map((n) => ({ id: n.id, score: n.score })),
    roc: roc ? { points: roc.points.map((p) => ({ fpr: p.fpr, tpr: p.tpr })), auc: roc.auc } : null,
    triggers: await triggerRows(triggerDir(store, run), recorded.matches?.flags),
    queries: {
      ...(recorded.queries ? { needed: recorded.queries.needed } : {}),
      sent: q.inputsAnswered, reused: recorded.queries?.reused ?? 0, retries: q.retries, byOutcome: q.byOutcome,
    },
    ...(existsSync(reportFile) ? { report: { file: reportFile, sha256: fileSha256(reportFile) } } : {}),
    ...(bundle ? { bundle: { file: bundle.exhibit.location, sha256: bundle.exhibit.sha256, signer: bundle.signer } } : {}),
  };
}
