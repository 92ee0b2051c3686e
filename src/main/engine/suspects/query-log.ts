/**
 * A query log: every exchange with one suspect, one JSON object per line, appended and flushed
 * (fdatasync) before the reply is used. It is both the recorder and, on reopening, the reply cache of
 * an interrupted verification (budget spent, Ctrl-C, crash): replies already received are reused, so
 * a resumed run sends no query twice and ends with the numbers of an uninterrupted one.
 *
 * Line 1 is a header naming what the log belongs to (suspect, trigger set, mode); reopening it for
 * anything else is refused. A last line cut short by a crash is dropped (its request is simply sent
 * again); a malformed line anywhere else is an error: the log is evidence and is never guessed at.
 * The case store (SQLite) implements the same recorder/cache pair later; this file is the portable
 * form the CLI uses.
 */
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { memoryCache, type ReplyCache } from './accounted-suspect.ts';
import type { QueryExchange, QueryRecorder } from './types.ts';

export const QUERY_LOG_FORMAT = 'provenant-query-log/1';

/** What a log belongs to: a resumed run must match on every field. */
export interface QueryLogIdentity {
  /** The suspect as identified in evidence (file hash, or protocol + redacted URL); no secrets. */
  suspect: string;
  triggersSha256: string;
  method: string;
  labelOnly: boolean;
}

export interface QueryLog {
  file: string;
  recorder: QueryRecorder;
  cache: ReplyCache;
  /** Last sequence number in the log (continue numbering from here). */
  seqStart: number;
  resumed: { exchanges: number; replies: number; droppedPartialLine: boolean };
  close(): void;
}

export function openQueryLog(file: string, id: QueryLogIdentity, numClasses: number): QueryLog {
  const cache = memoryCache();
  const resumed = { exchanges: 0, replies: 0, droppedPartialLine: false };
  let seqStart = 0;
  const fresh = !existsSync(file) || statSync(file).size === 0;
  if (!fresh) {
    const text = readFileSync(file, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // A crash mid-append: keep every complete line, drop the cut one.
      resumed.droppedPartialLine = true;
      truncateSync(file, Buffer.byteLength(text.slice(0, end)));
    }
    const lines = text.slice(0, end).split('\n').slice(0, -1);
    const parse = (line: string, i: number) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`${file}: line ${i + 1} is not JSON; the query log is damaged (it is evidence: restore it or start a new log)`);
      }
    };
    if (!lines.length) throw new Error(`${file}: no header line; not a query log`);
    const head = parse(lines[0], 0);
    if (head?.format !== QUERY_LOG_FORMAT) throw new Error(`${file}: not a ${QUERY_LOG_FORMAT} file (format ${JSON.stringify(head?.format)})`);
    for (const key of ['suspect', 'triggersSha256', 'method', 'labelOnly'] as const) {
      if (head[key] !== id[key]) throw new Error(`${file}: this query log belongs to another verification (${key} ${JSON.stringify(head[key])}, this run ${JSON.stringify(id[key])}); use a new log file`);
    }
    lines.slice(1).forEach((line, i) => {
      const e = parse(line, i + 1) as QueryExchange;
      if (!Number.isInteger(e.seq) || !Array.isArray(e.inputHashes)) throw new Error(`${file}: line ${i + 2} is not a query exchange`);
      seqStart = Math.max(seqStart, e.seq);
      resumed.exchanges++;
      if (e.outcome !== 'ok') return;
      if (e.labels?.length !== e.inputHashes.length || (e.probs && e.probs.length !== e.labels.length * numClasses)) throw new Error(`${file}: line ${i + 2}: reply does not match its ${e.inputHashes.length} inputs`);
      e.inputHashes.forEach((hash, j) => {
        cache.set(hash, { label: e.labels![j], ...(e.probs ? { probs: Float32Array.from(e.probs.slice(j * numClasses, (j + 1) * numClasses)) } : {}) });
        resumed.replies++;
      });
    });
  }
  const fd = openSync(file, 'a');
  const append = (obj: unknown) => {
    writeSync(fd, `${JSON.stringify(obj)}\n`);
    fdatasyncSync(fd);
  };
  if (fresh) append({ format: QUERY_LOG_FORMAT, ...id, createdAt: new Date().toISOString() });
  let open = true;
  return {
    file,
    cache,
    seqStart,
    resumed,
    recorder: { record: (e) => append(e) },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
