/**
 * The real renderer in a real Chromium (Debian's /usr/bin/chromium via playwright-core), talking to
 * the real bridge and engine over HTTP: the shell, the engine and datasets on the Settings page, and
 * a readable error when the token is wrong. The workbench's flows are in workbench.e2e.test.ts; the
 * harness (build, launch, screenshots, env) is in support/harness.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/main/bridge/handlers.ts';
import { startBridge, type Bridge } from '../../src/main/bridge/server.ts';
import { SettingsPage } from './pages/settings-page.ts';
import { SKIP_BROWSER, buildRenderer, launchBrowser, requireChromium, screenshot, screenshotDir } from './support/harness.ts';

describe.skipIf(SKIP_BROWSER)('renderer in Chromium over the localhost bridge', () => {
  let workDir: string;
  let shots: string;
  let bridge: Bridge;
  let context: BrowserContext;
  // Only to ask app.info what the page should show; the bridge makes its own handlers.
  const handlers = createHandlers();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireChromium();
    workDir = await mkdtemp(join(tmpdir(), 'provenant-e2e-'));
    shots = await screenshotDir();
    const rendererDir = await buildRenderer(join(workDir, 'renderer'));
    bridge = await startBridge({ dataDir: join(workDir, 'data'), rendererDir });
    context = await launchBrowser(join(workDir, 'profile'), pageErrors);
    context.on('response', (r) => r.status() >= 400 && pageErrors.push(`${r.status()} ${r.url()}`));
  });

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('shows the header, the engine backend and the datasets', async () => {
    const page = new SettingsPage(await context.newPage());
    await page.page.goto(bridge.appUrl);
    await page.title.waitFor();
    // The token left the address bar once read.
    expect(page.page.url()).toBe(`${bridge.url}/`);
    await page.page.getByTestId('nav-settings').click();
    expect(await page.title.textContent()).toBe('Provenant');
    expect(await page.transport.textContent()).toContain('browser');

    const expected = (await handlers['app.info']({})).engine;
    await page.engineBackend.waitFor();
    expect(await page.engineBackend.textContent()).toBe(expected.backend);
    expect(await page.engineCard.textContent()).toContain(expected.versions['@tensorflow/tfjs']);
    for (const id of ['mnist', 'fashion-mnist', 'folder']) await page.dataset(id).waitFor();
    expect(await page.dataset('fashion-mnist').textContent()).toContain('Fashion-MNIST');
    await page.settled();
    expect(pageErrors).toEqual([]);
    await screenshot(page.page, shots, 'settings-engine');
    await page.page.close();
  });

  it('shows a readable error when the bridge refuses the token', async () => {
    const page = new SettingsPage(await context.newPage());
    await page.open(`${bridge.url}/#token=wrong`);
    await page.settled();
    // app.info, settings.get and datasets.list: each says why.
    expect(await page.errors.count()).toBe(3);
    expect(await page.errors.first().textContent()).toContain('x-provenant-token');
    await page.page.close();
    pageErrors.length = 0; // the 401s are logged by Chromium as console errors, as they should be
  });
});
