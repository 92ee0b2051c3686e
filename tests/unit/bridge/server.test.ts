import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../../src/shared/api.ts';
import { createHandlers, type HandlerRegistry } from '../../../src/main/bridge/handlers.ts';
import { startBridge, type Bridge } from '../../../src/main/bridge/server.ts';

/** A raw request (fetch would normalise '..' segments away). */
function get(bridge: Bridge, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request(`${bridge.url}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('bridge over HTTP (real handlers and engine)', () => {
  let bridge: Bridge;
  const api = (channel: string, body?: unknown, token = bridge.token) =>
    fetch(`${bridge.url}/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  beforeAll(async () => {
    bridge = await startBridge({ rendererDir: null });
  });
  afterAll(() => bridge.close());

  it('binds 127.0.0.1 on a random port and answers /health without a token', async () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.port).toBeGreaterThan(0);
    expect(bridge.appUrl).toBe(`${bridge.url}/#token=${bridge.token}`);
    const res = await fetch(`${bridge.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, name: 'provenant' });
  });

  it('app.info reports the app and the initialised engine', async () => {
    const { status, body } = await api('app.info');
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.value.name).toBe('Provenant');
    expect(body.value.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['node-gpu', 'node', 'wasm', 'cpu']).toContain(body.value.engine.backend);
    expect(body.value.engine.versions['@tensorflow/tfjs']).toMatch(/^\d+\./);
  });

  it('datasets.list lists the datasets, and filters by kind', async () => {
    const all = await api('datasets.list', {});
    expect(all.status).toBe(200);
    expect(all.body.value.datasets.map((d: { id: string }) => d.id)).toEqual(['mnist', 'fashion-mnist', 'folder']);
    const folders = await api('datasets.list', { kind: 'folder' });
    expect(folders.body.value.datasets.map((d: { id: string }) => d.id)).toEqual(['folder']);
  });

  it('bad input → 400 with a message naming the field', async () => {
    const { status, body } = await api('datasets.list', { kind: 'zip' });
    expect(status).toBe(400);
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('bad_input');
    expect(body.error.channel).toBe('datasets.list');
    expect(body.error.message).toMatch(/kind/);
    expect(body.error.issues[0].path).toBe('kind');
    const unknownKey = await api('app.info', { verbos: 1 });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.message).toContain('verbos');
  });

  it('a body that is not JSON → 400', async () => {
    const { status, body } = await api('datasets.list', '{kind:');
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/not valid JSON/);
  });

  it('unknown channel → 404 naming the known ones', async () => {
    const { status, body } = await api('fs.readFile', { path: '/etc/passwd' });
    expect(status).toBe(404);
    expect(body.error.code).toBe('unknown_channel');
    expect(body.error.message).toContain('app.info');
  });

  it('a missing or wrong token → 401; GET on /api → 405', async () => {
    expect((await api('app.info', {}, '')).status).toBe(401);
    expect((await api('app.info', {}, 'x'.repeat(64))).status).toBe(401);
    expect((await fetch(`${bridge.url}/api/app.info`)).status).toBe(405);
  });

  it('without a built renderer, pages answer 503 with the build command', async () => {
    const res = await get(bridge, '/');
    expect(res.status).toBe(503);
    expect(res.body).toContain('npm run build');
  });

  it('pushes server events over SSE', async () => {
    expect((await fetch(`${bridge.url}/events`)).status).toBe(401);
    const controller = new AbortController();
    const res = await fetch(`${bridge.url}/events?token=${bridge.token}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    text += decoder.decode((await reader.read()).value); // ': connected'
    bridge.events.emit('job.progress', { jobId: 'j1', done: 1, total: 4, etaSeconds: 3, message: 'training' });
    while (!text.includes('\n\nevent:') || !text.endsWith('\n\n')) text += decoder.decode((await reader.read()).value);
    expect(text).toContain('event: job.progress\ndata: {"jobId":"j1","done":1,"total":4,"etaSeconds":3,"message":"training"}\n\n');
    controller.abort();
  });
});

