/**
 * A case: one directory holding `case.sqlite` (and `writer.lock`), so a case travels as a folder.
 * openCase() opens or creates it and returns the CaseStore every writer and reader goes through.
 *
 * Connection settings, and why:
 *  - WAL: readers (the UI, `case show`) read while a verification writes;
 *  - synchronous=FULL: a committed row survives power loss, not only a process crash (in WAL mode
 *    NORMAL may lose the last commits on power loss; a recorded query is evidence);
 *  - foreign_keys=ON, busy_timeout for readers meeting a checkpoint;
 *  - one writer: writer.lock (case-lock.ts); a second writer gets a clear error, readers do not wait.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { appendAudit } from './audit-log.ts';
import { jsonColumn } from './canonical.ts';
import { checkCase, type CheckReport } from './case-check.ts';
import { acquireWriterLock, type WriterLock } from './case-lock.ts';
import { auditFromRow, endpointFromRow, exhibitFromRow, noteFromRow, runFromRow, triggerSetFromRow, verdictFromRow } from './case-rows.ts';
import * as w from './case-writes.ts';
import type { StoreContext } from './context.ts';
import { checkApplied, migrate, MIGRATIONS, schemaVersion } from './migrations/index.ts';
import { eachQuery, queryPage, querySummary } from './query-reads.ts';
import { openRunRecorder, type RunRecorder } from './run-recorder.ts';
import type { AuditEntry, CaseInfo, Endpoint, Exhibit, ExhibitRole, NewCase, NewRun, Note, Page, QueryRecord, QuerySummary, Run, RunEnd, TriggerSetRecord, VerdictRecord } from './types.ts';

export const CASE_FILE = 'case.sqlite';
const BUSY_TIMEOUT_MS = 5000;

export interface OpenCaseOptions {
  /** Create a new case here (refused if one exists). Without it, a missing case is refused. */
  create?: NewCase;
  /** Who the audit log names for this session's writes (default: the OS user name). */
  actor?: string;
  /** Open for reading only: no writer lock, no migrations, every write refused. */
  readOnly?: boolean;
}

export interface CaseStore {
  readonly dir: string;
  readonly file: string;
  readonly readOnly: boolean;
  info(): CaseInfo;
  /** Hashes the file or directory now and records it (the same role + path + hash again returns the existing exhibit). */
  addExhibit(input: { role: ExhibitRole; path: string; notes?: string }): Promise<Exhibit>;
  /** `url` must already be redacted (redactUrl); one holding a credential is refused. */
  addEndpoint(input: { url: string; protocol: string; mode: Endpoint['mode'] }): Endpoint;
  addTriggerSet(input: { exhibitId: number; method: string; params: unknown; seed: number; sha256: string }): TriggerSetRecord;
  startRun(input: NewRun): Run;
  /** A partial run (or a running one whose process died) goes back to running. */
  resumeRun(id: number): Run;
  updateRunProgress(id: number, progress: unknown): void;
  finishRun(id: number, end: RunEnd): Run;
  /** The run's QueryRecorder + reply cache + seqStart, for accountedSuspect (run must be running). */
  recorder(runId: number): RunRecorder;
  addNote(text: string, about?: { runId?: number; exhibitId?: number }): Note;
  exhibits(): Exhibit[];
  exhibit(id: number): Exhibit | undefined;
  endpoints(): Endpoint[];
  triggerSets(): TriggerSetRecord[];
  runs(): Run[];
  run(id: number): Run | undefined;
  queries(runId: number, page?: Page): QueryRecord[];
  eachQuery(runId: number): Generator<QueryRecord>;
  querySummary(runId: number): QuerySummary;
  verdict(runId: number): VerdictRecord | undefined;
  notes(): Note[];
  audit(page?: Page): AuditEntry[];
  /** The connection's durability settings as SQLite reports them (for diagnostics and tests). */
  settings(): { journalMode: string; synchronous: 'off' | 'normal' | 'full' | 'extra'; foreignKeys: boolean; busyTimeoutMs: number };
  /** Recomputes the audit chain, compares every row with its audit entry, re-hashes every exhibit. */
  check(): Promise<CheckReport>;
  close(): void;
}

