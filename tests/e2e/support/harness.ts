/**
 * What every browser e2e file shares: whether to run (Debian's Chromium present, or CI), the
 * renderer built with the same vite config electron-vite uses (into a temp folder, so no stale
 * out/ is tested), Chromium launched on a fresh profile with the flags that keep it off the network,
 * the folder screenshots go to, and a log of page errors.
 *
 * Env: PROVENANT_CHROMIUM (default /usr/bin/chromium; when absent the tests skip, except under
 * CI=true, where they fail), PROVENANT_SKIP_E2E=1 to skip, PROVENANT_E2E_SCREENSHOTS (folder for
 * the screenshots of the main screens, e.g. docs/screenshots), PROVENANT_E2E_ARTIFACTS (the same,
 * older name; default a new temp folder, printed).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { rendererConfig } from '../../../electron.vite.config.ts';

export const CHROMIUM = process.env['PROVENANT_CHROMIUM'] || '/usr/bin/chromium';
const MISSING = !existsSync(CHROMIUM);
/** A developer machine without Chromium skips (with a note); CI (CI=true) must run these tests. */
export const SKIP_BROWSER = process.env['PROVENANT_SKIP_E2E'] === '1' || (MISSING && process.env['CI'] !== 'true');
if (MISSING && SKIP_BROWSER) console.warn(`e2e skipped: Chromium not found at ${CHROMIUM} (apt-get install chromium)`);

// Without these, Chromium tries to reach Google services, which a closed network refuses.
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

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\` (or set PROVENANT_CHROMIUM to a Chromium binary, ` +
        'or PROVENANT_SKIP_E2E=1 to skip the e2e tests)',
    );
  }
}

/** Builds the renderer into `outDir` (a few seconds). */
export async function buildRenderer(outDir: string): Promise<string> {
  await build({ ...rendererConfig, configFile: false, mode: 'production', logLevel: 'warn', build: { ...rendererConfig.build, outDir } });
  return outDir;
}

/** A persistent context on a fresh profile folder (Chromium's --user-data-dir), owned by the test. */
export async function launchBrowser(profileDir: string, pageErrors: string[] = []): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  context.on('weberror', (e) => pageErrors.push(String(e.error())));
  context.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  return context;
}

/** Where screenshots go: PROVENANT_E2E_SCREENSHOTS, else PROVENANT_E2E_ARTIFACTS, else a new temp folder. */
export async function screenshotDir(): Promise<string> {
  const chosen = process.env['PROVENANT_E2E_SCREENSHOTS'] || process.env['PROVENANT_E2E_ARTIFACTS'];
  const dir = chosen ? resolve(chosen) : await mkdtemp(join(tmpdir(), 'provenant-e2e-shots-'));
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * A screenshot named `<name>.png` (the full page; `fullPage: false` for what is in view, e.g. an open
 * dialog), its path logged so a CI log leads to it.
 */
export async function screenshot(page: Page, dir: string, name: string, { fullPage = true } = {}): Promise<string> {
  const path = join(dir, `${name}.png`);
  // Let transitions and the last reload settle; screenshots are documentation, not timing tests.
  await page.waitForTimeout(300);
  // From the top: a full-page capture of a scrolled page draws the fixed header mid-page.
  if (fullPage) await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
  await page.screenshot({ path, fullPage, animations: 'disabled' });
  console.log(`e2e screenshot: ${path}`);
  return path;
}
