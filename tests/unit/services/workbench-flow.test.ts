/**
 * The workbench's whole flow through the contract (dispatch → handlers → jobs in worker threads →
 * engine, store, evidence), no browser — the script the Playwright flows follow:
 *
 *   create a case → train a tiny source → build the small suite, the calibration null and an IPGuard
 *   trigger set (three concurrent jobs) → verify the suite's pirated 'ftal' and innocent 'neg-cnn-1'
 *   (verdicts differ) → verify 'ftal' behind an HTTP API with a stored API key, cancel it while a
 *   request is held (partial), start it again (resumed, same numbers) → PDF report → signed bundle →
 *   import it into a second case → replay it (reproduced bit for bit) → the audit chain checks.
 *
 * Every job's events are checked: monotone progress, exactly one final event. About 50 s on an idle
 * 2-core machine (the calibration null's 24 models dominate); the timeouts leave room for a busy one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, InputOf, OutputOf, ServerEventName, ServerEvents } from '../../../src/shared/contract.ts';
import { dispatch } from '../../../src/main/bridge/dispatch.ts';
import { ServerEventBus } from '../../../src/main/bridge/events.ts';
import { createHandlers } from '../../../src/main/bridge/handlers.ts';
import { modelClassifier } from '../../../src/main/engine/lab/classifier.ts';
import { loadModel } from '../../../src/main/engine/models/model-io.ts';
import { initBackend } from '../../../src/main/engine/tensor/backend.ts';
import { createWorkbench, type Workbench } from '../../../src/main/services/workbench.ts';
import { startSuspectServer, type SuspectServer } from '../../helpers/suspect-server.ts';

type Ev = { [E in ServerEventName]: { event: E; payload: ServerEvents[E] } }[ServerEventName];

const dataDir = mkdtempSync(join(tmpdir(), 'provenant-flow-'));
const events = new ServerEventBus();
const log: Ev[] = [];
events.subscribe((event, payload) => log.push({ event, payload } as Ev));
let wb: Workbench;
let server: SuspectServer | undefined;
let dispose = () => {};
const started = performance.now();

async function call<C extends Channel>(channel: C, input?: InputOf<C>): Promise<OutputOf<C>> {
  const r = await dispatch(createHandlers({ workbench: wb.handlers }), channel, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as OutputOf<C>;
}

/** Starts a job, waits for its end, checks its event stream; returns the job's result. */
async function job(spec: InputOf<'jobs.start'>): Promise<any> {
  const { jobId } = await call('jobs.start', spec);
  const view = await wb.jobs.settled(jobId);
  checkEvents(jobId);
  if (view.status !== 'done') throw new Error(`${spec.kind} job ${view.status}: ${view.error}`);
  return view.result;
}

function checkEvents(jobId: string): Ev[] {
  const evs = log.filter((e) => e.payload.jobId === jobId);
  const finals = evs.filter((e) => e.event !== 'job.progress');
  expect(finals).toHaveLength(1);
  expect(evs.at(-1)).toBe(finals[0]);
  let last = 0;
  for (const e of evs.filter((x) => x.event === 'job.progress')) {
    const p = e.payload as ServerEvents['job.progress'];
    expect(p.done / Math.max(1, p.total)).toBeGreaterThanOrEqual(last);
    last = p.done / Math.max(1, p.total);
  }
  return evs;
}

const state: Record<string, any> = {};

