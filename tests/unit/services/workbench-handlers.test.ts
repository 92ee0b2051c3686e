/**
 * The workbench handlers without running any real job (a fake launcher records what a worker would
 * get): cases, notes, exhibits, endpoints, settings and API keys, and what jobs.start accepts —
 * paths resolved and kept inside the data folder or the case's exhibits, case ids that are ids,
 * outputs chosen inside the case, API keys turned into headers only in the worker's payload.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, InputOf, OutputOf } from '../../../src/shared/contract.ts';
import type { Envelope } from '../../../src/shared/api.ts';
import { dispatch } from '../../../src/main/bridge/dispatch.ts';
import { ServerEventBus } from '../../../src/main/bridge/events.ts';
import { createHandlers } from '../../../src/main/bridge/handlers.ts';
import type { FromWorker, JobProcess, ToWorker } from '../../../src/main/jobs/types.ts';
import type { TaskPayload } from '../../../src/main/services/tasks/types.ts';
import { createWorkbench, type Workbench } from '../../../src/main/services/workbench.ts';
import { memoryDataDirPreference } from '../../../src/main/services/settings-file.ts';

const root = mkdtempSync(join(tmpdir(), 'provenant-handlers-'));
const dataDir = join(root, 'data');
const outside = join(root, 'elsewhere');
const payloads: TaskPayload[] = [];

/** A worker that keeps the payload it was sent and stops when cancelled. */
function fakeLauncher(): JobProcess {
  let onMsg: (m: FromWorker) => void = () => {};
  return {
    send: (m: ToWorker) => {
      if (m.type === 'start') payloads.push(m.payload as TaskPayload);
      else setTimeout(() => onMsg({ type: 'failed', error: 'cancelled', cancelled: true }), 1);
    },
    onMessage: (l) => void (onMsg = l),
    onExit: () => {},
    kill: () => {},
  };
}

let wb: Workbench;
const preference = memoryDataDirPreference();
const raw = (channel: string, input?: unknown): Promise<Envelope> => dispatch(createHandlers({ workbench: wb.handlers }), channel, input);
async function call<C extends Channel>(channel: C, input?: InputOf<C>): Promise<OutputOf<C>> {
  const r = await raw(channel, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as OutputOf<C>;
}

beforeAll(() => {
  mkdirSync(join(outside, 'model'), { recursive: true });
  writeFileSync(join(outside, 'model', 'model.json'), '{}');
  wb = createWorkbench({ events: new ServerEventBus(), dataDir, preference, launcher: fakeLauncher, engine: async () => ({ backend: 'cpu' }) });
});
afterEach(() => void payloads.splice(0));
afterAll(async () => {
  await wb.close();
  rmSync(root, { recursive: true, force: true });
});

describe('cases, notes, exhibits', () => {
  it('creates a case in cases/<slug>-<short id>, lists it, shows it, checks it', async () => {
    const c = await call('cases.create', { name: '  Acme v. Foo (2025)  ', parties: { owner: 'Acme' }, description: 'model theft' });
    expect(c).toMatchObject({ name: 'Acme v. Foo (2025)', parties: { owner: 'Acme' }, description: 'model theft', runs: 0, verdicts: 0 });
    expect(c.dir).toBe(join(dataDir, 'cases', `acme-v-foo-2025-${c.id.slice(0, 8)}`));
    expect((await call('cases.list')).cases.map((x) => x.id)).toContain(c.id);
    expect(await call('cases.addNote', { caseId: c.id, text: 'first look' })).toEqual({ id: 1 });
    const exhibit = await call('exhibits.add', { caseId: c.id, role: 'source', path: join(outside, 'model') });
    expect(exhibit).toMatchObject({ role: 'source', kind: 'directory', path: join(outside, 'model'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const got = await call('cases.get', { caseId: c.id });
    expect(got.notes.map((n) => n.text)).toEqual(['first look']);
    expect(got.exhibits).toEqual([exhibit]);
    expect(await call('cases.check', { caseId: c.id })).toMatchObject({ ok: true, chainEntries: 3, problems: [] });
  });

  it('a missing exhibit path or an unknown case is refused naming the field', async () => {
    const c = await call('cases.create', { name: 'x' });
    expect((await raw('exhibits.add', { caseId: c.id, role: 'source', path: join(root, 'nope') })).ok).toBe(false);
    const bad = await raw('cases.get', { caseId: '00000000-0000-4000-8000-000000000000' });
    expect(bad).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^cases\.get: caseId: no case 00000000/) } });
  });
});

