/**
 * Reading a run's query log back: by page, as a stream, and as the summary the report prints.
 */
import type { StoreContext } from './context.ts';
import { queryFromRow } from './case-rows.ts';
import { getRun } from './case-writes.ts';
import type { Page, QueryRecord, QuerySummary } from './types.ts';

type Row = Record<string, unknown>;

/** Exchanges of a run in seq order, `after` a sequence number, at most `limit` (default 1000). */
export function queryPage(ctx: StoreContext, runId: number, page: Page = {}): QueryRecord[] {
  getRun(ctx, runId);
  const rows = ctx.db.prepare('SELECT * FROM queries WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(runId, page.after ?? 0, page.limit ?? 1000) as Row[];
  return rows.map(queryFromRow);
}

/** Every exchange of a run in seq order, read lazily (do not write to the case while iterating). */
export function* eachQuery(ctx: StoreContext, runId: number): Generator<QueryRecord> {
  getRun(ctx, runId);
  for (const r of ctx.db.prepare('SELECT * FROM queries WHERE run_id = ? ORDER BY seq').iterate(runId) as IterableIterator<Row>) yield queryFromRow(r);
}

/** Quantile by linear interpolation between order statistics (numpy's default, "type 7"). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function querySummary(ctx: StoreContext, runId: number): QuerySummary {
  getRun(ctx, runId);
  const byOutcome = { ok: 0, retry: 0, failed: 0 };
  for (const r of ctx.db.prepare('SELECT outcome, COUNT(*) AS n FROM queries WHERE run_id = ? GROUP BY outcome').all(runId) as { outcome: keyof typeof byOutcome; n: number }[]) byOutcome[r.outcome] = r.n;
  const agg = ctx.db
    .prepare(`SELECT COUNT(*) AS exchanges, SUM(attempt > 1) AS retries, MIN(time) AS first, MAX(time) AS last,
                     SUM(CASE WHEN outcome = 'ok' THEN json_array_length(input_hashes) ELSE 0 END) AS answered
              FROM queries WHERE run_id = ?`)
    .get(runId) as { exchanges: number; retries: number | null; first: string | null; last: string | null; answered: number | null };
  const distinct = (ctx.db
    .prepare("SELECT COUNT(DISTINCT j.value) AS n FROM queries q, json_each(q.input_hashes) j WHERE q.run_id = ? AND q.outcome = 'ok'")
    .get(runId) as { n: number }).n;
  const latencies = (ctx.db.prepare('SELECT latency_ms AS l FROM queries WHERE run_id = ? ORDER BY latency_ms').all(runId) as { l: number }[]).map((r) => r.l);
  const httpStatuses: Record<string, number> = {};
  for (const r of ctx.db.prepare('SELECT http_status AS s, COUNT(*) AS n FROM queries WHERE run_id = ? AND http_status IS NOT NULL GROUP BY http_status ORDER BY http_status').all(runId) as { s: number; n: number }[]) httpStatuses[String(r.s)] = r.n;
  return {
    runId,
    exchanges: agg.exchanges,
    byOutcome,
    retries: agg.retries ?? 0,
    inputsAnswered: agg.answered ?? 0,
    distinctInputsAnswered: distinct,
    ...(agg.first ? { firstTime: agg.first, lastTime: agg.last! } : {}),
    ...(latencies.length ? { latencyMedianMs: quantile(latencies, 0.5), latencyP95Ms: quantile(latencies, 0.95) } : {}),
    httpStatuses,
  };
}
