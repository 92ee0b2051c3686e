/**
 * Tampering as a tamperer would do it: close the store, open case.sqlite with plain SQL (dropping the
 * append-only triggers where needed), change something, and see check() name it.
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryHash } from '../../../src/main/store/audit-log.ts';
import { openCase } from '../../../src/main/store/case-store.ts';
import { exchange, tmp, verdictInput } from './helpers.ts';

async function sampleCase() {
  const root = tmp();
  const dir = join(root, 'case');
  const s = openCase(dir, { create: { name: 'c', parties: { owner: 'o' } }, actor: 'inv' });
  const model = join(root, 'suspect.onnx');
  writeFileSync(model, 'weights');
  const trig = join(dir, 'triggers');
  mkdirSync(join(trig, 'previews'), { recursive: true });
  writeFileSync(join(trig, 'inputs.f32'), Buffer.alloc(16, 1));
  writeFileSync(join(trig, 'previews', 'trigger-000.png'), 'png');
  const ex = await s.addExhibit({ role: 'suspect-file', path: model });
  const te = await s.addExhibit({ role: 'trigger-set', path: trig });
  const run = s.startRun({ kind: 'verify', method: 'ipguard', suspectExhibitId: ex.id });
  const rec = s.recorder(run.id).recorder;
  rec.record(exchange(1, ['h1', 'h2'], [1, 0]));
  rec.record(exchange(2, ['h3'], [1]));
  s.finishRun(run.id, { status: 'complete', verdict: verdictInput() });
  s.addNote('seen');
  const { file } = s;
  s.close();
  return { dir, file, model, trig, exhibitIds: [ex.id, te.id] };
}

function tamper(file: string, sql: string): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

const check = (dir: string) => {
  const s = openCase(dir, { readOnly: true });
  return s.check().finally(() => s.close());
};

describe('check', () => {
  it('passes an untouched case and reports the chain head', async () => {
    const c = await sampleCase();
    const r = await check(c.dir);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.sqlite).toBe('ok');
    expect(r.chain.entries).toBe(9); // create, 2 exhibits, run start, 2 queries, run finish, verdict, note
    expect(r.chain.head?.seq).toBe(9);
    expect(r.rows.checked).toBe(8); // case, 2 exhibits, run, 2 queries, verdict, note
    expect(r.exhibits.checked).toBe(2);
  });

  it('names a changed row (a verdict score edited)', async () => {
    const c = await sampleCase();
    tamper(c.file, 'UPDATE verdicts SET score = 0.99 WHERE run_id = 1');
    const r = await check(c.dir);
    expect(r.ok).toBe(false);
    expect(r.rows.findings).toEqual([expect.objectContaining({ table: 'verdicts', rowId: '1', problem: 'changed' })]);
    expect(r.chain.firstBroken).toBeUndefined(); // the log itself is intact
  });

  it('names a deleted row (a query exchange removed)', async () => {
    const c = await sampleCase();
    tamper(c.file, 'DELETE FROM queries WHERE seq = 2');
    const r = await check(c.dir);
    expect(r.rows.findings).toEqual([expect.objectContaining({ table: 'queries', rowId: '2', problem: 'deleted' })]);
    expect(r.problems[0]).toMatch(/queries 2 is gone, but audit entry 6 \(query\.record\) recorded it/);
  });

  it('names a row inserted behind the store\'s back', async () => {
    const c = await sampleCase();
    tamper(c.file, "INSERT INTO notes (time, author, text) VALUES ('2026-01-01T00:00:00.000Z', 'x', 'planted')");
    const r = await check(c.dir);
    expect(r.rows.findings).toEqual([expect.objectContaining({ table: 'notes', rowId: '2', problem: 'unaudited' })]);
  });

  it('names the gap left by a deleted audit entry', async () => {
    const c = await sampleCase();
    tamper(c.file, 'DELETE FROM audit_log WHERE seq = 6');
    const r = await check(c.dir);
    expect(r.chain.firstBroken).toMatchObject({ seq: 7, reason: 'gap' });
    expect(r.problems[0]).toMatch(/audit entries 6 are missing before entry 7/);
    expect(r.rows.findings).toEqual([expect.objectContaining({ table: 'queries', rowId: '2', problem: 'unaudited' })]);
  });

  it('names an altered audit entry (content hash) and one re-hashed to hide it (previous hash)', async () => {
    const c = await sampleCase();
    tamper(c.file, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3");
    expect((await check(c.dir)).chain.firstBroken).toMatchObject({ seq: 3, reason: 'content-hash' });
    // The tamperer recomputes entry 3's own hash; entry 4 still points to the old one.
    const db = new Database(c.file);
    const e = db.prepare('SELECT * FROM audit_log WHERE seq = 3').get() as Record<string, string & number>;
    const rehashed = entryHash(e.prev_hash, { seq: e.seq, time: e.time, actor: e.actor, action: e.action, table: e.table_name, rowId: e.row_id, contentHash: e.content_hash });
    db.close();
    tamper(c.file, `UPDATE audit_log SET hash = '${rehashed}' WHERE seq = 3`);
    expect((await check(c.dir)).chain.firstBroken).toMatchObject({ seq: 4, reason: 'previous-hash' });
  });

  it('names a changed exhibit file, a missing one, and a changed, missing or added file in a directory exhibit', async () => {
    const c = await sampleCase();
    writeFileSync(c.model, 'weightz');
    writeFileSync(join(c.trig, 'inputs.f32'), Buffer.alloc(16, 2));
    rmSync(join(c.trig, 'previews', 'trigger-000.png'));
    writeFileSync(join(c.trig, 'extra.txt'), '');
    let r = await check(c.dir);
    expect(r.exhibits.findings.map((f) => [f.exhibitId, f.problem, f.file])).toEqual([
      [1, 'changed', undefined], [2, 'changed', 'inputs.f32'], [2, 'missing', 'previews/trigger-000.png'], [2, 'added', 'extra.txt'],
    ]);
    expect(r.problems[0]).toMatch(/exhibit 1 \(suspect-file\) .*suspect\.onnx changed/);
    expect(r.rows.findings).toEqual([]);
    rmSync(c.model);
    r = await check(c.dir);
    expect(r.exhibits.findings[0]).toMatchObject({ exhibitId: 1, problem: 'missing', path: c.model });
  });

  it('names an exhibit row whose recorded hash was edited to match a swapped file', async () => {
    const c = await sampleCase();
    writeFileSync(c.model, 'other');
    tamper(c.file, "UPDATE exhibits SET sha256 = 'd0a1b2a6b2f1ff2ac8e8c2d20bb6c8e7d1db0b1bba0d40baf1fa0e1b2c3d4e5f' WHERE id = 1");
    const r = await check(c.dir);
    expect(r.rows.findings).toEqual([expect.objectContaining({ table: 'exhibits', rowId: '1', problem: 'changed' })]);
  });
});
