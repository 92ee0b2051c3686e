/**
 * Public types of the case store: what the CLI, the report and the bundle code read and write.
 * Rows come back in camelCase with their JSON columns parsed; numbers are exactly what was stored
 * (SQLite REAL is an IEEE double, so a score or p-value reads back bit for bit).
 */
import type { NullModelScore, Verdict } from '../engine/verify/verdict.ts';
import type { ExhibitFileEntry } from './exhibit-hash.ts';

export type { ExhibitFileEntry } from './exhibit-hash.ts';

export interface Parties {
  investigator?: string;
  owner?: string;
  suspect?: string;
}

export interface CaseInfo {
  /** UUID, fixed at creation. */
  id: string;
  name: string;
  parties: Parties;
  description?: string;
  createdAt: string;
  dir: string;
  file: string;
  schemaVersion: number;
}

export interface NewCase {
  name: string;
  parties?: Parties;
  description?: string;
}

export type ExhibitRole = 'source' | 'suspect-file' | 'suspect-endpoint' | 'dataset' | 'trigger-set' | 'bundle';
export const EXHIBIT_ROLES: readonly ExhibitRole[] = ['source', 'suspect-file', 'suspect-endpoint', 'dataset', 'trigger-set', 'bundle'];

export interface Exhibit {
  id: number;
  role: ExhibitRole;
  kind: 'file' | 'directory';
  /** As stored: relative to the case directory when the exhibit lies inside it, else absolute. */
  path: string;
  /** Absolute path on this machine. */
  location: string;
  size: number;
  sha256: string;
  /** Directories: every file with its size and SHA-256 (what check() names a changed file from). */
  files?: ExhibitFileEntry[];
  acquiredAt: string;
  notes?: string;
}

export interface Endpoint {
  id: number;
  /** Redacted by the caller (redactUrl): credentials and query values masked. Never a secret. */
  url: string;
  protocol: string;
  mode: 'labels' | 'probabilities';
  createdAt: string;
}

export interface TriggerSetRecord {
  id: number;
  exhibitId: number;
  method: string;
  params: unknown;
  seed: number;
  /** The trigger set's own id (SHA-256 of its SHA256SUMS), as the engine reports it. */
  sha256: string;
  createdAt: string;
}

export type RunStatus = 'running' | 'partial' | 'complete' | 'failed';

export interface NewRun {
  /** What the run is: 'verify', 'generate', 'eval', … */
  kind: string;
  method: string;
  params?: unknown;
  seeds?: unknown;
  /** Backend and versions (EngineInfo or similar). */
  engine?: unknown;
  suspectExhibitId?: number;
  suspectEndpointId?: number;
  triggerSetId?: number;
  /** The suspect's identity string (file hash, or protocol + redacted URL). */
  identity?: string;
}

export interface Run {
  id: number;
  kind: string;
  method: string;
  params: unknown;
  seeds: unknown;
  engine: unknown;
  suspectExhibitId?: number;
  suspectEndpointId?: number;
  triggerSetId?: number;
  identity?: string;
  status: RunStatus;
  progress?: unknown;
  startedAt: string;
  finishedAt?: string;
  result?: unknown;
  error?: string;
}

/** The verdict as the engine gives it, plus the null scores it was calibrated on. */
export type VerdictInput = Verdict & { nullScores: readonly NullModelScore[] };

export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  result?: unknown;
  error?: string;
  /** Stored in the same transaction as the run's end (a complete verification has one). */
  verdict?: VerdictInput;
}

export interface VerdictRecord extends Verdict {
  runId: number;
  nullScores: NullModelScore[];
  createdAt: string;
}

export interface QueryRecord {
  runId: number;
  seq: number;
  oracle: string;
  time: string;
  latencyMs: number;
  attempt: number;
  outcome: 'ok' | 'retry' | 'failed';
  httpStatus?: number;
  error?: string;
  inputHashes: string[];
  labels?: number[];
  probs?: number[];
}

export interface QuerySummary {
  runId: number;
  /** Exchanges (attempts) recorded. */
  exchanges: number;
  byOutcome: { ok: number; retry: number; failed: number };
  /** Attempts after the first of a request (attempt > 1). */
  retries: number;
  /** Inputs answered by ok exchanges (with repeats), and distinct input hashes answered. */
  inputsAnswered: number;
  distinctInputsAnswered: number;
  firstTime?: string;
  lastTime?: string;
  /** Over all exchanges, in ms; undefined without exchanges. */
  latencyMedianMs?: number;
  latencyP95Ms?: number;
  httpStatuses: Record<string, number>;
}

export interface Note {
  id: number;
  time: string;
  author: string;
  text: string;
  runId?: number;
  exhibitId?: number;
}

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  /** case.create, exhibit.add, endpoint.add, trigger-set.add, run.start, run.progress, run.resume, run.finish, query.record, verdict.record, note.add */
  action: string;
  table: string;
  rowId: string;
  /** rowHash of the row right after the write (null for a deletion). */
  contentHash: string | null;
  prevHash: string;
  hash: string;
}

export interface Page {
  /** Entries after this sequence number (default 0: from the start). */
  after?: number;
  /** At most this many (default 1000). */
  limit?: number;
}
