/**
 * Database rows → the store's public types: snake_case to camelCase, JSON columns parsed, NULL
 * columns left out. Kept apart from the SQL that writes them so readers and writers agree on one
 * mapping.
 */
import { isAbsolute, resolve } from 'node:path';
import type { NullModelScore } from '../engine/verify/verdict.ts';
import type { AuditEntry, Endpoint, Exhibit, ExhibitFileEntry, Note, QueryRecord, Run, TriggerSetRecord, VerdictRecord } from './types.ts';

type Row = Record<string, unknown>;

const parse = (v: unknown): unknown => (v === null || v === undefined ? undefined : JSON.parse(String(v)));
/** Copies the defined values only, so optional fields are absent rather than undefined. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function exhibitFromRow(r: Row, caseDir: string): Exhibit {
  const path = String(r.path);
  return defined({
    id: Number(r.id),
    role: r.role as Exhibit['role'],
    kind: r.kind as Exhibit['kind'],
    path,
    location: isAbsolute(path) ? path : resolve(caseDir, path),
    size: Number(r.size),
    sha256: String(r.sha256),
    files: parse(r.files) as ExhibitFileEntry[] | undefined,
    acquiredAt: String(r.acquired_at),
    notes: r.notes as string | undefined,
  });
}

export function endpointFromRow(r: Row): Endpoint {
  return { id: Number(r.id), url: String(r.url), protocol: String(r.protocol), mode: r.mode as Endpoint['mode'], createdAt: String(r.created_at) };
}

export function triggerSetFromRow(r: Row): TriggerSetRecord {
  return { id: Number(r.id), exhibitId: Number(r.exhibit_id), method: String(r.method), params: parse(r.params), seed: Number(r.seed), sha256: String(r.sha256), createdAt: String(r.created_at) };
}

export function runFromRow(r: Row): Run {
  return defined({
    id: Number(r.id),
    kind: String(r.kind),
    method: String(r.method),
    params: parse(r.params),
    seeds: parse(r.seeds),
    engine: parse(r.engine),
    suspectExhibitId: r.suspect_exhibit_id as number | undefined,
    suspectEndpointId: r.suspect_endpoint_id as number | undefined,
    triggerSetId: r.trigger_set_id as number | undefined,
    identity: r.identity as string | undefined,
    status: r.status as Run['status'],
    progress: parse(r.progress),
    startedAt: String(r.started_at),
    finishedAt: r.finished_at as string | undefined,
    result: parse(r.result),
    error: r.error as string | undefined,
  });
}

export function queryFromRow(r: Row): QueryRecord {
  return defined({
    runId: Number(r.run_id),
    seq: Number(r.seq),
    oracle: String(r.oracle),
    time: String(r.time),
    latencyMs: Number(r.latency_ms),
    attempt: Number(r.attempt),
    outcome: r.outcome as QueryRecord['outcome'],
    httpStatus: r.http_status as number | undefined,
    error: r.error as string | undefined,
    inputHashes: parse(r.input_hashes) as string[],
    labels: parse(r.labels) as number[] | undefined,
    probs: parse(r.probs) as number[] | undefined,
  });
}

export function verdictFromRow(r: Row): VerdictRecord {
  return {
    runId: Number(r.run_id),
    decision: r.decision as VerdictRecord['decision'],
    level: Number(r.level),
    score: Number(r.score),
    pEmpirical: Number(r.p_empirical),
    pParametric: r.p_parametric === null ? null : Number(r.p_parametric),
    model: (parse(r.null_model) ?? null) as VerdictRecord['model'],
    nullSize: Number(r.null_size),
    // The engine reports NaN for an empty null; SQLite cannot hold NaN, so it is stored as NULL.
    nullMax: r.null_max === null ? NaN : Number(r.null_max),
    supportedBy: r.supported_by as VerdictRecord['supportedBy'],
    explanation: String(r.explanation),
    nullScores: parse(r.null_scores) as NullModelScore[],
    createdAt: String(r.created_at),
  };
}

export function noteFromRow(r: Row): Note {
  return defined({ id: Number(r.id), time: String(r.time), author: String(r.author), text: String(r.text), runId: r.run_id as number | undefined, exhibitId: r.exhibit_id as number | undefined });
}

export function auditFromRow(r: Row): AuditEntry {
  return { seq: Number(r.seq), time: String(r.time), actor: String(r.actor), action: String(r.action), table: String(r.table_name), rowId: String(r.row_id), contentHash: (r.content_hash as string | null) ?? null, prevHash: String(r.prev_hash), hash: String(r.hash) };
}
