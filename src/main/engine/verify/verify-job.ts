/**
 * The verify job: score a suspect (model directory, ONNX file or prediction API) with a saved trigger
 * set, score the innocent models of a calibration suite (its negatives, held out from generation) as
 * the null, and give the calibrated verdict.
 *
 * The suspect is queried through accountedSuspect: every exchange goes to the query log (and any
 * extra recorder), replies already in the log are reused, and a query budget is enforced. Running out
 * of budget ends the job with a PARTIAL result — queries used, queries still needed, how to resume —
 * and never a verdict: a score from part of the trigger set is not the method's score.
 */
import { getMethod } from '../methods/index.ts';
import { readTriggerSet } from '../methods/trigger-set-io.ts';
import type { Progress } from '../methods/types.ts';
import { loadSuiteMembers } from '../lab/suite-loader.ts';
import type { ReplyCache } from '../suspects/accounted-suspect.ts';
import { classifierSuspect } from '../suspects/classifier-suspect.ts';
import { openSuspect, type SuspectSpec } from '../suspects/open-suspect.ts';
import type { QueryRecorder } from '../suspects/types.ts';
import { modelClassifier } from '../lab/classifier.ts';
import { scoreSuspect } from './score-suspect.ts';
import { matchCounts, verdict, type NullModelScore, type Verdict } from './verdict.ts';

export interface VerifyRequest {
  triggersDir: string;
  suspect: SuspectSpec;
  /** A suite whose negatives (innocent models) form the null. */
  nullSuiteDir: string;
  labelsOnly?: boolean;
  level?: number;
  /** Most queries this run may send to the suspect (replies from the query log are free). */
  budget?: number;
  /** JSONL query log; an existing log of the same verification is resumed. */
  queryLog?: string;
  /** Also receives every exchange (the case store). */
  recorder?: QueryRecorder;
  /** Replies recorded by an earlier, interrupted run (the case store's), reused instead of re-sent. */
  replies?: { cache: ReplyCache; seqStart: number };
  onProgress?: (p: Progress & { phase: 'suspect' | 'null' }) => void;
  signal?: AbortSignal;
}

export interface QueryAccount {
  /** Inputs the method asks the suspect about in a complete run. */
  needed: number;
  /** Inputs answered so far (this run and, when resumed, the log). */
  answered: number;
  /** Sent to the suspect in this run. */
  sent: number;
  /** Answered from the query log of an earlier run (or repeated inputs). */
  reused: number;
  budget?: number;
}

interface VerifyCommon {
  method: string;
  triggers: { dir: string; sha256: string };
  suspect: { identity: string; kind: SuspectSpec['kind']; location: string; sha256?: string; describe: string; labelsOnly: boolean };
  queries: QueryAccount;
  queryLog?: { file: string; resumedReplies: number; droppedPartialLine: boolean };
}

export interface VerifyComplete extends VerifyCommon {
  status: 'complete';
  score: number;
  /** The suspect's per-trigger (or per-group) match flags and counts, when the method defines them. */
  matches?: { flags: number[]; matches: number; trials: number };
  nullScores: NullModelScore[];
  /** Null models left out because they are the suspect itself. */
  excludedFromNull: string[];
  verdict: Verdict;
}

export interface VerifyPartial extends VerifyCommon {
  status: 'partial';
  /** Why it stopped, and how to go on. No score, no verdict. */
  reason: string;
}

export type VerifyResult = VerifyComplete | VerifyPartial;

export { expectedQueries } from './score-suspect.ts';

export async function runVerify(req: VerifyRequest): Promise<VerifyResult> {
  const { set, saved } = await readTriggerSet(req.triggersDir);
  const method = getMethod(set.method);
  const labelsOnly = Boolean(req.labelsOnly);
  const used = new Set([...set.pools.positives, ...set.pools.negatives, set.source.sha256]);
  const opened = await openSuspect(req.suspect, { inputShape: set.inputShape, numClasses: set.numClasses, labelOnly: labelsOnly });
  let nullModels: Awaited<ReturnType<typeof loadSuiteMembers>> = [];
  try {
    if (!labelsOnly && opened.oracle.labelOnly) throw new Error(`${opened.identity}: the suspect answers labels only; verify with --labels-only`);
    // The null is checked before the first query: a remote suspect's budget is not spent on a run
    // that cannot give a verdict.
    nullModels = await loadSuiteMembers(req.nullSuiteDir, (e) => e.role === 'negative');
    const overlap = nullModels.find((m) => used.has(m.sha256));
    if (overlap) throw new Error(`${req.nullSuiteDir}: null model "${overlap.entry.id}" was used to generate the trigger set; the null must be held out`);
    const scored = await scoreSuspect({
      set, triggersSha256: saved.sha256, opened, labelsOnly, budget: req.budget, queryLog: req.queryLog, recorder: req.recorder, replies: req.replies,
      signal: req.signal, onProgress: (p) => req.onProgress?.({ ...p, phase: 'suspect' }),
    });
    const q = scored.queries;
    const common: VerifyCommon = {
      method: set.method,
      triggers: { dir: saved.dir, sha256: saved.sha256 },
      suspect: { identity: opened.identity, ...opened.exhibit, describe: opened.oracle.describe(), labelsOnly },
      queries: { needed: q.needed, answered: q.answered, sent: q.sent, reused: q.reused, ...(q.budget !== undefined ? { budget: q.budget } : {}) },
      ...(scored.queryLog ? { queryLog: scored.queryLog } : {}),
    };
    const s = scored.score;
    if (!s) {
      return {
        ...common, status: 'partial',
        reason: `the query budget (${scored.budgetExhausted!.budget}) ran out before the trigger set was fully answered; no score and no verdict. ${req.queryLog ? `Every reply is kept in ${req.queryLog}: run again with the same query log (and a budget) to resume without re-sending a query.` : 'Run again with a query log (--query-log FILE) to be able to resume.'}`,
      };
    }
    // A model is never its own null reference: the suspect itself (same hash) is left out of the null.
    const nullSet = nullModels.filter((m) => m.sha256 !== opened.exhibit.sha256);
    const nullScores: NullModelScore[] = [];
    req.onProgress?.({ done: 0, total: nullSet.length, message: 'scoring the innocent models', phase: 'null' });
    for (const [k, m] of nullSet.entries()) {
      if (req.signal?.aborted) throw new Error('verify: cancelled');
      const r = await method.score(set, classifierSuspect(modelClassifier(m.model), { labelOnly: labelsOnly, name: m.entry.id }), { signal: req.signal });
      const rc = matchCounts(r);
      nullScores.push({ id: m.entry.id, score: r.score, ...(rc.matches !== undefined ? { matches: rc.matches } : {}) });
      req.onProgress?.({ done: k + 1, total: nullSet.length, message: `null model ${m.entry.id}`, phase: 'null' });
    }
    const c = matchCounts(s);
    return {
      ...common, status: 'complete',
      score: s.score,
      ...(s.matches && c.matches !== undefined && c.trials !== undefined ? { matches: { flags: Array.from(s.matches), matches: c.matches, trials: c.trials } } : {}),
      nullScores,
      excludedFromNull: nullModels.filter((m) => !nullSet.includes(m)).map((m) => m.entry.id),
      verdict: verdict({ score: s.score, matches: c.matches, trials: c.trials, nullScores, level: req.level }),
    };
  } finally {
    await opened.oracle.close?.();
    nullModels.forEach((m) => m.model.dispose());
  }
}
