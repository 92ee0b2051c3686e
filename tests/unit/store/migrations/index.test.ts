import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApplied, migrate, MIGRATIONS, schemaVersion, type Migration } from '../../../../src/main/store/migrations/index.ts';
import { tmp } from '../helpers.ts';

const base: Migration = { name: 'base', sql: 'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL); CREATE TABLE a (x INTEGER);' };
const second: Migration = { name: 'add b', sql: 'CREATE TABLE b (y TEXT); INSERT INTO a VALUES (1);' };
const broken: Migration = { name: 'broken', sql: 'CREATE TABLE c (z TEXT); INSERT INTO nowhere VALUES (1);' };
const fresh = () => new Database(join(tmp('mig-'), 'case.sqlite'));
const tables = (db: Database.Database) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('migrate', () => {
  it('applies every pending migration, records each SQL hash, sets user_version; again is a no-op', () => {
    const db = fresh();
    expect(migrate(db, 'f', [base, second])).toEqual({ from: 0, to: 2, applied: [1, 2] });
    expect(schemaVersion(db)).toBe(2);
    expect(tables(db)).toEqual(['a', 'b', 'schema_migrations']);
    expect((db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all())).toEqual([{ version: 1, name: 'base' }, { version: 2, name: 'add b' }]);
    expect(migrate(db, 'f', [base, second]).applied).toEqual([]);
  });

  it('brings an older case up to date (only the pending ones run)', () => {
    const db = fresh();
    migrate(db, 'f', [base]);
    expect(migrate(db, 'f', [base, second])).toEqual({ from: 1, to: 2, applied: [2] });
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 1 });
  });

  it('all pending migrations in one transaction: a failing one leaves the case as it was', () => {
    const db = fresh();
    migrate(db, 'f', [base]);
    expect(() => migrate(db, 'case.sqlite', [base, second, broken])).toThrow(/case\.sqlite: migration 3 \(broken\) failed: .*no such table: nowhere.*nothing was changed/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['a', 'schema_migrations']); // neither b (migration 2) nor c
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 0 });
  });

  it('refuses a database written by a newer app', () => {
    const db = fresh();
    migrate(db, 'f', [base, second]);
    expect(() => migrate(db, 'case.sqlite', [base])).toThrow(/newer Provenant \(schema version 2; this app knows up to 1\)/);
    expect(() => checkApplied(db, 'case.sqlite', [base])).toThrow(/newer/);
  });

  it('refuses a migration edited after it was applied, and one applied but not recorded', () => {
    const db = fresh();
    migrate(db, 'f', [base, second]);
    const edited = { ...second, sql: `${second.sql} -- tweak` };
    expect(() => migrate(db, 'case.sqlite', [base, edited])).toThrow(/migration 2 \(add b\) was applied from different SQL .*must never be edited/);
    db.prepare('DELETE FROM schema_migrations WHERE version = 2').run();
    expect(() => migrate(db, 'case.sqlite', [base, second])).toThrow(/migration 2 \(add b\) is applied .* but not recorded/);
  });
});

describe('every migration has its own test', () => {
  it('tests/unit/store/migrations/NNN-*.test.ts exists for each entry of MIGRATIONS', () => {
    const dir = join(import.meta.dirname, '.');
    const files = readdirSync(dir);
    MIGRATIONS.forEach((_, i) => {
      const prefix = String(i + 1).padStart(3, '0');
      expect(files.some((f) => f.startsWith(`${prefix}-`) && f.endsWith('.test.ts')), `a test file for migration ${prefix}`).toBe(true);
    });
    expect(existsSync(join(dir, 'index.test.ts'))).toBe(true);
  });
});
