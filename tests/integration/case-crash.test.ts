/**
 * Crash safety of a verification recorded in a case: a `provenant verify --case` process is killed
 * with SIGKILL while the suspect API holds a request; running the same command again resumes the
 * run from its recorded queries. No answered query is lost or sent again, and the final numbers
 * equal an uninterrupted verification of the same model as a local file. The case then checks
 * intact, and a tamperer's edit of a recorded reply is named by `case check`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../src/main/cli/index.ts';
import { initBackend } from '../../src/main/engine/tensor/backend.ts';
import { buildSuite } from '../../src/main/engine/lab/suite-builder.ts';
import { runGenerate } from '../../src/main/engine/methods/generate-job.ts';
import { loadModel } from '../../src/main/engine/models/model-io.ts';
import { modelClassifier } from '../../src/main/engine/lab/classifier.ts';
import { runVerify, type VerifyComplete } from '../../src/main/engine/verify/verify-job.ts';
import { openCase } from '../../src/main/store/index.ts';
import { startSuspectServer, type SuspectServer } from '../helpers/suspect-server.ts';
import { capture } from '../helpers/capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-case-crash-'));
const source = join(dir, 'source');
const nullDir = join(dir, 'null');
const triggers = join(dir, 'ipguard');
const caseDir = join(dir, 'case');
let server: SuspectServer;
let holdAt = 4; // the 5th request is held (never answered) until the first process is killed
let dispose = () => {};

beforeAll(async () => {
  process.env.PROVENANT_BACKEND = 'wasm';
  await initBackend('wasm');
  cpSync(resolve('tests/fixtures/onnx/source/tfjs'), source, { recursive: true });
  await buildSuite({ sourceDir: source, outDir: nullDir, suiteSeed: 2, purpose: 'suite', preset: 'calibration', workers: 2 });
  await runGenerate({ method: 'ipguard', sourceDir: source, outDir: triggers, seed: 1, params: { n: 24 } });
  const m = await loadModel(source);
  const c = modelClassifier(m.model);
  dispose = () => m.model.dispose();
  server = await startSuspectServer({
    inputShape: [28, 28, 1], numClasses: 10, protocol: 'kserve', labelOnly: true, modelName: 'm',
    faults: (i) => (i === holdAt ? 'timeout' : undefined),
    answer: async (x, n) => tf.tidy(() => {
      const p = c.predictProbs(tf.tensor4d(x, [n, 28, 28, 1]));
      return { probs: p.dataSync() as Float32Array, labels: p.argMax(-1).dataSync() as Int32Array };
    }),
  });
  expect(await main(['case', 'new', caseDir, '--name', 'crash test'])).toBe(0);
}, 300_000);
afterAll(async () => {
  await server?.close();
  dispose();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

const args = () => ['verify', '--triggers', triggers, '--suspect', server.url, '--protocol', 'kserve', '--model', 'm', '--null', nullDir, '--labels-only', '--case', caseDir, '--batch-size', '4', '--concurrency', '1'];

describe('a verification killed with SIGKILL', () => {
  it('resumes from the recorded queries: none lost, none sent twice, the uninterrupted numbers', async () => {
    const child = spawn(process.execPath, ['bin/provenant.mjs', ...args()], { env: { ...process.env, PROVENANT_BACKEND: 'wasm' }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    const deadline = Date.now() + 120_000;
    while (server.requests() <= holdAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(server.requests()).toBe(holdAt + 1); // four requests answered, the fifth held
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    holdAt = -1;

    const before = openCase(caseDir, { readOnly: true });
    const [run] = before.runs();
    expect(run.status).toBe('running'); // killed: nobody closed it
    expect(before.querySummary(run.id)).toMatchObject({ exchanges: 4, inputsAnswered: 16 });
    before.close();

    const c = capture();
    expect(await main(['--json', ...args()])).toBe(0);
    const r = JSON.parse(c.out().slice(c.out().indexOf('{')));
    expect(r.case).toMatchObject({ run: run.id, resumedReplies: 16 });
    expect(r.queries).toMatchObject({ needed: 24, sent: 8, answered: 24 });

    // The API answered every trigger exactly once, across both processes.
    const answered = server.log().filter((q) => q.n !== undefined && q.fault === undefined);
    expect(answered.reduce((a, q) => a + q.n!, 0)).toBe(24);
    const store = openCase(caseDir, { readOnly: true });
    const hashes = store.queries(run.id).filter((q) => q.outcome === 'ok').flatMap((q) => q.inputHashes);
    expect(hashes).toHaveLength(24);
    expect(new Set(hashes).size).toBe(24);
    expect(store.run(run.id)!.status).toBe('complete');
    store.close();

    const ref = (await runVerify({ triggersDir: triggers, suspect: { kind: 'model-dir', dir: source }, nullSuiteDir: nullDir, labelsOnly: true })) as VerifyComplete;
    expect([r.score, r.verdict.decision, r.verdict.pEmpirical, r.verdict.pParametric]).toEqual([ref.score, ref.verdict.decision, ref.verdict.pEmpirical, ref.verdict.pParametric]);
  });

  it('the run becomes a signed bundle an arbiter replays bit for bit, and a PDF whose text holds the evidence', async () => {
    const c = capture();
    const key = join(dir, 'key.pem');
    expect(await main(['keys', 'new', key])).toBe(0);
    expect(await main(['--json', 'bundle', 'export', caseDir, '--run', '1', '--key', key, '--out', join(dir, 'run1.pvb')])).toBe(0);
    const b = JSON.parse(c.out().slice(c.out().lastIndexOf('{\n')));
    expect(await main(['replay', join(dir, 'run1.pvb'), '--suspect', source, '--labels-only', '--trust', b.fingerprint])).toBe(0);
    expect(c.out()).toMatch(/REPRODUCED: score, p-values and verdict are bit for bit/);
    expect(await main(['replay', join(dir, 'run1.pvb'), '--suspect', resolve('tests/fixtures/onnx/innocent/model.onnx'), '--labels-only'])).toBe(5);
    expect(c.out()).toMatch(/DIFFERS: decision: original derived, replay not-derived/);
    const pdf = join(dir, 'report.pdf');
    expect(await main(['report', caseDir, '--run', '1', '--out', pdf])).toBe(0);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    const store = openCase(caseDir, { readOnly: true });
    const v = store.verdict(1)!;
    const exhibits = store.exhibits();
    store.close();
    expect(text).toMatch(/DERIVED/);
    expect(text).toContain(String(v.pEmpirical));
    for (const e of exhibits) expect(text).toContain(e.sha256);
    expect(text).toContain(b.sha256);
    expect(text.replace(/\s+/g, ' ')).toContain(`provenant replay bundle-run1.pvb`.replace('bundle-run1.pvb', join(dir, 'run1.pvb')));
  });

  it('generate --case records the source, a generate run and the trigger set', async () => {
    expect(await main(['generate', '--method', 'ipguard', '--source', source, '--param', 'n=6', '--out', join(dir, 'ip-case'), '--case', caseDir])).toBe(0);
    const store = openCase(caseDir, { readOnly: true });
    const run = store.runs().find((r) => r.kind === 'generate')!;
    expect(run).toMatchObject({ method: 'ipguard', status: 'complete', seeds: { triggers: 1 } });
    expect(store.exhibits().map((e) => e.role)).toEqual(expect.arrayContaining(['source', 'trigger-set']));
    expect(store.triggerSets().some((t) => (run.result as { triggerSet: number }).triggerSet === t.id)).toBe(true);
    store.close();
  });

  it('case check: intact, then names a recorded reply a tamperer edited', async () => {
    const c = capture();
    expect(await main(['case', 'check', caseDir])).toBe(0);
    expect(c.out()).toMatch(/INTACT/);
    const db = new Database(join(caseDir, 'case.sqlite'));
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete');
    db.prepare("UPDATE queries SET labels = '[0,0,0,0]' WHERE seq = 3").run();
    db.close();
    expect(await main(['case', 'check', caseDir])).toBe(4);
    expect(c.out()).toMatch(/ALTERED: .*queries/);
  });
});