describe('security: ids are not paths, paths stay where they must', () => {
  it('a case id that is a path is refused before anything is opened', async () => {
    for (const caseId of ['../../etc', '/etc/passwd', 'cases/../x', 'acme-v-foo-2025-1a2b3c4d']) {
      const r = await raw('cases.get', { caseId });
      expect(r).toMatchObject({ ok: false, error: { code: 'bad_input', issues: [{ path: 'caseId' }], message: expect.stringContaining(`caseId: "${caseId}" is not a case id`) } });
    }
  });

  it('job inputs outside the data folder are refused unless they are exhibits of the case', async () => {
    const c = await call('cases.create', { name: 'paths' });
    for (const sourceDir of [outside, '../elsewhere/model', join(dataDir, '..', 'elsewhere', 'model')]) {
      const r = await raw('jobs.start', { kind: 'suite', caseId: c.id, sourceDir });
      expect(r).toMatchObject({ ok: false, error: { code: 'bad_input', issues: [{ path: 'sourceDir' }], message: expect.stringMatching(/^jobs\.start: sourceDir: .* is outside the data folder/) } });
    }
    const escape = await raw('jobs.start', { kind: 'verify', caseId: c.id, triggersDir: '../../../../../../etc', nullSuiteDir: 'x', suspect: { kind: 'file', path: outside } });
    expect(escape).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^jobs\.start: triggersDir: \/etc is outside the data folder/) } });
    // Taken in as an exhibit, the same folder (and what is inside it) may be worked on.
    await call('exhibits.add', { caseId: c.id, role: 'source', path: join(outside, 'model') });
    const { jobId } = await call('jobs.start', { kind: 'suite', caseId: c.id, sourceDir: join(outside, 'model'), preset: 'calibration', seed: 3 });
    await new Promise((r) => setTimeout(r, 10));
    expect(payloads.at(-1)).toMatchObject({ kind: 'suite', sourceDir: join(outside, 'model'), outDir: join(c.dir, 'suites', 'suite-calibration-seed3'), preset: 'calibration' });
    await call('jobs.cancel', { jobId });
    expect((await wb.jobs.settled(jobId)).status).toBe('cancelled');
  });

  it('malformed job specs are refused by the contract, naming the field', async () => {
    const c = await call('cases.create', { name: 'malformed' });
    const base = { kind: 'verify', caseId: c.id, triggersDir: 't', nullSuiteDir: 'n', suspect: { kind: 'file', path: 'x' } };
    const level = await raw('jobs.start', { ...base, level: 1.5 });
    expect(level).toMatchObject({ ok: false, error: { code: 'bad_input', issues: [{ path: 'level' }] } });
    const suspect = await raw('jobs.start', { ...base, suspect: { kind: 'endpoint', endpoint: { url: 'file:///etc/passwd', protocol: 'json' } } });
    expect(suspect).toMatchObject({ ok: false, error: { code: 'bad_input', issues: [{ path: 'suspect.endpoint.url' }] } });
    const kind = await raw('jobs.start', { kind: 'rm -rf', caseId: c.id });
    expect(kind).toMatchObject({ ok: false, error: { code: 'bad_input', issues: [{ path: 'kind' }] } });
    expect(payloads).toEqual([]);
  });

  it('an API key reaches only the worker payload, as a header; no channel returns it', async () => {
    const c = await call('cases.create', { name: 'keys' });
    const endpoint = { url: 'https://api.example/v1/predict', protocol: 'kserve' as const, model: 'm', apiKey: 'prod' };
    const noKey = await raw('endpoints.add', { caseId: c.id, endpoint });
    expect(noKey).toMatchObject({ ok: false, error: { message: expect.stringContaining('endpoint.apiKey: no API key named "prod"') } });
    await call('apiKeys.set', { name: 'prod', value: 'Bearer TOPSECRET' });
    expect(await call('endpoints.add', { caseId: c.id, endpoint })).toMatchObject({ url: 'https://api.example/v1/predict', protocol: 'kserve', mode: 'labels' });
    const inside = join(dataDir, 'cases'); // any folder inside the data folder passes prepare
    const { jobId } = await call('jobs.start', { kind: 'verify', caseId: c.id, triggersDir: inside, nullSuiteDir: inside, suspect: { kind: 'endpoint', endpoint } });
    await new Promise((r) => setTimeout(r, 10));
    expect(payloads.at(-1)).toMatchObject({ kind: 'verify', suspect: { kind: 'http', headers: { Authorization: 'Bearer TOPSECRET' } } });
    const visible = JSON.stringify([await call('jobs.list'), await call('settings.get'), await call('cases.get', { caseId: c.id }), await call('apiKeys.delete', { name: 'nope' })]);
    expect(visible).not.toContain('TOPSECRET');
    expect(await call('settings.get')).toEqual({ dataDir, backend: 'cpu', apiKeys: ['prod'], secretStore: 'memory' });
    // While the verification holds the case, other writes are refused with the job's name.
    const busy = await raw('cases.addNote', { caseId: c.id, text: 'x' });
    expect(busy).toMatchObject({ ok: false, error: { message: expect.stringMatching(/the case is busy: job [0-9a-f]{8} \(verify\) is writing to it/) } });
    await call('jobs.cancel', { jobId });
    await wb.jobs.settled(jobId);
    expect(await call('cases.addNote', { caseId: c.id, text: 'x' })).toEqual({ id: 1 });
    expect(await call('apiKeys.delete', { name: 'prod' })).toEqual({ names: [] });
  });
});

describe('settings', () => {
  it('switches the data folder (remembered by the preference), refuses a file, names a broken settings.json', async () => {
    const other = join(root, 'other-data');
    expect(await call('settings.setDataDir', { dataDir: other })).toEqual({ dataDir: other });
    expect(preference.load()).toBe(other);
    expect((await call('cases.list')).cases).toEqual([]);
    writeFileSync(join(root, 'a-file'), 'x');
    expect(await raw('settings.setDataDir', { dataDir: join(root, 'a-file') })).toMatchObject({ ok: false, error: { message: expect.stringContaining('dataDir: ') } });
    expect(await raw('settings.setDataDir', { dataDir: 'relative/dir' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('dataDir: expected an absolute path') } });
    const broken = join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'settings.json'), '{"format":"provenant-settings/1","backend":"tpu"}');
    expect(await raw('settings.setDataDir', { dataDir: broken })).toMatchObject({ ok: false, error: { message: expect.stringContaining('settings.json: backend: ') } });
    expect(await call('settings.setDataDir', { dataDir })).toEqual({ dataDir });
  });
});
