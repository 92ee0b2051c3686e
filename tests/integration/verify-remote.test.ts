/**
 * Verifying a suspect over HTTP (KServe v2, TF-Serving, generic JSON; label-only and probabilities)
 * and as an ONNX file gives exactly the numbers and verdicts of verifying the same model as a local
 * file — also through injected faults (429, 5xx, timeouts, garbage JSON, slow replies) — or a clear
 * error (wrong class count, wrong row count, persistent failure), never a wrong verdict. A spent
 * budget gives a partial result without a verdict, and resuming with the query log sends nothing
 * twice and ends with the uninterrupted numbers.
 *
 * Models: the committed ONNX-twin fixtures (a cnn "source" and a lenet "innocent", with tfjs twins);
 * null: a `calibration` suite (24 innocents) built from the source's data.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../src/main/cli/index.ts';
import { initBackend } from '../../src/main/engine/tensor/backend.ts';
import { buildSuite } from '../../src/main/engine/lab/suite-builder.ts';
import { loadModel } from '../../src/main/engine/models/model-io.ts';
import { modelClassifier } from '../../src/main/engine/lab/classifier.ts';
import { runGenerate } from '../../src/main/engine/methods/generate-job.ts';
import type { SuspectSpec } from '../../src/main/engine/suspects/open-suspect.ts';
import type { QueryExchange } from '../../src/main/engine/suspects/types.ts';
import { runVerify, type VerifyComplete, type VerifyResult } from '../../src/main/engine/verify/verify-job.ts';
import { startSuspectServer, type Fault, type SuspectServer } from '../helpers/suspect-server.ts';
import { capture } from '../helpers/capture.ts';

const FIXTURES = resolve('tests/fixtures/onnx');
const dir = mkdtempSync(join(tmpdir(), 'provenant-verify-remote-'));
const models = { source: join(dir, 'source'), innocent: join(dir, 'innocent') };
const nullDir = join(dir, 'calibration');
const triggers = { ipguard: join(dir, 'ipguard'), mfue: join(dir, 'mfue') };
const MFUE = { n: 4, rounds: 2, stepsPerRound: 2, mimics: 1, mimicSteps: 2, mimicBatch: 8, mimicAdv: 2, mimicPgdSteps: 1, probes: 10, searchRounds: 3, probeSteps: 3 };
const answers: Record<string, (x: Float32Array, n: number) => Promise<{ labels: Int32Array; probs: Float32Array }>> = {};
const disposers: (() => void)[] = [];
const servers: SuspectServer[] = [];

beforeAll(async () => {
  process.env.PROVENANT_BACKEND = 'wasm';
  await initBackend('wasm');
  cpSync(join(FIXTURES, 'source', 'tfjs'), models.source, { recursive: true });
  cpSync(join(FIXTURES, 'innocent', 'tfjs'), models.innocent, { recursive: true });
  await buildSuite({ sourceDir: models.source, outDir: nullDir, suiteSeed: 2, purpose: 'suite', preset: 'calibration', workers: 2 });
  await runGenerate({ method: 'ipguard', sourceDir: models.source, outDir: triggers.ipguard, seed: 1, params: { n: 24 } });
  await runGenerate({ method: 'mfue', sourceDir: models.source, outDir: triggers.mfue, seed: 1, params: MFUE });
  for (const [name, d] of Object.entries(models)) {
    const m = await loadModel(d);
    const c = modelClassifier(m.model);
    disposers.push(() => m.model.dispose());
    answers[name] = async (x, n) =>
      tf.tidy(() => {
        const p = c.predictProbs(tf.tensor4d(x, [n, 28, 28, 1]));
        return { probs: p.dataSync() as Float32Array, labels: p.argMax(-1).dataSync() as Int32Array };
      });
  }
}, 300_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  disposers.forEach((d) => d());
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

type Protocol = 'kserve' | 'tfserving' | 'json';
async function serve(suspect: keyof typeof models, protocol: Protocol, labelOnly: boolean, extra: { faults?: (i: number) => Fault | undefined; token?: string; scores?: 'probabilities' | 'logits' } = {}) {
  const s = await startSuspectServer({ answer: answers[suspect], inputShape: [28, 28, 1], numClasses: 10, protocol, labelOnly, modelName: 'm', ...extra });
  servers.push(s);
  return s;
}

function httpSpec(s: SuspectServer, protocol: Protocol, labelOnly: boolean, transport: Record<string, unknown> = {}): SuspectSpec {
  const json = protocol === 'json' ? { json: { requestTemplate: '{"data": "{{inputs}}"}', responsePath: labelOnly ? 'results.*.label' : 'results.*.scores', reply: labelOnly ? ('labels' as const) : ('scores' as const) } } : {};
  return { kind: 'http', url: protocol === 'json' ? s.endpoint : s.url, protocol, ...(protocol === 'json' ? {} : { model: 'm' }), batchSize: 8, concurrency: 3, backoffMs: 5, timeoutMs: 2000, ...json, ...transport } as SuspectSpec;
}

const local = new Map<string, Promise<VerifyResult>>();
function verifyLocal(method: keyof typeof triggers, suspect: keyof typeof models, labelsOnly: boolean): Promise<VerifyComplete> {
  const key = `${method}/${suspect}/${labelsOnly}`;
  if (!local.has(key)) local.set(key, runVerify({ triggersDir: triggers[method], suspect: { kind: 'model-dir', dir: models[suspect] }, nullSuiteDir: nullDir, labelsOnly }));
  return local.get(key)! as Promise<VerifyComplete>;
}

/** The numbers a court sees: identical, not close. */
function numbers(r: VerifyResult) {
  expect(r.status).toBe('complete');
  const c = r as VerifyComplete;
  return { score: c.score, nullScores: c.nullScores, decision: c.verdict.decision, pEmpirical: c.verdict.pEmpirical, pParametric: c.verdict.pParametric, needed: c.queries.needed };
}

