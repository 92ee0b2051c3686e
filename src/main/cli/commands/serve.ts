/**
 * `provenant serve [--port 0] [--data DIR] [--no-open]`: the workbench in a browser, for headless
 * GPU servers and tests. Serves the built renderer (out/renderer; this command builds nothing) and
 * the contract on 127.0.0.1 only, with a random token that the printed address carries in its
 * fragment (never sent to a server, never logged by one). Jobs run in worker threads; API keys are
 * kept in memory for this process only. Ctrl-C cancels running jobs and stops.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startBridge } from '../../bridge/server.ts';
import { findRendererDir } from '../../bridge/static.ts';
import { defaultDataDir } from '../../services/data-folder.ts';
import { intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const SERVE_USAGE = 'provenant serve [--port 0] [--data DIR ($PROVENANT_DATA or ~/.provenant)] [--no-open]';

/** Opens the address in the desktop's browser when there is one; silently nothing on a headless server. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    /* no opener: the address is printed */
  }
}

export async function serveCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, { port: { type: 'string', default: '0' }, data: { type: 'string' }, 'no-open': { type: 'boolean', default: false } });
  const port = intFlag(v.port, 'port')!;
  if (port > 65535) throw new UsageError(`--port: expected an integer 0..65535, got "${String(v.port)}"`);
  const dataDir = v.data ? resolve(String(v.data)) : defaultDataDir();
  const rendererDir = findRendererDir();
  if (!rendererDir) ctx.log('serve: the renderer has not been built (out/renderer is missing): run `npm run build:app` first; the API is served meanwhile');
  const bridge = await startBridge({ port, dataDir, rendererDir });
  if (ctx.json) ctx.out(JSON.stringify({ url: bridge.url, appUrl: bridge.appUrl, dataDir, renderer: rendererDir }));
  else {
    ctx.out(`Provenant workbench on ${bridge.url} (data folder ${dataDir}; API keys are kept in memory for this session)`);
    ctx.out(`Open: ${bridge.appUrl}`);
  }
  if (!v['no-open'] && rendererDir) openBrowser(bridge.appUrl);
  await new Promise<void>((done) => {
    if (ctx.signal.aborted) return done();
    ctx.signal.addEventListener('abort', () => done(), { once: true });
  });
  ctx.log('serve: stopping (cancelling running jobs)');
  await bridge.close();
  return 0;
}
