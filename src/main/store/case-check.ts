/**
 * `provenant case check`: is this case what the store wrote? Four independent checks, each naming
 * what it found rather than stopping at the first problem:
 *  1. SQLite's own quick_check (a damaged file);
 *  2. the audit chain, recomputed from seq 1 (audit-log.ts): the first broken entry and why;
 *  3. every row of every audited table against its latest audit entry: a row whose content changed,
 *     a row the log says exists but is gone (deleted), a row the log never saw (inserted behind the
 *     store's back);
 *  4. every exhibit re-hashed on disk: the exhibit or the file inside a directory exhibit that
 *     changed, went missing or appeared.
 * None of it relies on the append-only triggers: a tamperer with the file can drop them.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { rowHash } from './canonical.ts';
import { AUDITED_TABLES, verifyChain, type AuditedTable, type ChainReport } from './audit-log.ts';
import type { StoreContext } from './context.ts';
import { exhibitFromRow } from './case-rows.ts';
import { hashExhibit, type ExhibitFileEntry } from './exhibit-hash.ts';
import type { Exhibit } from './types.ts';

export interface RowFinding {
  table: string;
  rowId: string;
  problem: 'changed' | 'deleted' | 'unaudited';
  detail: string;
}

export interface ExhibitFinding {
  exhibitId: number;
  /** The exhibit's absolute location. */
  path: string;
  /** For a directory exhibit: the file inside it, relative. */
  file?: string;
  problem: 'changed' | 'missing' | 'added' | 'unreadable';
  detail: string;
}

export interface CheckReport {
  ok: boolean;
  caseDir: string;
  checkedAt: string;
  sqlite: string;
  chain: ChainReport;
  rows: { checked: number; findings: RowFinding[] };
  exhibits: { checked: number; findings: ExhibitFinding[] };
  /** Every problem in one line each, in the order above; empty when ok. */
  problems: string[];
}

function checkRows(ctx: StoreContext): { checked: number; findings: RowFinding[] } {
  const latest = new Map<string, { seq: number; contentHash: string | null; action: string }>();
  for (const r of ctx.db.prepare('SELECT seq, table_name, row_id, content_hash, action FROM audit_log ORDER BY seq').iterate() as IterableIterator<Record<string, unknown>>) {
    latest.set(`${r.table_name}\u0000${r.row_id}`, { seq: Number(r.seq), contentHash: (r.content_hash as string | null) ?? null, action: String(r.action) });
  }
  const findings: RowFinding[] = [];
  let checked = 0;
  for (const table of Object.keys(AUDITED_TABLES) as AuditedTable[]) {
    const key = AUDITED_TABLES[table].key;
    const seen = new Set<string>();
    let rows: IterableIterator<Record<string, unknown>>;
    try {
      rows = ctx.db.prepare(`SELECT * FROM ${table}`).iterate() as IterableIterator<Record<string, unknown>>;
    } catch (e) {
      findings.push({ table, rowId: '*', problem: 'deleted', detail: `table ${table} cannot be read (${(e as Error).message}): dropped or damaged` });
      continue;
    }
    for (const row of rows) {
      checked++;
      const rowId = String(row[key]);
      seen.add(rowId);
      const entry = latest.get(`${table}\u0000${rowId}`);
      if (!entry) findings.push({ table, rowId, problem: 'unaudited', detail: `${table} ${rowId} has no audit entry: it was inserted outside the store` });
      else if (entry.contentHash !== rowHash(row)) findings.push({ table, rowId, problem: 'changed', detail: `${table} ${rowId} differs from what audit entry ${entry.seq} (${entry.action}) recorded: it was changed outside the store` });
    }
    for (const [k, entry] of latest) {
      const [t, rowId] = k.split('\u0000');
      if (t === table && !seen.has(rowId) && entry.contentHash !== null) findings.push({ table, rowId, problem: 'deleted', detail: `${table} ${rowId} is gone, but audit entry ${entry.seq} (${entry.action}) recorded it: it was deleted outside the store` });
    }
  }
  return { checked, findings };
}