describe('bridge with stub handlers and a renderer folder', () => {
  let bridge: Bridge;
  let dir: string;
  const handlers: HandlerRegistry = {
    ...createHandlers(),
    'app.info': async () => {
      throw new Error('engine exploded');
    },
    // An output that breaks the contract must not reach the renderer.
    'datasets.list': async () => ({ datasets: [{ id: '', name: 'x', description: '', kind: 'builtin', available: true }] }),
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provenant-bridge-'));
    await mkdir(join(dir, 'renderer/assets'), { recursive: true });
    await writeFile(join(dir, 'renderer/index.html'), '<!doctype html><title>Provenant</title>');
    await writeFile(join(dir, 'renderer/assets/app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'secret');
    bridge = await startBridge({ handlers, rendererDir: join(dir, 'renderer'), token: 't0ken' });
  });
  afterAll(async () => {
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (channel: string) =>
    fetch(`${bridge.url}/api/${channel}`, { method: 'POST', headers: { [TOKEN_HEADER]: 't0ken' } }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as any,
    }));

  it('a handler that throws → 500 with its message', async () => {
    const { status, body } = await post('app.info');
    expect(status).toBe(500);
    expect(body.error).toMatchObject({ code: 'internal', message: 'app.info: engine exploded' });
  });

  it('a handler output that breaks the contract → 500 naming the field', async () => {
    const { status, body } = await post('datasets.list');
    expect(status).toBe(500);
    expect(body.error.message).toContain('datasets[0].id');
  });

  it('serves the renderer, falls back to index.html for app routes, 404s missing assets, refuses ..', async () => {
    const index = await get(bridge, '/');
    expect(index.status).toBe(200);
    expect(index.type).toContain('text/html');
    expect(index.body).toContain('<title>Provenant</title>');
    const js = await get(bridge, '/assets/app.js');
    expect(js.type).toContain('text/javascript');
    expect((await get(bridge, '/cases/42')).body).toContain('<title>Provenant</title>');
    expect((await get(bridge, '/assets/missing.js')).status).toBe(404);
    const escape = await get(bridge, '/..%2fsecret.txt');
    expect(escape.status).toBe(403);
    expect(escape.body).not.toContain('secret\n');
  });

});

describe('bridge shutdown', () => {
  it('close() resolves with an event stream open, and ends that stream', async () => {
    const bridge = await startBridge({ rendererDir: null, handlers: createHandlers() });
    const res = await fetch(`${bridge.url}/events`, { headers: { [TOKEN_HEADER]: bridge.token } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // ': connected'
    expect(bridge.events.listenerCount).toBe(1);
    await bridge.close();
    const end = await reader.read().catch(() => ({ done: true }));
    expect(end.done).toBe(true);
    expect(bridge.events.listenerCount).toBe(0);
  });
});

describe('createHandlers', () => {
  it('are plain functions: callable without any transport', async () => {
    const h = createHandlers({
      appVersion: '9.9.9',
      engine: async () => ({ backend: 'cpu', tfjsBackend: 'cpu', requested: 'cpu', versions: {}, skipped: [], node: 'v20', platform: 'x' }),
    });
    expect((await h['app.info']({})).version).toBe('9.9.9');
    expect((await h['datasets.list']({ kind: 'builtin' })).datasets).toHaveLength(2);
  });
});

describe('bridge security', () => {
  let bridge: Bridge;
  let dataDir: string;
  const post = (channel: string, body: unknown, headers: Record<string, string> = { [TOKEN_HEADER]: bridge.token }) =>
    fetch(`${bridge.url}/api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'provenant-bridge-sec-'));
    bridge = await startBridge({ rendererDir: null, dataDir });
  });
  afterAll(async () => {
    await bridge.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only: the socket is bound to loopback and other addresses of this machine refuse', async () => {
    expect(bridge.address).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: bridge.port });
    const others = Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
    for (const host of others) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host, port: bridge.port, timeout: 2000 });
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(outcome, host).not.toBe('connected');
    }
  });

  it('refuses every workbench channel without the token, before looking at the input', async () => {
    for (const [channel, body] of [['cases.list', {}], ['jobs.start', { kind: 'train' }], ['apiKeys.set', { name: 'k', value: 'v' }], ['settings.get', {}]] as const) {
      const r = await post(channel, body, {});
      expect(r.status, channel).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
    }
    expect((await post('cases.list', {}, { [TOKEN_HEADER]: 'f'.repeat(64) })).status).toBe(401);
  });

  it('malformed input is refused naming the field (jobs.start verify with a bad level)', async () => {
    const r = await post('jobs.start', { kind: 'verify', caseId: 'c', triggersDir: 't', nullSuiteDir: 'n', suspect: { kind: 'file', path: 'p' }, level: 2 });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'bad_input', channel: 'jobs.start', issues: [{ path: 'level' }] });
    expect(r.body.error.message).toMatch(/^jobs\.start: invalid input: level: /);
  });

  it('a case id that is a path never reaches the file system', async () => {
    const r = await post('cases.get', { caseId: '../../../etc' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'bad_input', issues: [{ path: 'caseId', message: '"../../../etc" is not a case id (a UUID such as cases.list returns)' }] });
    expect(r.body.error.message).toBe('cases.get: caseId: "../../../etc" is not a case id (a UUID such as cases.list returns)');
  });
});