function defaultActor(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function connect(file: string, readOnly: boolean, mustExist: boolean): Database.Database {
  const db = new Database(file, { readonly: readOnly, fileMustExist: mustExist, timeout: BUSY_TIMEOUT_MS });
  try {
    if (!readOnly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    schemaVersion(db); // reads the header: "file is not a database" surfaces here
  } catch (e) {
    db.close();
    throw new Error(`${file}: not a readable Provenant case (${(e as Error).message})`);
  }
  return db;
}

function createCase(ctx: StoreContext, c: NewCase): void {
  if (!c.name?.trim()) throw new Error('case name: must not be empty');
  ctx.db.transaction(() => {
    migrate(ctx.db, ctx.file);
    const id = randomUUID();
    const time = ctx.now();
    ctx.db.prepare('INSERT INTO case_info (id, name, parties, description, created_at) VALUES (?, ?, ?, ?, ?)').run(id, c.name.trim(), jsonColumn(c.parties ?? {}, 'case parties'), c.description ?? null, time);
    appendAudit(ctx.db, { actor: ctx.actor, action: 'case.create', table: 'case_info', rowId: id, time });
  }).immediate();
}

export function openCase(dir: string, opts: OpenCaseOptions = {}): CaseStore {
  const root = resolve(dir);
  const file = join(root, CASE_FILE);
  const readOnly = Boolean(opts.readOnly);
  if (opts.create && readOnly) throw new Error(`${root}: cannot create a case read-only`);
  if (opts.create) {
    if (existsSync(file)) throw new Error(`${root}: a case already exists here (${CASE_FILE}); open it, or choose another directory`);
    if (existsSync(root) && !statSync(root).isDirectory()) throw new Error(`${root}: exists and is not a directory`);
    mkdirSync(root, { recursive: true });
  } else if (!existsSync(file)) {
    throw new Error(`${root}: no case here (no ${CASE_FILE}); create one first (provenant case new)`);
  }
  let lock: WriterLock | undefined;
  let db: Database.Database | undefined;
  try {
    lock = readOnly ? undefined : acquireWriterLock(root);
    // Checked again under the lock: another process may have created it in between.
    if (opts.create && existsSync(file)) throw new Error(`${root}: a case already exists here (${CASE_FILE}); open it, or choose another directory`);
    db = connect(file, readOnly, !opts.create);
    const ctx: StoreContext = { db, dir: root, file, actor: opts.actor ?? defaultActor(), readOnly, now: () => new Date().toISOString() };
    if (opts.create) createCase(ctx, opts.create);
    else if (readOnly) {
      if (checkApplied(db, file) < MIGRATIONS.length) throw new Error(`${file}: the case needs a schema upgrade; open it once for writing`);
    } else migrate(db, file);
    if (!db.prepare('SELECT 1 FROM case_info').get()) throw new Error(`${file}: no case record; the case is damaged`);
    return caseStore(ctx, () => lock?.release());
  } catch (e) {
    db?.close();
    // Only a create that holds the lock and got as far as its own file removes it.
    if (opts.create && lock && db) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    lock?.release();
    throw e;
  }
}

function caseStore(ctx: StoreContext, release: () => void): CaseStore {
  const { db } = ctx;
  type Row = Record<string, unknown>;
  const all = (sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as Row[];
  const one = (sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as Row | undefined;
  let open = true;
  return {
    dir: ctx.dir,
    file: ctx.file,
    readOnly: ctx.readOnly,
    info() {
      const r = one('SELECT * FROM case_info')!;
      return {
        id: String(r.id), name: String(r.name), parties: JSON.parse(String(r.parties)),
        ...(r.description !== null ? { description: String(r.description) } : {}),
        createdAt: String(r.created_at), dir: ctx.dir, file: ctx.file, schemaVersion: schemaVersion(db),
      };
    },
    addExhibit: (input) => w.addExhibit(ctx, input),
    addEndpoint: (input) => w.addEndpoint(ctx, input),
    addTriggerSet: (input) => w.addTriggerSet(ctx, input),
    startRun: (input) => w.startRun(ctx, input),
    resumeRun: (id) => w.resumeRun(ctx, id),
    updateRunProgress: (id, progress) => w.updateRunProgress(ctx, id, progress),
    finishRun: (id, end) => w.finishRun(ctx, id, end),
    recorder: (runId) => openRunRecorder(ctx, runId),
    addNote: (text, about) => w.addNote(ctx, text, about),
    exhibits: () => all('SELECT * FROM exhibits ORDER BY id').map((r) => exhibitFromRow(r, ctx.dir)),
    exhibit: (id) => {
      const r = one('SELECT * FROM exhibits WHERE id = ?', id);
      return r && exhibitFromRow(r, ctx.dir);
    },
    endpoints: () => all('SELECT * FROM endpoints ORDER BY id').map(endpointFromRow),
    triggerSets: () => all('SELECT * FROM trigger_sets ORDER BY id').map(triggerSetFromRow),
    runs: () => all('SELECT * FROM runs ORDER BY id').map(runFromRow),
    run: (id) => {
      const r = one('SELECT * FROM runs WHERE id = ?', id);
      return r && runFromRow(r);
    },
    queries: (runId, page) => queryPage(ctx, runId, page),
    eachQuery: (runId) => eachQuery(ctx, runId),
    querySummary: (runId) => querySummary(ctx, runId),
    verdict: (runId) => {
      const r = one('SELECT * FROM verdicts WHERE run_id = ?', runId);
      return r && verdictFromRow(r);
    },
    notes: () => all('SELECT * FROM notes ORDER BY id').map(noteFromRow),
    audit: (page = {}) => all('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', page.after ?? 0, page.limit ?? 1000).map(auditFromRow),
    settings: () => ({
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: (['off', 'normal', 'full', 'extra'] as const)[Number(db.pragma('synchronous', { simple: true }))],
      foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
    }),
    check: () => checkCase(ctx),
    close() {
      if (!open) return;
      open = false;
      db.close();
      release();
    },
  };
}
