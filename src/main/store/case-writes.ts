/**
 * The writes a case accepts (besides query exchanges, see run-recorder.ts). Each is one audited
 * transaction (context.ts). Intake is idempotent where repeating it is natural: the same file added
 * again with the same role and the same hash, or the same endpoint or trigger set, returns the
 * existing row instead of a duplicate.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { jsonColumn } from './canonical.ts';
import { auditedWrite, type StoreContext } from './context.ts';
import { endpointFromRow, exhibitFromRow, noteFromRow, runFromRow, triggerSetFromRow } from './case-rows.ts';
import { hashExhibit } from './exhibit-hash.ts';
import { EXHIBIT_ROLES, type Endpoint, type Exhibit, type ExhibitRole, type NewRun, type Note, type Run, type RunEnd, type TriggerSetRecord, type VerdictInput } from './types.ts';

type Row = Record<string, unknown>;
const HEX64 = /^[0-9a-f]{64}$/;

/** Relative to the case directory when inside it (a case folder moved with its exhibits still checks). */
function storedPath(caseDir: string, path: string): string {
  const abs = resolve(path);
  const rel = relative(caseDir, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : abs;
}

export async function addExhibit(ctx: StoreContext, input: { role: ExhibitRole; path: string; notes?: string }): Promise<Exhibit> {
  if (!EXHIBIT_ROLES.includes(input.role)) throw new Error(`exhibit role: expected one of ${EXHIBIT_ROLES.join(', ')}, got ${JSON.stringify(input.role)}`);
  if (ctx.readOnly) throw new Error(`${ctx.dir}: the case is open read-only; cannot add an exhibit`);
  // Hashed before the transaction: a large dataset must not hold the write lock while it is read.
  const h = await hashExhibit(resolve(input.path));
  const path = storedPath(ctx.dir, input.path);
  const same = ctx.db.prepare('SELECT * FROM exhibits WHERE role = ? AND path = ? AND sha256 = ? ORDER BY id LIMIT 1').get(input.role, path, h.sha256) as Row | undefined;
  if (same) return exhibitFromRow(same, ctx.dir);
  return auditedWrite(ctx, 'exhibit.add', 'exhibits', (time) => {
    const { lastInsertRowid: id } = ctx.db
      .prepare('INSERT INTO exhibits (role, kind, path, size, sha256, files, acquired_at, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(input.role, h.kind, path, h.size, h.sha256, jsonColumn(h.files, 'exhibit files'), time, input.notes ?? null);
    return { rowId: Number(id), value: exhibitFromRow(ctx.db.prepare('SELECT * FROM exhibits WHERE id = ?').get(id) as Row, ctx.dir) };
  });
}

/** Refuses a URL that still carries a credential: the store holds redacted URLs only. */
function checkRedacted(raw: string): void {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`endpoint url: ${JSON.stringify(raw.slice(0, 40))}… is not a URL`);
  }
  const masked = (s: string) => s === '' || s === '***' || s === '%2A%2A%2A';
  const openQuery = [...u.searchParams.values()].some((v) => v !== '***');
  if (!masked(u.username) || !masked(u.password) || openQuery || u.hash) {
    throw new Error('endpoint url: it still holds credentials, query values or a fragment; store the redacted form (redactUrl) — the case never holds a secret');
  }
}

export function addEndpoint(ctx: StoreContext, input: { url: string; protocol: string; mode: Endpoint['mode'] }): Endpoint {
  checkRedacted(input.url);
  if (input.mode !== 'labels' && input.mode !== 'probabilities') throw new Error(`endpoint mode: expected "labels" or "probabilities", got ${JSON.stringify(input.mode)}`);
  const same = ctx.db.prepare('SELECT * FROM endpoints WHERE url = ? AND protocol = ? AND mode = ? ORDER BY id LIMIT 1').get(input.url, input.protocol, input.mode) as Row | undefined;
  if (same) return endpointFromRow(same);
  return auditedWrite(ctx, 'endpoint.add', 'endpoints', (time) => {
    const { lastInsertRowid: id } = ctx.db.prepare('INSERT INTO endpoints (url, protocol, mode, created_at) VALUES (?, ?, ?, ?)').run(input.url, input.protocol, input.mode, time);
    return { rowId: Number(id), value: endpointFromRow(ctx.db.prepare('SELECT * FROM endpoints WHERE id = ?').get(id) as Row) };
  });
}

