/**
 * The real renderer in a real Chromium (Debian's /usr/bin/chromium via playwright-core), talking to
 * the real bridge and engine over HTTP. The renderer is built by this test with vite into a temp
 * folder (the same config electron-vite uses), so `npm test` needs no earlier build step and never
 * tests a stale out/.
 *
 * Env: PROVENANT_CHROMIUM (default /usr/bin/chromium; when absent the tests skip, except under CI=true,
 * where they fail), PROVENANT_SKIP_E2E=1 to skip,
 * PROVENANT_E2E_ARTIFACTS (folder for screenshots; default a new temp folder, printed).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererConfig } from '../../electron.vite.config.ts';
import { createHandlers } from '../../src/main/bridge/handlers.ts';
import { startBridge, type Bridge } from '../../src/main/bridge/server.ts';
import { OverviewPage } from './pages/overview-page.ts';

const CHROMIUM = process.env['PROVENANT_CHROMIUM'] || '/usr/bin/chromium';
// A developer machine without Chromium skips (with a note); CI (CI=true) must run these tests.
const MISSING = !existsSync(CHROMIUM);
const SKIP = process.env['PROVENANT_SKIP_E2E'] === '1' || (MISSING && process.env['CI'] !== 'true');
if (MISSING && SKIP) console.warn(`e2e skipped: Chromium not found at ${CHROMIUM} (apt-get install chromium)`);

// Without these, Chromium tries to reach Google services, which this closed network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(SKIP)('renderer in Chromium over the localhost bridge', () => {
  let workDir: string;
  let artifacts: string;
  let bridge: Bridge;
  let context: BrowserContext;
  const handlers = createHandlers();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\` (or set PROVENANT_CHROMIUM to a Chromium binary, ` +
          'or PROVENANT_SKIP_E2E=1 to skip the e2e tests)',
      );
    }
    workDir = await mkdtemp(join(tmpdir(), 'provenant-e2e-'));
    artifacts = process.env['PROVENANT_E2E_ARTIFACTS'] || (await mkdtemp(join(tmpdir(), 'provenant-e2e-shots-')));
    await mkdir(artifacts, { recursive: true });
    const rendererDir = join(workDir, 'renderer');
    await build({
      ...rendererConfig,
      configFile: false,
      mode: 'production',
      logLevel: 'warn',
      build: { ...rendererConfig.build, outDir: rendererDir },
    });
    bridge = await startBridge({ handlers, rendererDir });
    // A persistent context on a fresh profile folder: Chromium's --user-data-dir, owned by this test.
    context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    context.on('weberror', (e) => pageErrors.push(String(e.error())));
    context.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    context.on('response', (r) => r.status() >= 400 && pageErrors.push(`${r.status()} ${r.url()}`));
  });

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('shows the header, the engine backend and the datasets', async () => {
    const page = new OverviewPage(await context.newPage());
    await page.open(bridge.appUrl);
    expect(await page.title.textContent()).toBe('Provenant');
    expect(await page.transport.textContent()).toContain('browser');

    const expected = (await handlers['app.info']({})).engine;
    await page.engineBackend.waitFor();
    expect(await page.engineBackend.textContent()).toBe(expected.backend);
    expect(await page.engineCard.textContent()).toContain(expected.versions['@tensorflow/tfjs']);
    for (const id of ['mnist', 'fashion-mnist', 'folder']) await page.dataset(id).waitFor();
    expect(await page.dataset('fashion-mnist').textContent()).toContain('Fashion-MNIST');

    // The token left the address bar once read.
    expect(page.page.url()).toBe(`${bridge.url}/`);
    expect(pageErrors).toEqual([]);

    const shot = join(artifacts, 'overview.png');
    await page.page.screenshot({ path: shot, fullPage: true });
    console.log(`e2e screenshot: ${shot}`);
    await page.page.close();
  });

  it('shows a readable error when the bridge refuses the token', async () => {
    const page = new OverviewPage(await context.newPage());
    await page.open(`${bridge.url}/#token=wrong`);
    await page.settled();
    expect(await page.errors.count()).toBe(2);
    expect(await page.errors.first().textContent()).toContain('x-provenant-token');
    await page.page.close();
    pageErrors.length = 0; // the 401s are logged by Chromium as console errors, as they should be
  });
});
