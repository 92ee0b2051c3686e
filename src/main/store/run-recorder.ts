/**
 * The case store as a verification's QueryRecorder and reply cache — the SQLite twin of the JSONL
 * query log (engine/suspects/query-log.ts).
 *
 * record() inserts the exchange and its audit entry in one committed transaction (synchronous=FULL:
 * on disk) before it returns, and accountedSuspect uses an answer only after record() returned. So a
 * process killed at any moment leaves every answer it used in the case. Opening the recorder again
 * for the same run rebuilds the reply cache from the recorded ok exchanges and continues the
 * numbering: the resumed run sends no query twice and ends with the numbers of an uninterrupted one.
 */
import { memoryCache, type ReplyCache } from '../engine/suspects/accounted-suspect.ts';
import type { QueryExchange, QueryRecorder } from '../engine/suspects/types.ts';
import { jsonColumn } from './canonical.ts';
import { auditedWrite, type StoreContext } from './context.ts';
import { queryFromRow } from './case-rows.ts';
import { getRun } from './case-writes.ts';

export interface RunRecorder {
  recorder: QueryRecorder;
  /** Replies already recorded for this run (ok exchanges), keyed by input hash. */
  cache: ReplyCache;
  /** Last recorded sequence number (accountedSuspect's seqStart): numbering continues after it. */
  seqStart: number;
  /** What was found in the case for this run when the recorder opened. */
  resumed: { exchanges: number; replies: number };
}

/** Rebuilds the reply cache of a run from its ok exchanges. */
function rebuildCache(ctx: StoreContext, runId: number): { cache: ReplyCache; seqStart: number; exchanges: number; replies: number } {
  const cache = memoryCache();
  let seqStart = 0;
  let exchanges = 0;
  let replies = 0;
  for (const row of ctx.db.prepare('SELECT * FROM queries WHERE run_id = ? ORDER BY seq').iterate(runId) as IterableIterator<Record<string, unknown>>) {
    const q = queryFromRow(row);
    seqStart = Math.max(seqStart, q.seq);
    exchanges++;
    if (q.outcome !== 'ok') continue;
    const n = q.inputHashes.length;
    const k = q.probs ? q.probs.length / n : 0;
    if (q.labels?.length !== n || (q.probs && !Number.isInteger(k))) throw new Error(`run ${runId}, query ${q.seq}: the recorded reply does not match its ${n} inputs; the case is damaged (run check)`);
    q.inputHashes.forEach((hash, j) => {
      cache.set(hash, { label: q.labels![j], ...(q.probs ? { probs: Float32Array.from(q.probs.slice(j * k, (j + 1) * k)) } : {}) });
      replies++;
    });
  }
  return { cache, seqStart, exchanges, replies };
}

function checkExchange(e: QueryExchange): void {
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) throw new Error(`query exchange: seq must be a positive integer, got ${e.seq}`);
  if (!Array.isArray(e.inputHashes) || e.inputHashes.some((h) => typeof h !== 'string')) throw new Error(`query exchange ${e.seq}: inputHashes must be strings`);
  if (e.outcome === 'ok' && e.labels?.length !== e.inputHashes.length) throw new Error(`query exchange ${e.seq}: an ok reply needs one label per input (${e.labels?.length ?? 0} for ${e.inputHashes.length})`);
  if (e.outcome === 'ok' && e.probs && e.probs.length % e.inputHashes.length !== 0) throw new Error(`query exchange ${e.seq}: ${e.probs.length} probabilities for ${e.inputHashes.length} inputs`);
}

export function openRunRecorder(ctx: StoreContext, runId: number): RunRecorder {
  const run = getRun(ctx, runId);
  if (ctx.readOnly) throw new Error(`${ctx.dir}: the case is open read-only; cannot record queries`);
  if (run.status !== 'running') throw new Error(`run ${runId}: cannot record queries: it is ${run.status}${run.status === 'partial' ? ' (resume it first)' : ''}`);
  const { cache, seqStart, exchanges, replies } = rebuildCache(ctx, runId);
  const insert = ctx.db.prepare(`INSERT INTO queries (run_id, seq, oracle, time, latency_ms, attempt, outcome, http_status, error, input_hashes, labels, probs)
                                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const status = ctx.db.prepare('SELECT status FROM runs WHERE id = ?');
  const recorder: QueryRecorder = {
    record(e) {
      checkExchange(e);
      auditedWrite(ctx, 'query.record', 'queries', () => {
        // Checked inside the transaction: a run finished meanwhile takes no more exchanges.
        const s = (status.get(runId) as { status: string }).status;
        if (s !== 'running') throw new Error(`run ${runId}: cannot record query ${e.seq}: the run is ${s}`);
        try {
          const { lastInsertRowid: id } = insert.run(runId, e.seq, e.oracle, e.time, e.latencyMs, e.attempt, e.outcome, e.httpStatus ?? null, e.error ?? null,
            jsonColumn(e.inputHashes, 'inputHashes'), jsonColumn(e.labels, 'labels'), jsonColumn(e.probs, 'probs'));
          return { rowId: Number(id), value: undefined };
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new Error(`run ${runId}: query ${e.seq} is already recorded (a second recorder on the same run, or numbering not continued from seqStart)`);
          throw err;
        }
      });
    },
  };
  return { recorder, cache, seqStart, resumed: { exchanges, replies } };
}