describe('remote suspects give the numbers of their local files', () => {
  for (const protocol of ['kserve', 'tfserving', 'json'] as const) {
    for (const labelOnly of [true, false]) {
      it(`${protocol}, ${labelOnly ? 'labels only' : 'probabilities'}: MFUE and IPGuard, source and innocent`, async () => {
        for (const [method, suspect] of [['mfue', 'source'], ['ipguard', 'source'], ['ipguard', 'innocent']] as const) {
          const s = await serve(suspect, protocol, labelOnly);
          const remote = await runVerify({ triggersDir: triggers[method], suspect: httpSpec(s, protocol, labelOnly), nullSuiteDir: nullDir, labelsOnly: labelOnly });
          const ref = await verifyLocal(method, suspect, labelOnly);
          expect(numbers(remote)).toEqual(numbers(ref));
          expect(remote.queries).toMatchObject({ needed: ref.queries.needed, sent: ref.queries.needed, reused: 0 });
          expect(remote.suspect).toMatchObject({ kind: 'http', labelsOnly: labelOnly });
        }
        // The table holds both outcomes: a wrong transport could not pass by agreeing on one verdict.
        expect((await verifyLocal('ipguard', 'source', labelOnly)).verdict.decision).toBe('derived');
        expect((await verifyLocal('ipguard', 'innocent', labelOnly)).verdict.decision).toBe('not-derived');
      });
    }
  }

  it('MFUE label-only costs exactly n·M queries, every one sent once', async () => {
    const s = await serve('source', 'kserve', true);
    const log = join(dir, 'mfue-mc.jsonl');
    const r = await runVerify({ triggersDir: triggers.mfue, suspect: httpSpec(s, 'kserve', true), nullSuiteDir: nullDir, labelsOnly: true, queryLog: log });
    expect(r.queries).toMatchObject({ needed: MFUE.n * MFUE.probes, sent: MFUE.n * MFUE.probes, answered: MFUE.n * MFUE.probes });
    expect(s.log().reduce((a, q) => a + (q.n ?? 0), 0)).toBe(MFUE.n * MFUE.probes);
    const sent = readLog(log).flatMap((e) => e.inputHashes);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('logit rows are read through a softmax: same labels, probabilities equal to float precision', async () => {
    const s = await serve('source', 'tfserving', false, { scores: 'logits' });
    const r = (await runVerify({ triggersDir: triggers.mfue, suspect: httpSpec(s, 'tfserving', false, { scores: 'logits' }), nullSuiteDir: nullDir })) as VerifyComplete;
    const ref = await verifyLocal('mfue', 'source', false);
    expect(r.score).toBeCloseTo(ref.score, 5);
    expect(r.verdict.decision).toBe(ref.verdict.decision);
  });
});

function readLog(file: string): QueryExchange[] {
  return readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as QueryExchange).filter((e) => e.outcome === 'ok');
}

describe('faults', () => {
  it('429, 500, 503, timeouts, garbage JSON and slow replies: retried, same numbers, every attempt logged', async () => {
    const plan: Record<number, Fault> = { 0: '429', 1: '500', 2: 'garbage', 3: { kind: 'timeout', delayMs: 5000 }, 4: { kind: 'slow', delayMs: 300 }, 5: '503', 7: '500', 8: 'garbage' };
    const s = await serve('source', 'kserve', true, { faults: (i) => plan[i] });
    const log = join(dir, 'faults.jsonl');
    const r = await runVerify({ triggersDir: triggers.mfue, suspect: httpSpec(s, 'kserve', true, { timeoutMs: 1000 }), nullSuiteDir: nullDir, labelsOnly: true, queryLog: log });
    expect(numbers(r)).toEqual(numbers(await verifyLocal('mfue', 'source', true)));
    const all = readFileSync(log, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as QueryExchange);
    expect(all.filter((e) => e.outcome === 'retry')).toHaveLength(7);
    expect(all.filter((e) => e.outcome === 'retry').map((e) => e.httpStatus ?? e.error)).toEqual(expect.arrayContaining([429, 500, 503]));
    expect(all.every((e, i) => e.seq === i + 1)).toBe(true);
  });

  it.each([
    ['wrong-classes', /class/i],
    ['wrong-rows', /row|answers|inputs/i],
  ] as const)('%s: a clear error, no verdict', async (fault, message) => {
    const s = await serve('source', 'tfserving', false, { faults: () => fault });
    await expect(runVerify({ triggersDir: triggers.ipguard, suspect: httpSpec(s, 'tfserving', false), nullSuiteDir: nullDir })).rejects.toThrow(message);
  });

  it('a persistently failing API: a clear error after the retries, no verdict', async () => {
    const s = await serve('source', 'kserve', true, { faults: () => '500' });
    await expect(runVerify({ triggersDir: triggers.ipguard, suspect: httpSpec(s, 'kserve', true, { retries: 2 }), nullSuiteDir: nullDir, labelsOnly: true })).rejects.toThrow(/500/);
    expect(s.requests()).toBeGreaterThanOrEqual(3);
  });

  it('probability mode against a label-only API is refused, naming --labels-only or the reply', async () => {
    const s = await serve('source', 'kserve', true);
    await expect(runVerify({ triggersDir: triggers.ipguard, suspect: httpSpec(s, 'kserve', false), nullSuiteDir: nullDir })).rejects.toThrow(/label/i);
  });
});

describe('budget and resume', () => {
  it('a spent budget gives a partial result without a verdict; resuming sends only the rest and ends with the uninterrupted numbers', async () => {
    const s = await serve('source', 'json', true);
    const log = join(dir, 'budget.jsonl');
    const needed = MFUE.n * MFUE.probes;
    const spec = httpSpec(s, 'json', true);
    const first = await runVerify({ triggersDir: triggers.mfue, suspect: spec, nullSuiteDir: nullDir, labelsOnly: true, budget: 15, queryLog: log });
    expect(first.status).toBe('partial');
    expect(first).not.toHaveProperty('verdict');
    expect(first).not.toHaveProperty('score');
    expect(first.queries).toMatchObject({ needed, sent: 15, budget: 15 });
    expect((first as { reason: string }).reason).toMatch(/budget \(15\) ran out.*same query log/);
    const second = await runVerify({ triggersDir: triggers.mfue, suspect: spec, nullSuiteDir: nullDir, labelsOnly: true, budget: 15, queryLog: log });
    expect(second.status).toBe('partial');
    expect(second.queries).toMatchObject({ sent: 15, answered: 30 });
    const last = await runVerify({ triggersDir: triggers.mfue, suspect: spec, nullSuiteDir: nullDir, labelsOnly: true, budget: 15, queryLog: log });
    expect(last.queries).toMatchObject({ needed, sent: needed - 30, answered: needed });
    expect(numbers(last)).toEqual(numbers(await verifyLocal('mfue', 'source', true)));
    const hashes = readLog(log).flatMap((e) => e.inputHashes);
    expect(hashes).toHaveLength(needed);
    expect(new Set(hashes).size).toBe(needed);
    expect(s.log().reduce((a, q) => a + (q.n ?? 0), 0)).toBe(needed);
  });

  it('the CLI exits 3 with PARTIAL RESULT, and a log of another verification is refused', async () => {
    const s = await serve('source', 'kserve', true);
    const log = join(dir, 'cli-budget.jsonl');
    const args = ['verify', '--triggers', triggers.ipguard, '--suspect', s.url, '--protocol', 'kserve', '--model', 'm', '--null', nullDir, '--labels-only', '--query-log', log];
    const c = capture();
    expect(await main([...args, '--budget', '10'])).toBe(3);
    expect(c.out()).toMatch(/PARTIAL RESULT/);
    expect(c.out()).not.toMatch(/score \d|verdict \(level/);
    expect(await main(args)).toBe(0);
    expect(c.out()).toMatch(/10 reused from the query log; 24 of 24 needed answered/);
    expect(await main([...args.slice(0, 2), triggers.mfue, ...args.slice(3)])).toBe(1);
    expect(c.err()).toMatch(/belongs to another verification/);
  });
});

describe('secrets and local files', () => {
  it('an API key from --auth-env is sent but never printed or logged', async () => {
    const token = 'sk-test-9f8e7d6c5b4a';
    const s = await serve('innocent', 'kserve', false, { token });
    const log = join(dir, 'auth.jsonl');
    process.env.PROVENANT_TEST_KEY = `Bearer ${token}`;
    const c = capture();
    const args = ['--json', 'verify', '--triggers', triggers.ipguard, '--suspect', s.url, '--protocol', 'kserve', '--model', 'm', '--null', nullDir, '--query-log', log];
    expect(await main([...args, '--auth-env', 'PROVENANT_TEST_KEY'])).toBe(0);
    expect(s.log().every((q) => q.authorization === `Bearer ${token}`)).toBe(true);
    expect(c.out() + c.err() + readFileSync(log, 'utf8')).not.toContain(token);
    expect(await main(args.map((a) => (a === log ? `${log}.2` : a)))).toBe(1);
    expect(c.err()).toMatch(/401/);
    expect(c.err()).not.toContain(token);
    delete process.env.PROVENANT_TEST_KEY;
  });

  it('an ONNX file exported from PyTorch verifies like its tfjs twin, labels only and with probabilities', async () => {
    for (const name of ['source', 'innocent'] as const) {
      for (const labelsOnly of [true, false]) {
        const c = capture();
        const flags = labelsOnly ? ['--labels-only'] : [];
        expect(await main(['--json', 'verify', '--triggers', triggers.mfue, '--suspect', join(FIXTURES, name, 'model.onnx'), '--null', nullDir, ...flags])).toBe(0);
        const r = JSON.parse(c.out().slice(c.out().indexOf('{'))) as VerifyComplete;
        const ref = await runVerify({ triggersDir: triggers.mfue, suspect: { kind: 'model-dir', dir: models[name] }, nullSuiteDir: nullDir, labelsOnly });
        expect(r.suspect.kind).toBe('onnx');
        expect(r.verdict.decision).toBe((ref as VerifyComplete).verdict.decision);
        if (labelsOnly) expect(numbers(r)).toEqual(numbers(ref));
        else expect(r.score).toBeCloseTo((ref as VerifyComplete).score, 4);
        vi.restoreAllMocks();
      }
    }
  });
});
