/**
 * Scoring one opened suspect with a trigger set, with every query accounted for: replies reused from
 * a query log or a recorded run, each exchange recorded, the budget enforced, and the method's query
 * count checked against what a complete scoring needs. Shared by verification (verify-job.ts) and the
 * arbiter's replay (evidence/replay.ts), so both count and resume exactly the same way.
 */
import { getMethod } from '../methods/index.ts';
import type { Progress, Score, TriggerSet } from '../methods/types.ts';
import { accountedSuspect, type ReplyCache } from '../suspects/accounted-suspect.ts';
import type { OpenedSuspect } from '../suspects/open-suspect.ts';
import { openQueryLog } from '../suspects/query-log.ts';
import { BudgetExhaustedError, type QueryRecorder } from '../suspects/types.ts';

export interface ScoreSuspectRequest {
  set: TriggerSet;
  triggersSha256: string;
  opened: OpenedSuspect;
  labelsOnly: boolean;
  budget?: number;
  /** JSONL query log; an existing log of the same verification is resumed. */
  queryLog?: string;
  recorder?: QueryRecorder;
  /** Replies recorded by an earlier, interrupted run (the case store's). */
  replies?: { cache: ReplyCache; seqStart: number };
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface SuspectScore {
  /** Undefined when the budget ran out first (then `budgetExhausted` says how far it got). */
  score?: Score;
  budgetExhausted?: BudgetExhaustedError;
  queries: { needed: number; answered: number; sent: number; reused: number; resumedReplies: number; budget?: number };
  queryLog?: { file: string; resumedReplies: number; droppedPartialLine: boolean };
}

/** Queries a complete scoring of `set` sends: one per trigger input, except MFUE's label-only Monte Carlo (n·M). */
export function expectedQueries(set: TriggerSet, labelOnly: boolean): number {
  const n = set.labels.length;
  return set.method === 'mfue' && labelOnly ? n * Number(set.params.probes) : n;
}

export async function scoreSuspect(req: ScoreSuspectRequest): Promise<SuspectScore> {
  const { set, opened, labelsOnly } = req;
  if (req.queryLog && req.replies) throw new Error('a query log and a recorded run were both given as the replies to resume from; use one');
  const log = req.queryLog ? openQueryLog(req.queryLog, { suspect: opened.identity, triggersSha256: req.triggersSha256, method: set.method, labelOnly: labelsOnly }, set.numClasses) : undefined;
  try {
    const resumedReplies = log?.resumed.replies ?? req.replies?.cache.size ?? 0;
    const recorders = [log?.recorder, req.recorder].filter((r): r is QueryRecorder => r !== undefined);
    const suspect = accountedSuspect(opened.oracle, {
      budget: req.budget, cache: log?.cache ?? req.replies?.cache, seqStart: log?.seqStart ?? req.replies?.seqStart, signal: req.signal,
      recorder: { record: (e) => recorders.forEach((r) => r.record(e)) },
    });
    const needed = expectedQueries(set, labelsOnly);
    const account = (): SuspectScore => ({
      queries: { needed, answered: suspect.sent() + resumedReplies, sent: suspect.sent(), reused: suspect.cached(), resumedReplies, ...(req.budget !== undefined ? { budget: req.budget } : {}) },
      ...(log ? { queryLog: { file: log.file, resumedReplies: log.resumed.replies, droppedPartialLine: log.resumed.droppedPartialLine } } : {}),
    });
    let score: Score;
    try {
      score = await getMethod(set.method).score(set, suspect, { signal: req.signal, onProgress: req.onProgress });
    } catch (e) {
      if (!(e instanceof BudgetExhaustedError)) throw e;
      return { ...account(), budgetExhausted: e };
    }
    if (score.queries !== needed) throw new Error(`${set.method}: scored with ${score.queries} queries, expected ${needed} (query accounting disagrees)`);
    return { ...account(), score };
  } finally {
    log?.close();
  }
}