function mustExist(ctx: StoreContext, table: 'exhibits' | 'endpoints' | 'trigger_sets' | 'runs', id: number | undefined, what: string): void {
  if (id === undefined) return;
  if (!ctx.db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id)) throw new Error(`${what}: no ${table.replace('_', ' ').replace(/s$/, '')} ${id} in this case`);
}

export function addTriggerSet(ctx: StoreContext, input: { exhibitId: number; method: string; params: unknown; seed: number; sha256: string }): TriggerSetRecord {
  mustExist(ctx, 'exhibits', input.exhibitId, 'trigger set exhibitId');
  if (!HEX64.test(input.sha256)) throw new Error(`trigger set sha256: expected 64 lowercase hex digits, got ${JSON.stringify(input.sha256)}`);
  if (!Number.isSafeInteger(input.seed)) throw new Error(`trigger set seed: expected an integer, got ${input.seed}`);
  const same = ctx.db.prepare('SELECT * FROM trigger_sets WHERE exhibit_id = ? AND sha256 = ? ORDER BY id LIMIT 1').get(input.exhibitId, input.sha256) as Row | undefined;
  if (same) return triggerSetFromRow(same);
  return auditedWrite(ctx, 'trigger-set.add', 'trigger_sets', (time) => {
    const { lastInsertRowid: id } = ctx.db
      .prepare('INSERT INTO trigger_sets (exhibit_id, method, params, seed, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.exhibitId, input.method, jsonColumn(input.params ?? {}, 'trigger set params'), input.seed, input.sha256, time);
    return { rowId: Number(id), value: triggerSetFromRow(ctx.db.prepare('SELECT * FROM trigger_sets WHERE id = ?').get(id) as Row) };
  });
}

export function getRun(ctx: StoreContext, id: number): Run {
  const r = ctx.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
  if (!r) throw new Error(`run ${id}: no such run in this case`);
  return runFromRow(r);
}

export function startRun(ctx: StoreContext, input: NewRun): Run {
  mustExist(ctx, 'exhibits', input.suspectExhibitId, 'run suspectExhibitId');
  mustExist(ctx, 'endpoints', input.suspectEndpointId, 'run suspectEndpointId');
  mustExist(ctx, 'trigger_sets', input.triggerSetId, 'run triggerSetId');
  if (input.suspectExhibitId !== undefined && input.suspectEndpointId !== undefined) throw new Error('run: the suspect is an exhibit or an endpoint, not both');
  return auditedWrite(ctx, 'run.start', 'runs', (time) => {
    const { lastInsertRowid: id } = ctx.db
      .prepare(`INSERT INTO runs (kind, method, params, seeds, engine, suspect_exhibit_id, suspect_endpoint_id, trigger_set_id, identity, status, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`)
      .run(input.kind, input.method, jsonColumn(input.params ?? {}, 'run params'), jsonColumn(input.seeds ?? [], 'run seeds'), jsonColumn(input.engine ?? {}, 'run engine'),
        input.suspectExhibitId ?? null, input.suspectEndpointId ?? null, input.triggerSetId ?? null, input.identity ?? null, time);
    return { rowId: Number(id), value: getRun(ctx, Number(id)) };
  });
}

function requireStatus(run: Run, allowed: Run['status'][], doing: string): void {
  if (!allowed.includes(run.status)) throw new Error(`run ${run.id}: cannot ${doing}: it is ${run.status} (needs ${allowed.join(' or ')})`);
}

/** A partial run, or a running one whose process died, goes on: status back to running. */
export function resumeRun(ctx: StoreContext, id: number): Run {
  requireStatus(getRun(ctx, id), ['running', 'partial'], 'resume');
  return auditedWrite(ctx, 'run.resume', 'runs', () => {
    ctx.db.prepare("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?").run(id);
    return { rowId: id, value: getRun(ctx, id) };
  });
}

export function updateRunProgress(ctx: StoreContext, id: number, progress: unknown): void {
  requireStatus(getRun(ctx, id), ['running'], 'record progress');
  auditedWrite(ctx, 'run.progress', 'runs', () => {
    ctx.db.prepare('UPDATE runs SET progress = ? WHERE id = ?').run(jsonColumn(progress, 'run progress'), id);
    return { rowId: id, value: undefined };
  });
}

function insertVerdict(ctx: StoreContext, runId: number, v: VerdictInput, time: string): void {
  for (const k of ['score', 'pEmpirical', 'level'] as const) if (!Number.isFinite(v[k])) throw new Error(`verdict ${k}: expected a finite number, got ${v[k]}`);
  if (v.pParametric !== null && !Number.isFinite(v.pParametric)) throw new Error(`verdict pParametric: expected a finite number or null, got ${v.pParametric}`);
  ctx.db
    .prepare(`INSERT INTO verdicts (run_id, decision, score, p_empirical, p_parametric, level, null_scores, null_model, null_size, null_max, supported_by, explanation, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(runId, v.decision, v.score, v.pEmpirical, v.pParametric, v.level, jsonColumn(v.nullScores, 'verdict nullScores'), jsonColumn(v.model ?? undefined, 'verdict model'),
      v.nullSize, Number.isFinite(v.nullMax) ? v.nullMax : null, v.supportedBy, v.explanation, time);
}

/** Ends a running run; its verdict, when given, is stored in the same transaction (two audit entries). */
export function finishRun(ctx: StoreContext, id: number, end: RunEnd): Run {
  requireStatus(getRun(ctx, id), ['running'], `finish as ${end.status}`);
  if (!['partial', 'complete', 'failed'].includes(end.status)) throw new Error(`run ${id}: end status must be partial, complete or failed, got ${JSON.stringify(end.status)}`);
  if (end.verdict && end.status !== 'complete') throw new Error(`run ${id}: only a complete run has a verdict (this one ends ${end.status})`);
  return ctx.db.transaction(() => {
    const run = auditedWrite(ctx, 'run.finish', 'runs', (time) => {
      ctx.db.prepare('UPDATE runs SET status = ?, finished_at = ?, result = ?, error = ? WHERE id = ?').run(end.status, time, jsonColumn(end.result, 'run result'), end.error ?? null, id);
      return { rowId: id, value: getRun(ctx, id) };
    });
    if (end.verdict) {
      const v = end.verdict;
      auditedWrite(ctx, 'verdict.record', 'verdicts', (time) => (insertVerdict(ctx, id, v, time), { rowId: id, value: undefined }));
    }
    return run;
  }).immediate();
}

export function addNote(ctx: StoreContext, text: string, about: { runId?: number; exhibitId?: number } = {}): Note {
  if (!text.trim()) throw new Error('note: empty text');
  mustExist(ctx, 'runs', about.runId, 'note runId');
  mustExist(ctx, 'exhibits', about.exhibitId, 'note exhibitId');
  return auditedWrite(ctx, 'note.add', 'notes', (time) => {
    const { lastInsertRowid: id } = ctx.db.prepare('INSERT INTO notes (time, author, text, run_id, exhibit_id) VALUES (?, ?, ?, ?, ?)').run(time, ctx.actor, text, about.runId ?? null, about.exhibitId ?? null);
    return { rowId: Number(id), value: noteFromRow(ctx.db.prepare('SELECT * FROM notes WHERE id = ?').get(id) as Row) };
  });
}
