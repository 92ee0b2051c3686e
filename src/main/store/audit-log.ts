/**
 * The audit log: one row per write made through the store, appended in the write's own transaction,
 * each chained to the one before it.
 *
 *   content_hash = rowHash(the written row as SQLite returns it right after the write)
 *   hash         = SHA-256(prev_hash + canonicalJson({seq, time, actor, action, table, rowId, contentHash}))
 *   prev_hash    = the previous entry's hash; GENESIS (64 zeros) for seq 1
 *
 * Sequence numbers are consecutive from 1, so a deleted entry leaves a gap. Editing an entry breaks
 * its own hash; editing it and re-hashing breaks the next entry's prev_hash; rewriting the whole tail
 * is only caught against a head hash kept elsewhere (the report and the bundle print it).
 */
import type Database from 'better-sqlite3';
import { canonicalJson, rowHash, sha256Hex } from './canonical.ts';
import type { AuditEntry } from './types.ts';

export const GENESIS = '0'.repeat(64);

/** Every audited table and its primary key (integer keys except case_info's UUID). */
export const AUDITED_TABLES = {
  case_info: { key: 'id', integer: false },
  exhibits: { key: 'id', integer: true },
  endpoints: { key: 'id', integer: true },
  trigger_sets: { key: 'id', integer: true },
  runs: { key: 'id', integer: true },
  queries: { key: 'id', integer: true },
  verdicts: { key: 'run_id', integer: true },
  notes: { key: 'id', integer: true },
} as const;
export type AuditedTable = keyof typeof AUDITED_TABLES;

export interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  table_name: string;
  row_id: string;
  content_hash: string | null;
  prev_hash: string;
  hash: string;
}

export function entryHash(prevHash: string, e: { seq: number; time: string; actor: string; action: string; table: string; rowId: string; contentHash: string | null }): string {
  const { seq, time, actor, action, table, rowId, contentHash } = e;
  return sha256Hex(prevHash + canonicalJson({ seq, time, actor, action, table, rowId, contentHash }));
}

export function readRow(db: Database.Database, table: AuditedTable, rowId: string): Record<string, unknown> | undefined {
  const t = AUDITED_TABLES[table];
  return db.prepare(`SELECT * FROM ${table} WHERE ${t.key} = ?`).get(t.integer ? Number(rowId) : rowId) as Record<string, unknown> | undefined;
}

/** Appends the entry for a write just made to `table`/`rowId`. Call inside the write's transaction. */
export function appendAudit(db: Database.Database, w: { actor: string; action: string; table: AuditedTable; rowId: string | number; time?: string }): AuditEntry {
  const rowId = String(w.rowId);
  const row = readRow(db, w.table, rowId);
  const contentHash = row ? rowHash(row) : null;
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS;
  const time = w.time ?? new Date().toISOString();
  const hash = entryHash(prevHash, { seq, time, actor: w.actor, action: w.action, table: w.table, rowId, contentHash });
  db.prepare('INSERT INTO audit_log (seq, time, actor, action, table_name, row_id, content_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(seq, time, w.actor, w.action, w.table, rowId, contentHash, prevHash, hash);
  return { seq, time, actor: w.actor, action: w.action, table: w.table, rowId, contentHash, prevHash, hash };
}

export type ChainBreak =
  | { seq: number; reason: 'gap'; detail: string }
  | { seq: number; reason: 'previous-hash'; detail: string }
  | { seq: number; reason: 'content-hash'; detail: string };

export interface ChainReport {
  entries: number;
  /** The last entry: anchor it elsewhere (report, bundle) to detect a rewritten tail. */
  head: { seq: number; hash: string } | null;
  /** The first entry where the chain breaks; entries after it are not trusted. */
  firstBroken?: ChainBreak;
}

/** Recomputes the whole chain, in seq order, and names the first entry that breaks it. */
export function verifyChain(db: Database.Database): ChainReport {
  let expectedSeq = 1;
  let prev = GENESIS;
  let entries = 0;
  let head: ChainReport['head'] = null;
  let firstBroken: ChainBreak | undefined;
  for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    entries++;
    head = { seq: r.seq, hash: r.hash };
    if (firstBroken) continue;
    if (r.seq !== expectedSeq) {
      firstBroken = { seq: r.seq, reason: 'gap', detail: `audit entries ${expectedSeq}${r.seq - 1 > expectedSeq ? `–${r.seq - 1}` : ''} are missing before entry ${r.seq} (deleted)` };
    } else if (r.prev_hash !== prev) {
      firstBroken = { seq: r.seq, reason: 'previous-hash', detail: `audit entry ${r.seq} does not point to entry ${r.seq - 1} (prev_hash ${r.prev_hash.slice(0, 12)}…, entry ${r.seq - 1} has ${prev.slice(0, 12)}…): an earlier entry was changed or replaced` };
    } else {
      const want = entryHash(r.prev_hash, { seq: r.seq, time: r.time, actor: r.actor, action: r.action, table: r.table_name, rowId: r.row_id, contentHash: r.content_hash });
      if (want !== r.hash) firstBroken = { seq: r.seq, reason: 'content-hash', detail: `audit entry ${r.seq} (${r.action} ${r.table_name} ${r.row_id}) was altered: its hash does not match its content` };
    }
    prev = r.hash;
    expectedSeq = r.seq + 1;
  }
  return { entries, head, ...(firstBroken ? { firstBroken } : {}) };
}
