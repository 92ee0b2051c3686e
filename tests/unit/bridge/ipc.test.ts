/**
 * The Electron transport without Electron: main's IPC wiring and preload's api joined by fakes of
 * ipcMain / ipcRenderer / webContents that behave like Electron's (invoke → handle, send → on).
 */
import { CHANNELS } from '../../../src/shared/contract.ts';
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { ServerEventBus } from '../../../src/main/bridge/events.ts';
import { createHandlers } from '../../../src/main/bridge/handlers.ts';
import { forwardServerEvents, registerIpcHandlers, type InvokeEventLike, type IpcMainLike } from '../../../src/main/electron/ipc.ts';
import { createPreloadApi, type IpcRendererLike } from '../../../src/preload/api.ts';
import { createClient } from '../../../src/shared/client.ts';
import { ApiError } from '../../../src/shared/api.ts';

function fakeElectron(senderUrl = 'file:///app/out/renderer/index.html') {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, fn) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, fn);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const rendererSide = new EventEmitter();
  const ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      const fn = handlers.get(channel);
      if (!fn) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await fn({ senderFrame: { url: senderUrl } } as InvokeEventLike, ...args.map((a) => structuredClone(a))));
    },
    on: (channel: string, fn: (...a: any[]) => void) => rendererSide.on(channel, fn),
    removeListener: (channel: string, fn: (...a: any[]) => void) => rendererSide.removeListener(channel, fn),
  } as unknown as IpcRendererLike;
  const webContents = { send: (channel: string, ...args: unknown[]) => rendererSide.emit(channel, {}, ...args), isDestroyed: () => false };
  return { handlers, ipcMain, ipcRenderer, webContents, rendererSide };
}

const stubEngine = async () => ({ backend: 'cpu' as const, tfjsBackend: 'cpu', requested: 'auto' as const, versions: {}, skipped: [], node: 'v20', platform: 'x' });

describe('Electron IPC transport (faked)', () => {
  it('registers exactly the contract channels, and unregisters them', () => {
    const e = fakeElectron();
    const off = registerIpcHandlers(e.ipcMain, createHandlers({ engine: stubEngine }));
    expect([...e.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    off();
    expect(e.handlers.size).toBe(0);
  });

  it('preload → main → handler → renderer client, with validation errors as ApiError', async () => {
    const e = fakeElectron();
    registerIpcHandlers(e.ipcMain, createHandlers({ engine: stubEngine, appVersion: '1.2.3' }));
    const client = createClient(createPreloadApi(e.ipcRenderer));
    const info = await client.invoke('app.info');
    expect(info).toMatchObject({ version: '1.2.3', engine: { backend: 'cpu' } });
    const list = await client.invoke('datasets.list', { kind: 'builtin' });
    expect(list.datasets.map((d) => d.id)).toEqual(['mnist', 'fashion-mnist']);
    const err = await client.invoke('datasets.list', { kind: 'zip' as never }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('bad_input');
    expect((err as ApiError).issues[0].path).toBe('kind');
  });

  it('preload refuses channels outside the contract without reaching IPC', async () => {
    const e = fakeElectron();
    const api = createPreloadApi(e.ipcRenderer);
    const envelope = await (api.invoke as (c: string) => Promise<any>)('shell.openExternal');
    expect(envelope).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    expect(() => (api.on as (e: string, l: () => void) => void)('ipc.anything', () => {})).toThrow(/unknown server event/);
  });

  it('requests from an untrusted frame are refused', async () => {
    const e = fakeElectron('https://evil.example/');
    registerIpcHandlers(e.ipcMain, createHandlers({ engine: stubEngine }), { isTrustedSender: (ev) => ev.senderFrame!.url.startsWith('file:') });
    const envelope = await createPreloadApi(e.ipcRenderer).invoke('app.info');
    expect(envelope).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('server events reach subscribed renderers until they unsubscribe; bad payloads are refused at the source', () => {
    const e = fakeElectron();
    const bus = new ServerEventBus();
    forwardServerEvents(bus, () => [e.webContents]);
    const client = createClient(createPreloadApi(e.ipcRenderer));
    const got: unknown[] = [];
    const off = client.on('job.progress', (p) => got.push(p));
    bus.emit('job.progress', { jobId: 'a', done: 1, total: 2, etaSeconds: null });
    off();
    bus.emit('job.progress', { jobId: 'a', done: 2, total: 2, etaSeconds: 0 });
    expect(got).toEqual([{ jobId: 'a', done: 1, total: 2, etaSeconds: null }]);
    expect(e.rendererSide.listenerCount('provenant:event')).toBe(0);
    expect(() => bus.emit('job.progress', { jobId: 'a', done: -1, total: 2, etaSeconds: null })).toThrow(/done/);
  });
});
