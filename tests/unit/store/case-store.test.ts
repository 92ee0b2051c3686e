import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_FILE, openCase } from '../../../src/main/store/case-store.ts';
import { MIGRATIONS } from '../../../src/main/store/migrations/index.ts';
import { sha256Hex } from '../../../src/main/store/canonical.ts';
import { tmp, verdictInput } from './helpers.ts';

const newCase = (dir = join(tmp(), 'case')) => openCase(dir, { create: { name: 'Acme v. Copycat', parties: { owner: 'Acme', suspect: 'Copycat Inc.' }, description: 'CIFAR classifier' }, actor: 'inv' });

describe('openCase', () => {
  it('creates a case directory with case.sqlite (WAL, synchronous FULL, foreign keys) and one case row', () => {
    const s = newCase();
    const info = s.info();
    expect(info).toMatchObject({ name: 'Acme v. Copycat', parties: { owner: 'Acme', suspect: 'Copycat Inc.' }, description: 'CIFAR classifier', schemaVersion: MIGRATIONS.length, file: join(s.dir, CASE_FILE) });
    expect(info.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    s.close();
    const raw = new Database(info.file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const again = openCase(info.dir);
    expect(again.info().id).toBe(info.id);
    expect(again.audit().map((a) => a.action)).toEqual(['case.create']);
    again.close();
  });

  it('sets WAL, synchronous=FULL (a committed row survives power loss), foreign keys and a busy timeout', () => {
    const s = newCase();
    expect(s.settings()).toEqual({ journalMode: 'wal', synchronous: 'full', foreignKeys: true, busyTimeoutMs: 5000 });
    expect(() => s.addNote('x', { exhibitId: 42 })).toThrow(/no exhibit 42/);
    s.close();
    const r = openCase(s.dir, { readOnly: true });
    expect(r.settings()).toMatchObject({ journalMode: 'wal', foreignKeys: true });
    r.close();
  });

  it('refuses a missing case, an existing one on create, and a directory that is a file', () => {
    const root = tmp();
    expect(() => openCase(join(root, 'nope'))).toThrow(/no case here \(no case\.sqlite\)/);
    const s = newCase(join(root, 'c'));
    s.close();
    expect(() => openCase(join(root, 'c'), { create: { name: 'again' } })).toThrow(/a case already exists here/);
    writeFileSync(join(root, 'f'), 'x');
    expect(() => openCase(join(root, 'f'), { create: { name: 'x' } })).toThrow(/not a directory/);
    expect(() => openCase(join(root, 'e'), { create: { name: '  ' } })).toThrow(/case name: must not be empty/);
    expect(() => openCase(join(root, 'e'))).toThrow(/no case here/); // the failed create left nothing behind
  });

  it('refuses a case written by a newer app and one whose applied migration was edited', () => {
    const s = newCase();
    const file = s.file;
    s.close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openCase(s.dir)).toThrow(/newer Provenant/);
    expect(() => openCase(s.dir, { readOnly: true })).toThrow(/newer Provenant/);
    const raw2 = new Database(file);
    raw2.pragma(`user_version = ${MIGRATIONS.length}`);
    raw2.prepare('UPDATE schema_migrations SET sha256 = ? WHERE version = 1').run(sha256Hex('other SQL'));
    raw2.close();
    expect(() => openCase(s.dir)).toThrow(/migration 1 \(initial schema\) was applied from different SQL/);
  });

  it('refuses a file that is not a database', () => {
    const dir = tmp();
    writeFileSync(join(dir, CASE_FILE), 'this is not sqlite, just text that is long enough to have a header.....................');
    expect(() => openCase(dir)).toThrow(/not a readable Provenant case/);
  });

  it('allows one writer: a second gets a clear error; readers are not blocked; closing frees it', () => {
    const s = newCase();
    expect(() => openCase(s.dir)).toThrow(/open for writing by another process/);
    const r = openCase(s.dir, { readOnly: true });
    expect(r.info().name).toBe('Acme v. Copycat');
    expect(() => r.addNote('hi')).toThrow(/read-only; cannot note\.add/);
    s.addNote('written while a reader is open');
    expect(r.notes().map((n) => n.text)).toEqual(['written while a reader is open']);
    r.close();
    s.close();
    const t = openCase(s.dir);
    t.close();
  });
});

describe('intake', () => {
  it('adds exhibits with hash, size and acquired-at; inside the case folder the path is relative; repeat intake is idempotent', async () => {
    const s = newCase();
    const outside = join(tmp(), 'suspect.onnx');
    writeFileSync(outside, 'abc');
    mkdirSync(join(s.dir, 'exhibits', 'triggers'), { recursive: true });
    writeFileSync(join(s.dir, 'exhibits', 'triggers', 'SHA256SUMS'), 'x\n');
    const a = await s.addExhibit({ role: 'suspect-file', path: outside, notes: 'seized 2026-01-02' });
    expect(a).toMatchObject({ id: 1, role: 'suspect-file', kind: 'file', path: outside, location: outside, size: 3, sha256: sha256Hex('abc'), notes: 'seized 2026-01-02' });
    expect(Date.parse(a.acquiredAt)).toBeGreaterThan(0);
    const b = await s.addExhibit({ role: 'trigger-set', path: join(s.dir, 'exhibits', 'triggers') });
    expect(b).toMatchObject({ id: 2, kind: 'directory', path: 'exhibits/triggers', location: join(s.dir, 'exhibits', 'triggers'), files: [{ path: 'SHA256SUMS', size: 2, sha256: sha256Hex('x\n') }] });
    expect((await s.addExhibit({ role: 'suspect-file', path: outside })).id).toBe(1);
    await expect(s.addExhibit({ role: 'evidence' as never, path: outside })).rejects.toThrow(/exhibit role: expected one of/);
    await expect(s.addExhibit({ role: 'source', path: join(tmp(), 'missing') })).rejects.toThrow(/no such file/);
    expect(s.exhibits().map((e) => e.id)).toEqual([1, 2]);
    expect(s.exhibit(2)?.role).toBe('trigger-set');
    const ts = s.addTriggerSet({ exhibitId: 2, method: 'ipguard', params: { k: 100, eps: 0.25 }, seed: 7, sha256: 'f'.repeat(64) });
    expect(ts).toMatchObject({ id: 1, exhibitId: 2, method: 'ipguard', params: { eps: 0.25, k: 100 }, seed: 7 });
    expect(s.addTriggerSet({ exhibitId: 2, method: 'ipguard', params: {}, seed: 7, sha256: 'f'.repeat(64) }).id).toBe(1);
    expect(() => s.addTriggerSet({ exhibitId: 9, method: 'm', params: {}, seed: 1, sha256: 'f'.repeat(64) })).toThrow(/no exhibit 9/);
    expect(() => s.addTriggerSet({ exhibitId: 2, method: 'm', params: {}, seed: 1, sha256: 'F00' })).toThrow(/sha256: expected 64/);
    expect(s.audit().map((e) => e.action)).toEqual(['case.create', 'exhibit.add', 'exhibit.add', 'trigger-set.add']);
    s.close();
  });

  it('stores endpoints only in redacted form', () => {
    const s = newCase();
    const e = s.addEndpoint({ url: 'https://***@api.example/v1/predict?key=***', protocol: 'kserve', mode: 'labels' });
    expect(e).toMatchObject({ id: 1, url: 'https://***@api.example/v1/predict?key=***', protocol: 'kserve', mode: 'labels' });
    expect(s.addEndpoint({ url: e.url, protocol: 'kserve', mode: 'labels' }).id).toBe(1);
    for (const url of ['https://user:pw@api.example/x', 'https://api.example/x?key=s3cret', 'https://api.example/x#tok']) {
      expect(() => s.addEndpoint({ url, protocol: 'json', mode: 'probabilities' }), url).toThrow(/never holds a secret/);
    }
    expect(() => s.addEndpoint({ url: 'https://api.example/x', protocol: 'json', mode: 'scores' as never })).toThrow(/endpoint mode/);
    expect(s.endpoints()).toHaveLength(1);
    s.close();
  });
});

describe('runs', () => {
  it('start → progress → finish with a verdict stored in the same transaction, numbers bit for bit', () => {
    const s = newCase();
    const ep = s.addEndpoint({ url: 'https://api.example/v1', protocol: 'tfserving', mode: 'probabilities' });
    const run = s.startRun({ kind: 'verify', method: 'ipguard', params: { level: 1e-3 }, seeds: [1, 2], engine: { backend: 'wasm', tfjs: '4.22.0' }, suspectEndpointId: ep.id, identity: 'http tfserving https://api.example/v1' });
    expect(run).toMatchObject({ id: 1, status: 'running', params: { level: 1e-3 }, seeds: [1, 2], engine: { backend: 'wasm', tfjs: '4.22.0' }, suspectEndpointId: 1 });
    s.updateRunProgress(run.id, { done: 40, total: 100 });
    expect(s.run(run.id)?.progress).toEqual({ done: 40, total: 100 });
    const v = verdictInput();
    const done = s.finishRun(run.id, { status: 'complete', result: { score: v.score }, verdict: v });
    expect(done.status).toBe('complete');
    expect(done.finishedAt).toBeDefined();
    const back = s.verdict(run.id)!;
    for (const k of ['score', 'pEmpirical', 'pParametric', 'level', 'nullMax'] as const) expect(Object.is(back[k], v[k]), k).toBe(true);
    expect(back).toMatchObject({ decision: 'derived', model: v.model, nullSize: 24, supportedBy: 'parametric-tail', nullScores: v.nullScores, explanation: v.explanation });
    expect(s.audit().map((e) => e.action)).toEqual(['case.create', 'endpoint.add', 'run.start', 'run.progress', 'run.finish', 'verdict.record']);
    expect(() => s.updateRunProgress(run.id, {})).toThrow(/run 1: cannot record progress: it is complete/);
    expect(() => s.finishRun(run.id, { status: 'failed' })).toThrow(/it is complete/);
    expect(() => s.resumeRun(run.id)).toThrow(/cannot resume: it is complete/);
    s.close();
  });

  it('an empty null (NaN max) and a null parametric p read back as given; a verdict on a partial run is refused atomically', () => {
    const s = newCase();
    const a = s.startRun({ kind: 'verify', method: 'mfue' });
    s.finishRun(a.id, { status: 'complete', verdict: verdictInput({ decision: 'insufficient-null', pParametric: null, model: null, nullSize: 0, nullMax: NaN, nullScores: [], supportedBy: 'none' }) });
    const v = s.verdict(a.id)!;
    expect(v.pParametric).toBeNull();
    expect(v.nullMax).toBeNaN();
    expect(v.model).toBeNull();
    const b = s.startRun({ kind: 'verify', method: 'mfue' });
    expect(() => s.finishRun(b.id, { status: 'partial', verdict: verdictInput() })).toThrow(/only a complete run has a verdict/);
    expect(() => s.finishRun(b.id, { status: 'complete', verdict: verdictInput({ score: NaN }) })).toThrow(/verdict score: expected a finite number/);
    expect(s.run(b.id)?.status).toBe('running'); // the failed finish changed nothing
    expect(s.verdict(b.id)).toBeUndefined();
    s.finishRun(b.id, { status: 'partial', result: { reason: 'budget' } });
    expect(s.resumeRun(b.id)).toMatchObject({ status: 'running' });
    expect(s.run(b.id)?.finishedAt).toBeUndefined();
    s.close();
  });

  it('refuses a run naming a suspect that is both an exhibit and an endpoint, or a missing trigger set', async () => {
    const s = newCase();
    const f = join(tmp(), 'm.onnx');
    writeFileSync(f, 'm');
    const ex = await s.addExhibit({ role: 'suspect-file', path: f });
    const ep = s.addEndpoint({ url: 'https://api.example/', protocol: 'json', mode: 'labels' });
    expect(() => s.startRun({ kind: 'verify', method: 'x', suspectExhibitId: ex.id, suspectEndpointId: ep.id })).toThrow(/not both/);
    expect(() => s.startRun({ kind: 'verify', method: 'x', triggerSetId: 5 })).toThrow(/no trigger set 5/);
    expect(() => s.startRun({ kind: 'verify', method: 'x', params: { a: NaN } })).toThrow(/run params: value\.a is NaN/);
    expect(s.runs()).toEqual([]);
    s.close();
  });

  it('notes and the audit log page in seq order', () => {
    const s = newCase();
    const run = s.startRun({ kind: 'verify', method: 'x' });
    s.addNote('first look', { runId: run.id });
    s.addNote('second');
    expect(s.notes()).toMatchObject([{ id: 1, text: 'first look', runId: 1, author: 'inv' }, { id: 2, text: 'second' }]);
    expect(() => s.addNote('  ')).toThrow(/empty/);
    const all = s.audit();
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(all.every((e, i) => e.prevHash === (i ? all[i - 1].hash : '0'.repeat(64)))).toBe(true);
    expect(s.audit({ after: 1, limit: 2 }).map((e) => e.seq)).toEqual([2, 3]);
    expect(all[2]).toMatchObject({ actor: 'inv', action: 'note.add', table: 'notes', rowId: '1' });
    s.close();
  });
});
