import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appendAudit, entryHash, GENESIS, verifyChain } from '../../../src/main/store/audit-log.ts';
import { canonicalJson, rowHash, sha256Hex } from '../../../src/main/store/canonical.ts';
import { migrate } from '../../../src/main/store/migrations/index.ts';

function db(): Database.Database {
  const d = new Database(':memory:');
  migrate(d, ':memory:');
  return d;
}

describe('audit log', () => {
  it('hash = SHA-256(prev_hash + canonical entry), content hash = the row as stored, seq from 1', () => {
    const d = db();
    d.prepare("INSERT INTO notes (time, author, text) VALUES ('t', 'a', 'hello')").run();
    const e1 = appendAudit(d, { actor: 'inv', action: 'note.add', table: 'notes', rowId: 1, time: '2026-01-01T00:00:00.000Z' });
    expect(e1.seq).toBe(1);
    expect(e1.prevHash).toBe(GENESIS);
    expect(e1.contentHash).toBe(rowHash({ id: 1, time: 't', author: 'a', text: 'hello' }));
    expect(e1.hash).toBe(sha256Hex(GENESIS + canonicalJson({ action: 'note.add', actor: 'inv', contentHash: e1.contentHash, rowId: '1', seq: 1, table: 'notes', time: '2026-01-01T00:00:00.000Z' })));
    const e2 = appendAudit(d, { actor: 'inv', action: 'note.add', table: 'notes', rowId: 99 });
    expect(e2).toMatchObject({ seq: 2, prevHash: e1.hash, contentHash: null }); // no such row: recorded as absent
    expect(e2.hash).toBe(entryHash(e1.hash, e2));
    expect(verifyChain(d)).toEqual({ entries: 2, head: { seq: 2, hash: e2.hash } });
  });

  it('an empty log is a valid chain with no head', () => {
    expect(verifyChain(db())).toEqual({ entries: 0, head: null });
  });

  it('a deleted first entry is a gap at the start', () => {
    const d = db();
    for (let i = 0; i < 3; i++) appendAudit(d, { actor: 'a', action: 'x', table: 'notes', rowId: i });
    d.exec('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq IN (1, 2);');
    expect(verifyChain(d).firstBroken).toMatchObject({ seq: 3, reason: 'gap', detail: expect.stringMatching(/entries 1–2 are missing before entry 3/) });
  });
});
