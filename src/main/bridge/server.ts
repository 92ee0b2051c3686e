/**
 * The localhost bridge: the same contract and handlers as Electron's IPC, over HTTP, for the browser
 * (headless) mode, the CLI's `serve` and the e2e tests.
 *
 *   POST /api/<channel>   JSON input → JSON Envelope (200, or 400/401/404/500 with { ok: false, error })
 *   GET  /events          Server-Sent Events: one `event: <name>` per ServerEvents push
 *   GET  /health          { ok, name, version } (no token needed)
 *   GET  /*               the built renderer (out/renderer)
 *
 * It binds 127.0.0.1 on a random port by default. /api and /events need the token in the
 * x-provenant-token header (/events also takes ?token=, as EventSource cannot set headers). The
 * page learns the token from the address it is opened with, `<url>/#token=<token>` (the fragment is
 * never sent to the server).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_STATUS, TOKEN_HEADER, type Envelope } from '../../shared/api.ts';
import { dispatch, failure } from './dispatch.ts';
import { ServerEventBus } from './events.ts';
import { createHandlers, type HandlerRegistry } from './handlers.ts';
import { createWorkbench, type Workbench } from '../services/workbench.ts';
import { findRendererDir, serveStatic } from './static.ts';
import { version } from '../../../package.json';

export interface BridgeOptions {
  /** Default: the real handlers with a workbench on `dataDir`, sharing this bridge's events. */
  handlers?: HandlerRegistry;
  events?: ServerEventBus;
  /** The workbench's data folder when the bridge makes its own handlers (default $PROVENANT_DATA or ~/.provenant). */
  dataDir?: string;
  /** Default 127.0.0.1. Anything else exposes the API beyond this machine: think twice. */
  host?: string;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** Default: 32 random bytes, hex. */
  token?: string;
  /** The built renderer to serve; default out/renderer if built; null serves no pages. */
  rendererDir?: string | null;
}

export interface Bridge {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** What the socket is bound to, as the OS reports it (127.0.0.1 by default). */
  readonly address: AddressInfo;
  readonly token: string;
  /** The address to open in a browser: url + '/#token=' + token. */
  readonly appUrl: string;
  readonly events: ServerEventBus;
  /** The workbench the bridge made (absent when handlers were given). */
  readonly workbench?: Workbench;
  /** Cancels the workbench's jobs (when the bridge made it), ends event streams, stops listening. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;
const SSE_PING_MS = 15_000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendEnvelope(res: ServerResponse, envelope: Envelope): void {
  sendJson(res, envelope.ok ? 200 : HTTP_STATUS[envelope.error.code], envelope);
}

function tokenMatches(expected: Buffer, given: string | undefined | null): boolean {
  if (!given) return false;
  const g = Buffer.from(given);
  return g.length === expected.length && timingSafeEqual(g, expected);
}

/** Reads a JSON body; an empty body is `undefined` (the contract's "no input"). */
async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, message: `request body exceeds ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, status: 400, message: `request body is not valid JSON: ${(err as Error).message}` };
  }
}

export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const events = options.events ?? new ServerEventBus();
  const workbench = options.handlers ? undefined : createWorkbench({ events, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  const handlers = options.handlers ?? createHandlers({ workbench: workbench!.handlers });
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('hex');
  const tokenBytes = Buffer.from(token);
  const rendererDir = options.rendererDir === undefined ? findRendererDir() : options.rendererDir;
  const streams = new Set<ServerResponse>();

  async function handleApi(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, failure('bad_input', `use POST for /api/${channel}`, channel));
      return;
    }
    if (!tokenMatches(tokenBytes, req.headers[TOKEN_HEADER] as string | undefined)) {
      sendEnvelope(res, failure('unauthorized', `missing or wrong ${TOKEN_HEADER} header`, channel));
      return;
    }
    const body = await readJson(req);
    if (!body.ok) {
      sendJson(res, body.status, failure('bad_input', `${channel}: ${body.message}`, channel));
      return;
    }
    sendEnvelope(res, await dispatch(handlers, channel, body.value));
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const given = (req.headers[TOKEN_HEADER] as string | undefined) ?? url.searchParams.get('token');
    if (!tokenMatches(tokenBytes, given)) {
      sendEnvelope(res, failure('unauthorized', `missing or wrong token (${TOKEN_HEADER} header or ?token=)`));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    const unsubscribe = events.subscribe((event, payload) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), SSE_PING_MS);
    ping.unref();
    res.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/api/')) return handleApi(req, res, decodeURIComponent(path.slice('/api/'.length)));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, failure('bad_input', `method ${req.method} not allowed on ${path}`));
      return;
    }
    if (path === '/health') return sendJson(res, 200, { ok: true, name: 'provenant', version });
    if (path === '/events') return handleEvents(req, res, url);
    return serveStatic(req, res, path, rendererDir);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendEnvelope(res, failure('internal', err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const { port } = address;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;

  return {
    url,
    port,
    address,
    token,
    appUrl: `${url}/#token=${token}`,
    events,
    ...(workbench ? { workbench } : {}),
    close: async () => {
      await workbench?.close();
      await new Promise<void>((resolveClose, rejectClose) => {
        for (const s of streams) s.end();
        server.close((err) => (err ? rejectClose(err) : resolveClose()));
        server.closeAllConnections();
      });
    },
  };
}