async function checkExhibit(e: Exhibit): Promise<ExhibitFinding[]> {
  const at = { exhibitId: e.id, path: e.location };
  const st = await lstat(e.location).catch(() => null);
  if (!st) return [{ ...at, problem: 'missing', detail: `exhibit ${e.id} (${e.role}) ${e.location} is missing` }];
  let now;
  try {
    now = await hashExhibit(e.location);
  } catch (err) {
    return [{ ...at, problem: 'unreadable', detail: `exhibit ${e.id} (${e.role}) ${e.location} cannot be re-hashed: ${(err as Error).message}` }];
  }
  if (now.kind !== e.kind) return [{ ...at, problem: 'changed', detail: `exhibit ${e.id} (${e.role}) ${e.location} was a ${e.kind} and is now a ${now.kind}` }];
  if (now.sha256 === e.sha256) return [];
  if (e.kind === 'file' || !e.files || !now.files) return [{ ...at, problem: 'changed', detail: `exhibit ${e.id} (${e.role}) ${e.location} changed: sha256 ${now.sha256}, recorded ${e.sha256}` }];
  // Name the files: what the manifest recorded against what the directory holds now.
  const was = new Map<string, ExhibitFileEntry>(e.files.map((f) => [f.path, f]));
  const is = new Map<string, ExhibitFileEntry>(now.files.map((f) => [f.path, f]));
  const out: ExhibitFinding[] = [];
  for (const [p, f] of was) {
    const g = is.get(p);
    if (!g) out.push({ ...at, file: p, problem: 'missing', detail: `exhibit ${e.id} (${e.role}): ${join(e.location, p)} is missing` });
    else if (g.sha256 !== f.sha256) out.push({ ...at, file: p, problem: 'changed', detail: `exhibit ${e.id} (${e.role}): ${join(e.location, p)} changed: sha256 ${g.sha256}, recorded ${f.sha256}` });
  }
  for (const p of is.keys()) if (!was.has(p)) out.push({ ...at, file: p, problem: 'added', detail: `exhibit ${e.id} (${e.role}): ${join(e.location, p)} was not there at intake` });
  if (!out.length) out.push({ ...at, problem: 'changed', detail: `exhibit ${e.id} (${e.role}) ${e.location}: sha256 ${now.sha256} does not match the recorded ${e.sha256}, though every listed file matches (the record was altered)` });
  return out;
}

export async function checkCase(ctx: StoreContext): Promise<CheckReport> {
  const quick = (ctx.db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
  const sqlite = quick.length === 1 && quick[0] === 'ok' ? 'ok' : quick.join('; ');
  const chain = verifyChain(ctx.db);
  const rows = checkRows(ctx);
  const findings: ExhibitFinding[] = [];
  let exhibitRows: Exhibit[] = [];
  try {
    exhibitRows = (ctx.db.prepare('SELECT * FROM exhibits ORDER BY id').all() as Record<string, unknown>[]).map((r) => exhibitFromRow(r, ctx.dir));
  } catch (e) {
    findings.push({ exhibitId: 0, path: ctx.dir, problem: 'unreadable', detail: `the exhibits table cannot be read: ${(e as Error).message}` });
  }
  for (const e of exhibitRows) findings.push(...(await checkExhibit(e)));
  const problems = [
    ...(sqlite === 'ok' ? [] : [`sqlite quick_check: ${sqlite}`]),
    ...(chain.firstBroken ? [`audit log: ${chain.firstBroken.detail}`] : []),
    ...rows.findings.map((f) => f.detail),
    ...findings.map((f) => f.detail),
  ];
  return { ok: problems.length === 0, caseDir: ctx.dir, checkedAt: ctx.now(), sqlite, chain, rows, exhibits: { checked: exhibitRows.length, findings }, problems };
}
