/** Serves the built renderer (out/renderer) as static files, with the SPA fallback to index.html. */
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where the built renderer is: next to the bundled main (out/main → out/renderer) or, when main runs
 * from source (tsx, tests), under the repository's out/. null when it has not been built.
 */
export function findRendererDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../renderer'), resolve(here, '../../../out/renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function fileAt(path: string): Promise<{ path: string; size: number } | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size } : null;
  } catch {
    return null;
  }
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string, root: string | null): Promise<void> {
  if (!root) {
    send(res, 503, 'The renderer has not been built: run `npm run build:app` (electron-vite build), then reload.\n');
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    send(res, 400, 'bad path\n');
    return;
  }
  const base = resolve(root);
  const target = resolve(base, '.' + (rel.endsWith('/') ? rel + 'index.html' : rel));
  if (target !== base && !target.startsWith(base + sep)) {
    send(res, 403, 'forbidden\n');
    return;
  }
  // Client-side routes (no extension) fall back to the app's index.html; missing assets are 404s.
  const file = (await fileAt(target)) ?? (extname(target) === '' ? await fileAt(join(base, 'index.html')) : null);
  if (!file) {
    send(res, 404, `not found: ${pathname}\n`);
    return;
  }
  const ext = extname(file.path);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-length': file.size,
    'cache-control': ext === '.html' ? 'no-cache' : 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file.path).pipe(res);
}