beforeAll(async () => {
  await initBackend('wasm');
  wb = createWorkbench({ events, dataDir, engine: async () => ({ backend: 'wasm' }) });
});
afterAll(async () => {
  await wb?.close();
  await server?.close();
  dispose();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`workbench flow: ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

describe('the workbench flow through the contract', () => {
  it('a case, a tiny source, the small suite + calibration null + IPGuard trigger set as concurrent jobs', async () => {
    const c = await call('cases.create', { name: 'Flow: is ftal derived from our model?', parties: { investigator: 'the flow test' } });
    expect(c.dir).toBe(join(dataDir, 'cases', `flow-is-ftal-derived-from-our-model-${c.id.slice(0, 8)}`));
    state.caseId = c.id;
    const train = await job({ kind: 'train', arch: 'mlp', epochs: 1, seed: 1, caseId: c.id });
    expect(train.testAccuracy).toBeGreaterThan(0.8);
    expect(train.dir.startsWith(c.dir)).toBe(true);
    const [small, cal, gen] = await Promise.all([
      job({ kind: 'suite', caseId: c.id, sourceDir: train.dir, preset: 'small' }),
      job({ kind: 'suite', caseId: c.id, sourceDir: train.dir, preset: 'calibration' }),
      job({ kind: 'generate', caseId: c.id, method: 'ipguard', sourceDir: train.dir, params: { n: 24 } }),
    ]);
    expect(small).toMatchObject({ preset: 'small', positives: 9, negatives: 4, complete: true });
    expect(cal).toMatchObject({ preset: 'calibration', positives: 0, negatives: 24, complete: true });
    expect(gen).toMatchObject({ method: 'ipguard', triggers: 24, runId: 1 });
    Object.assign(state, { small, cal, gen });
    const got = await call('cases.get', { caseId: c.id });
    expect(got.suites.map((s) => s.preset).sort()).toEqual(['calibration', 'small']);
    expect(got.triggerSets).toHaveLength(1);
    expect(got.exhibits.map((e) => e.role)).toEqual(['source', 'trigger-set']);
  }, 300_000);

  it('verifies the pirated and the innocent suspect: the verdicts differ', async () => {
    const verify = (id: string) => job({
      kind: 'verify', caseId: state.caseId, triggersDir: state.gen.dir, nullSuiteDir: state.cal.dir, suspect: { kind: 'file', path: join(state.small.dir, 'models', id) },
    });
    const pirate = await verify('ftal');
    const innocent = await verify('neg-cnn-1');
    expect(pirate).toMatchObject({ status: 'complete', decision: 'derived', nullSize: 24, queries: { needed: 24, sent: 24 } });
    expect(innocent).toMatchObject({ status: 'complete', decision: 'not-derived', nullSize: 24 });
    expect(pirate.score).toBeGreaterThan(innocent.score);
    state.pirate = pirate;
  }, 120_000);

  it('an HTTP suspect with a stored API key: cancelled while a request hangs (partial), resumed to the same numbers', async () => {
    const m = await loadModel(join(state.small.dir, 'models', 'ftal'));
    const c = modelClassifier(m.model);
    dispose = () => m.model.dispose();
    let hold = 6;
    server = await startSuspectServer({
      inputShape: [28, 28, 1], numClasses: 10, protocol: 'json', labelOnly: true, token: 'fl0w-s3cret',
      faults: (i) => (i === hold ? 'timeout' : undefined),
      answer: async (x, n) => tf.tidy(() => {
        const p = c.predictProbs(tf.tensor4d(x, [n, 28, 28, 1]));
        return { probs: p.dataSync() as Float32Array, labels: p.argMax(-1).dataSync() as Int32Array };
      }),
    });
    expect(await call('apiKeys.set', { name: 'suspect-api', value: 'Bearer fl0w-s3cret' })).toEqual({ names: ['suspect-api'] });
    const endpoint = { url: `${server.url}/predict`, protocol: 'json' as const, apiKey: 'suspect-api', json: { requestTemplate: '{"data": ["{{input}}"]}', responsePath: 'results.*.label', reply: 'labels' as const } };
    const probe = await call('endpoints.test', { endpoint, inputShape: [28, 28, 1], numClasses: 10 });
    expect(probe).toMatchObject({ ok: true, label: expect.any(Number) });
    hold += 1; // the probe took request 0
    const spec = { kind: 'verify' as const, caseId: state.caseId, triggersDir: state.gen.dir, nullSuiteDir: state.cal.dir, suspect: { kind: 'endpoint' as const, endpoint } };
    const { jobId } = await call('jobs.start', spec);
    while (server.requests() < 25) await new Promise((r) => setTimeout(r, 20)); // 24 one-input requests + the probe
    expect((await call('jobs.cancel', { jobId })).cancelled).toBe(true);
    const cancelled = await wb.jobs.settled(jobId);
    expect(cancelled.status).toBe('cancelled');
    expect(checkEvents(jobId).at(-1)).toMatchObject({ event: 'job.failed', payload: { cancelled: true } });
    const runs = (await call('cases.get', { caseId: state.caseId })).runs;
    const partial = runs.at(-1)!;
    expect(partial).toMatchObject({ kind: 'verify', status: 'partial', queries: { inputsAnswered: 23 } });

    hold = -1;
    const resumed = await job(spec);
    expect(resumed).toMatchObject({ runId: partial.id, status: 'complete', resumedReplies: 23, queries: { sent: 1, answered: 24 } });
    expect([resumed.score, resumed.decision, resumed.pEmpirical, resumed.pParametric]).toEqual([state.pirate.score, state.pirate.decision, state.pirate.pEmpirical, state.pirate.pParametric]);
    // The key went to the API and nowhere else: not in a job record, an event, the settings.
    expect(server.log().filter((q) => q.index > 0).every((q) => q.authorization === 'Bearer fl0w-s3cret')).toBe(true);
    const seen = JSON.stringify([log, await call('jobs.list'), await call('settings.get'), await call('cases.get', { caseId: state.caseId })]);
    expect(seen).not.toContain('fl0w-s3cret');
    expect(await call('settings.get')).toMatchObject({ apiKeys: ['suspect-api'], secretStore: 'memory' });
  }, 120_000);

  it('report, signed bundle, import into another case, replay reproduces; runs.get shows it all', async () => {
    const runId = state.pirate.runId;
    const report = await job({ kind: 'report', caseId: state.caseId, runId });
    expect(readFileSync(report.file).subarray(0, 5).toString()).toBe('%PDF-');
    const bundle = await job({ kind: 'bundle-export', caseId: state.caseId, runId });
    expect(bundle.signer).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(dataDir, 'keys', 'signing-key.pem'))).toBe(true);

    const details = await call('runs.get', { caseId: state.caseId, runId });
    expect(details.run.verdict).toMatchObject({ decision: 'derived' });
    expect(details.nullScores).toHaveLength(24);
    expect(details.roc).toBeNull(); // the calibration null has no pirated models
    expect(details.triggers).toHaveLength(24);
    expect(details.triggers[0].png).toMatch(/^data:image\/png;base64,/);
    expect(details.triggers.filter((t) => t.matched).length / 24).toBeCloseTo(state.pirate.score, 10);
    expect(details.queries).toMatchObject({ needed: 24, sent: 24, byOutcome: { ok: 1 } });
    expect(details.report).toEqual({ file: report.file, sha256: report.sha256 });
    expect(details.bundle).toEqual({ file: bundle.file, sha256: bundle.sha256, signer: bundle.signer });

    const arbiter = await call('cases.create', { name: 'Arbiter', parties: {} });
    const imported = await job({ kind: 'bundle-import', caseId: arbiter.id, file: bundle.file, trust: [bundle.signer] });
    expect(imported).toMatchObject({ sha256: bundle.sha256, signer: { trusted: true }, original: { decision: 'derived' } });
    const replay = await job({ kind: 'replay', bundle: bundle.file, suspect: { kind: 'file', path: join(state.small.dir, 'models', 'ftal') }, trust: [bundle.signer] });
    expect(replay).toMatchObject({ reproduced: true, differences: [], signer: { trusted: true } });
    const innocentReplay = await job({ kind: 'replay', bundle: bundle.file, suspect: { kind: 'file', path: join(state.small.dir, 'models', 'neg-cnn-1') } });
    expect(innocentReplay.reproduced).toBe(false);

    expect(await call('cases.check', { caseId: state.caseId })).toMatchObject({ ok: true, problems: [] });
    const list = await call('cases.list');
    expect(list.cases.map((x) => x.name)).toEqual(['Arbiter', 'Flow: is ftal derived from our model?']);
    expect(list.cases[1]).toMatchObject({ runs: 4, verdicts: 3 });
  }, 120_000);
});
