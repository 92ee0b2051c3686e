/**
 * One writer per case. The lock is SQLite's own: a small `writer.lock` database in the case
 * directory, held in EXCLUSIVE locking mode for as long as the writer is open. The operating system
 * drops the lock when the process ends, however it ends (kill -9 included), so there is never a
 * stale lock file to clean up; and SQLite tracks locks per file inside one process too, so a second
 * writer in the same process is refused as well. Readers (read-only opens) do not take it.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export const LOCK_FILE = 'writer.lock';

export interface WriterLock {
  release(): void;
}

export function acquireWriterLock(dir: string): WriterLock {
  const file = join(dir, LOCK_FILE);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`${dir}: the case is open for writing by another process (a verification still running?); wait for it to end, or open the case read-only`);
    }
    throw new Error(`${file}: cannot take the writer lock: ${(e as Error).message}`);
  }
  let held = true;
  return {
    release: () => {
      if (held) db.close();
      held = false;
    },
  };
}
