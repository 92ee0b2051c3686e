/**
 * A verification recorded in a case (`verify --case DIR`, the workbench's verify job). The trigger
 * set and the suspect (file or endpoint) are taken in as exhibits (hashed at intake), the run is opened with its method,
 * parameters, seeds and engine, every exchange with the suspect is committed to the case before its
 * reply is used, and the result and verdict close the run — all audited.
 *
 * Crash safety: a run that did not finish (killed, cancelled, out of budget) stays open; running the
 * same verification again resumes it — its recorded replies are reused, so no query is sent twice
 * and none is lost, and the final numbers are those of an uninterrupted run.
 */
import { readTriggerSet } from '../engine/methods/trigger-set-io.ts';
import { redactUrl } from '../engine/suspects/http/redact.ts';
import { suspectIdentity } from '../engine/suspects/open-suspect.ts';
import { engineInfo } from '../engine/tensor/backend.ts';
import { runVerify, type VerifyRequest, type VerifyResult } from '../engine/verify/verify-job.ts';
import { openCase, type Run } from '../store/index.ts';

export interface CaseVerifyOutcome {
  result: VerifyResult;
  run: Run;
  /** Replies reused from the run's earlier, interrupted attempt. */
  resumedReplies: number;
}

/** The run parameters that must match for a run to be resumed (not just the same suspect). */
function runParams(req: VerifyRequest) {
  return { level: req.level ?? 1e-3, labelsOnly: Boolean(req.labelsOnly), nullSuite: req.nullSuiteDir, budget: req.budget ?? null };
}

export async function verifyInCase(caseDir: string, req: VerifyRequest, log: (line: string) => void, actor?: string): Promise<CaseVerifyOutcome> {
  if (req.queryLog) throw new Error('--case records every query in the case; --query-log is for verifications outside a case (use one)');
  const store = openCase(caseDir, { actor });
  try {
    const { set, saved } = await readTriggerSet(req.triggersDir);
    const trig = await store.addExhibit({ role: 'trigger-set', path: req.triggersDir });
    const ts = store.addTriggerSet({ exhibitId: trig.id, method: set.method, params: set.params, seed: set.seed, sha256: saved.sha256 });
    const s = req.suspect;
    const suspectRef =
      s.kind === 'http'
        ? { suspectEndpointId: store.addEndpoint({ url: redactUrl(s.url), protocol: s.protocol, mode: req.labelsOnly ? 'labels' : 'probabilities' }).id }
        : { suspectExhibitId: (await store.addExhibit({ role: 'suspect-file', path: s.kind === 'onnx' ? s.file : s.dir })).id };
    const identity = await suspectIdentity(s);
    const params = runParams(req);
    // The budget may differ between attempts (that is how a partial run goes on); nothing else may.
    const same = (r: Run) => {
      const p = r.params as Partial<ReturnType<typeof runParams>>;
      return r.kind === 'verify' && r.identity === identity && r.triggerSetId === ts.id && (r.status === 'running' || r.status === 'partial') &&
        p.level === params.level && p.labelsOnly === params.labelsOnly && p.nullSuite === params.nullSuite;
    };
    const earlier = store.runs().filter(same).pop();
    const run = earlier ? store.resumeRun(earlier.id) : store.startRun({ kind: 'verify', method: set.method, params, seeds: { triggers: set.seed }, engine: engineInfo(), triggerSetId: ts.id, identity, ...suspectRef });
    const rec = store.recorder(run.id);
    const recorded = rec.cache.size;
    if (earlier) log(`resuming run ${run.id} of case ${store.info().name}: ${rec.cache.size} replies already recorded are not sent again`);
    let lastProgress = 0;
    try {
      const result = await runVerify({
        ...req,
        recorder: rec.recorder,
        replies: { cache: rec.cache, seqStart: rec.seqStart },
        onProgress: (p) => {
          req.onProgress?.(p);
          // A progress row is an audited, fsynced write: at most one every 2 s.
          if (Date.now() - lastProgress > 2000) [lastProgress] = [Date.now(), store.updateRunProgress(run.id, p)];
        },
      });
      const ended =
        result.status === 'complete'
          ? store.finishRun(run.id, { status: 'complete', result, verdict: { ...result.verdict, nullScores: result.nullScores } })
          : store.finishRun(run.id, { status: 'partial', result, error: result.reason });
      return { result, run: ended, resumedReplies: recorded };
    } catch (err) {
      // Cancelled, or the suspect failed (e.g. an API down past its retries): the replies recorded so
      // far stay evidence and the run stays resumable ('partial'); with none recorded it 'failed'.
      const any = store.querySummary(run.id).exchanges > 0;
      store.finishRun(run.id, { status: any || req.signal?.aborted ? 'partial' : 'failed', error: (err as Error).message });
      throw err;
    }
  } finally {
    store.close();
  }
}
