/**
 * Schema migrations, keyed by PRAGMA user_version (Signal's and Bruno's scheme):
 *  - MIGRATIONS is ordered; migration i (1-based) brings user_version from i-1 to i;
 *  - every pending migration is applied in ONE transaction with user_version and the
 *    schema_migrations rows, so a case is at the old version or the new one, never in between;
 *  - a database whose user_version is above the last known migration was written by a newer app
 *    and is refused (this app would misread it);
 *  - each applied migration's SQL SHA-256 is recorded; a migration whose text changed since it was
 *    applied is refused (the database was built by different SQL than this app believes).
 */
import type Database from 'better-sqlite3';
import { sha256Hex } from '../canonical.ts';
import { MIGRATION_001 } from './001-initial.ts';

export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [{ name: 'initial schema', sql: MIGRATION_001 }];

export interface MigrationOutcome {
  from: number;
  to: number;
  applied: number[];
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Checks what is applied without changing anything: refuses a newer database and an edited applied
 * migration; returns the schema version (below migrations.length when migrations are pending).
 */
export function checkApplied(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const from = schemaVersion(db);
  const latest = migrations.length;
  if (from > latest) {
    throw new Error(`${file}: the case was written by a newer Provenant (schema version ${from}; this app knows up to ${latest}); update Provenant to open it`);
  }
  if (from === 0) return 0;
  const recorded = new Map<number, string>();
  try {
    for (const r of db.prepare('SELECT version, sha256 FROM schema_migrations').all() as { version: number; sha256: string }[]) recorded.set(r.version, r.sha256);
  } catch {
    throw new Error(`${file}: schema version ${from} but no schema_migrations table; not a Provenant case, or a damaged one`);
  }
  for (let v = 1; v <= from; v++) {
    const want = sha256Hex(migrations[v - 1].sql);
    const got = recorded.get(v);
    if (got === undefined) throw new Error(`${file}: migration ${v} (${migrations[v - 1].name}) is applied (schema version ${from}) but not recorded in schema_migrations; the case is damaged`);
    if (got !== want) throw new Error(`${file}: migration ${v} (${migrations[v - 1].name}) was applied from different SQL (sha256 ${got.slice(0, 12)}…, this app has ${want.slice(0, 12)}…); an applied migration must never be edited`);
  }
  return from;
}

/** Checks the applied migrations and applies the pending ones, all in one transaction; a refusal or failure changes nothing. */
export function migrate(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS, now = () => new Date().toISOString()): MigrationOutcome {
  return db.transaction((): MigrationOutcome => {
    const from = checkApplied(db, file, migrations);
    const applied: number[] = [];
    for (let v = from + 1; v <= migrations.length; v++) {
      const m = migrations[v - 1];
      try {
        db.exec(m.sql);
      } catch (e) {
        throw new Error(`${file}: migration ${v} (${m.name}) failed: ${(e as Error).message}; nothing was changed`);
      }
      db.prepare('INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)').run(v, m.name, sha256Hex(m.sql), now());
      db.pragma(`user_version = ${v}`);
      applied.push(v);
    }
    return { from, to: migrations.length, applied };
  }).immediate();
}
