import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../../../src/main/store/migrations/index.ts';
import { tmp } from '../helpers.ts';

/** Migration 1 on a temp file: the schema, its constraints, the append-only guard. */
describe('migration 001: initial schema', () => {
  const db = new Database(join(tmp('m001-'), 'case.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, 'case.sqlite', MIGRATIONS.slice(0, 1));
  const T = '2026-01-01T00:00:00.000Z';
  const H = 'a'.repeat(64);

  it('creates the case tables and the audit log', () => {
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(['audit_log', 'case_info', 'endpoints', 'exhibits', 'notes', 'queries', 'runs', 'schema_migrations', 'trigger_sets', 'verdicts']);
  });

  it('holds one case row only', () => {
    db.prepare("INSERT INTO case_info (id, name, parties, created_at) VALUES ('u1', 'c', '{}', ?)").run(T);
    expect(() => db.prepare("INSERT INTO case_info (id, name, parties, created_at) VALUES ('u2', 'd', '{}', ?)").run(T)).toThrow(/UNIQUE/);
  });

  it('checks roles, hashes, JSON columns, statuses and references', () => {
    const ex = (role: string, sha = H) => db.prepare("INSERT INTO exhibits (role, kind, path, size, sha256, acquired_at) VALUES (?, 'file', '/x', 1, ?, ?)").run(role, sha, T);
    expect(() => ex('evidence')).toThrow(/CHECK/);
    expect(() => ex('source', 'abc')).toThrow(/CHECK/);
    expect(Number(ex('source').lastInsertRowid)).toBe(1);
    expect(() => db.prepare("INSERT INTO trigger_sets (exhibit_id, method, params, seed, sha256, created_at) VALUES (99, 'm', '{}', 1, ?, ?)").run(H, T)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO runs (kind, method, params, seeds, engine, status, started_at) VALUES ('verify', 'm', 'not json', '[]', '{}', 'running', ?)").run(T)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO runs (kind, method, params, seeds, engine, status, started_at) VALUES ('verify', 'm', '{}', '[]', '{}', 'paused', ?)").run(T)).toThrow(/CHECK/);
    db.prepare("INSERT INTO runs (kind, method, params, seeds, engine, status, started_at) VALUES ('verify', 'm', '{}', '[]', '{}', 'running', ?)").run(T);
    const q = (seq: number) => db.prepare("INSERT INTO queries (run_id, seq, oracle, time, latency_ms, attempt, outcome, input_hashes) VALUES (1, ?, 'o', ?, 1, 1, 'ok', '[]')").run(seq, T);
    q(1);
    expect(() => q(1)).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO verdicts (run_id, decision, score, p_empirical, level, null_scores, null_size, supported_by, explanation, created_at) VALUES (1, 'maybe', 0, 1, 0.001, '[]', 0, 'none', 'x', ?)").run(T)).toThrow(/CHECK/);
  });

  it('makes the audit log append-only (an extra guard; check() does not rely on it)', () => {
    db.prepare("INSERT INTO audit_log (seq, time, actor, action, table_name, row_id, content_hash, prev_hash, hash) VALUES (1, ?, 'a', 'x', 't', '1', NULL, ?, ?)").run(T, H, H);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'b'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });
});
