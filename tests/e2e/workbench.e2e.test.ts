/**
 * The workbench end to end, as an investigator uses it: the real renderer in Chromium, the real
 * bridge, workbench services, worker-thread jobs and engine, each test on its own data folder.
 *
 *  1. create a case; train a tiny source (mlp, 1 epoch on the embedded MNIST); build the small
 *     suite and a calibration null (24 innocents); generate an IPGuard trigger set with 24
 *     triggers; verify the pirated `ftal` and the innocent `neg-cnn-1` of the suite (the verdicts
 *     differ; progress was shown while the verification ran); export the PDF report; export the
 *     signed bundle, import it and replay it (REPRODUCED); the integrity check says INTACT;
 *  2. a job cancelled from the jobs drawer shows as cancelled;
 *  3. settings show an API key's name, never its value.
 *
 * Screenshots of each main screen go to PROVENANT_E2E_SCREENSHOTS (docs/screenshots for the README)
 * or a temp folder. Small configs throughout: the file takes about a minute on 2 cores.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/main/bridge/server.ts';
import { CasePage } from './pages/case-page.ts';
import { CasesPage } from './pages/cases-page.ts';
import { JobsDrawer, jobSamples, recordJobStates } from './pages/jobs.ts';
import { SettingsPage } from './pages/settings-page.ts';
import { SKIP_BROWSER, buildRenderer, launchBrowser, requireChromium, screenshot, screenshotDir } from './support/harness.ts';

const MINUTE = 60_000;

describe.skipIf(SKIP_BROWSER)('the workbench in Chromium, end to end', () => {
  let workDir: string;
  let rendererDir: string;
  let shots: string;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const bridges: Bridge[] = [];

  beforeAll(async () => {
    requireChromium();
    workDir = await mkdtemp(join(tmpdir(), 'provenant-e2e-flow-'));
    shots = await screenshotDir();
    rendererDir = await buildRenderer(join(workDir, 'renderer'));
    context = await launchBrowser(join(workDir, 'profile'), pageErrors);
  });

  beforeEach(() => {
    pageErrors.length = 0;
  });

  afterAll(async () => {
    await context?.close();
    for (const b of bridges) await b.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** A bridge with its own workbench on its own data folder, and a page opened on it. */
  async function openWorkbench(name: string): Promise<{ page: Page; bridge: Bridge; dataDir: string }> {
    const dataDir = join(workDir, `data-${name}`);
    const bridge = await startBridge({ dataDir, rendererDir });
    bridges.push(bridge);
    const page = await context.newPage();
    return { page, bridge, dataDir };
  }

  it('takes a case from a trained source to verdicts, a PDF report and a replayed bundle', async () => {
    const { page, bridge, dataDir } = await openWorkbench('flow');
    const cases = new CasesPage(page);
    await cases.open(bridge.appUrl);
    expect(await page.getByTestId('data-dir').textContent()).toBe(dataDir);
    const caseId = await cases.createCase({
      name: 'Is the digits model behind Acme’s API ours?', owner: 'Digits Ltd', suspect: 'Acme Corp', investigator: 'E2E', description: 'The demo flow, driven from the workbench.',
    });
    const c = new CasePage(page);
    expect(await c.title.textContent()).toBe('Is the digits model behind Acme’s API ours?');

    await (await c.train(1, 'mlp')).end(2 * MINUTE);
    // The trained model is the case's source exhibit, offered as the suite's source.
    await c.tab('exhibits');
    await page.locator('[data-testid="exhibit-row"][data-role="source"]').waitFor();
    // A connection test to an API that is not there says why, in words.
    const probe = await c.testEndpoint('http://127.0.0.1:9/v2/models/digits/infer');
    expect(await probe.textContent()).toMatch(/Connection failed/);

    await (await c.buildSuite('small')).end(3 * MINUTE);
    await (await c.buildSuite('calibration')).end(3 * MINUTE);
    const smallDir = await c.suiteDir('small');
    await c.suiteDir('calibration');
    await screenshot(page, shots, 'models-and-suites');

    const generate = await c.generate('ipguard', { n: 24 });
    await screenshot(page, shots, 'trigger-set-wizard');
    await generate.end(2 * MINUTE);
    await c.triggerSetRows.first().waitFor();
    expect(await c.triggerSetRows.first().getAttribute('data-method')).toBe('ipguard');

    // A suspect that is not there: main names the field, and the page shows it under that input.
    await c.verifyFile(join(smallDir, 'models', 'no-such-model'));
    await c.fieldError('verify-suspect-path').waitFor();
    expect(await c.fieldError('verify-suspect-path').textContent()).toContain('no such file or directory');
    pageErrors.length = 0; // Chromium logs that 400 as a console error, as it should

    // The pirate: a fine-tuned copy of the source.
    await recordJobStates(page);
    const pirated = await c.verifyFile(join(smallDir, 'models', 'ftal'));
    await pirated.end(2 * MINUTE);
    await screenshot(page, shots, 'verification');
    const verifyJobs = (await jobSamples(page)).filter((s) => s.kind === 'verify');
    // Progress was shown while it ran: a running bar, the queries counted against those needed.
    expect(verifyJobs.some((s) => s.status === 'running' && s.total > 0)).toBe(true);
    expect(verifyJobs.some((s) => s.status === 'running' && /(querying the suspect|scoring the innocent models): \d+\/\d+/.test(s.message ?? ''))).toBe(true);
    expect(Number(await pirated.job.getAttribute('data-progress-events'))).toBeGreaterThan(0);
    expect(await page.getByTestId('verify-queries').textContent()).toBe('Queries: 24 sent of 24 needed.');
    const piratedRun = await c.seeVerifyResult();
    expect(await c.verdict.getAttribute('data-decision')).toBe('derived');

    // An innocent: trained independently on other data.
    const innocent = await c.verifyFile(join(smallDir, 'models', 'neg-cnn-1'));
    await innocent.end(2 * MINUTE);
    const innocentRun = await c.seeVerifyResult();
    expect(innocentRun).not.toBe(piratedRun);
    expect(await c.verdict.getAttribute('data-decision')).toBe('not-derived');

    // The pirate's result: verdict in words, the null, the triggers, then the evidence.
    await c.openRun(piratedRun);
    expect(await c.verdict.textContent()).toMatch(/Derived/);
    expect(await page.getByTestId('null-tick').count()).toBe(24);
    expect(await page.getByTestId('trigger-row').count()).toBe(24);
    expect(await page.locator('[data-testid="runs-table"] [data-decision="derived"]').count()).toBe(1);
    expect(await page.locator('[data-testid="runs-table"] [data-decision="not-derived"]').count()).toBe(1);
    await screenshot(page, shots, 'results');

    const pdf = await c.exportReport(MINUTE);
    expect(existsSync(pdf)).toBe(true);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const bundle = await c.exportBundle(MINUTE);
    expect(existsSync(bundle.file)).toBe(true);
    expect(bundle.signer).toMatch(/^[0-9a-f]{64}$/);
    const outcome = await c.importAndReplay(join(smallDir, 'models', 'ftal'), 2 * MINUTE);
    expect(await outcome.getAttribute('data-reproduced')).toBe('true');
    expect(await outcome.textContent()).toContain('REPRODUCED');
    await outcome.scrollIntoViewIfNeeded();
    await screenshot(page, shots, 'replay', { fullPage: false });
    await page.keyboard.press('Escape');
    // The import left the bundle in the case as an exhibit.
    await c.tab('exhibits');
    expect(await page.locator('[data-testid="exhibit-row"][data-role="bundle"]').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, shots, 'exhibits');
    await c.addNote('Bundle replayed against ftal: reproduced bit for bit.');

    const integrity = await c.integrity();
    expect(integrity.badge).toBe('INTACT');
    expect(integrity.head).toMatch(/#\d+ [0-9a-f]{64}/);
    await screenshot(page, shots, 'integrity');

    await page.getByTestId('nav-cases').click();
    await cases.rows.first().waitFor();
    expect(await cases.rows.count()).toBe(1);
    await screenshot(page, shots, 'cases');
    expect(caseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 8 * MINUTE);

  it('cancels a running job from the jobs drawer', async () => {
    const { page, bridge } = await openWorkbench('cancel');
    const cases = new CasesPage(page);
    await cases.open(bridge.appUrl);
    await cases.createCase({ name: 'Cancel me' });
    const c = new CasePage(page);
    const train = await c.train(50);
    // Cancel once it is really running (progress shown), not while it is being set up.
    await train.job.and(page.locator('[data-testid="job"]:not([data-progress-events="0"])')).waitFor({ timeout: MINUTE });
    const drawer = new JobsDrawer(page);
    await drawer.open();
    await screenshot(page, shots, 'jobs-drawer', { fullPage: false });
    await drawer.job('train').getByTestId('job-cancel').click();
    await drawer.job('train').and(page.locator('[data-job-status="cancelled"]')).waitFor({ timeout: MINUTE });
    await drawer.close();
    expect(await train.end(MINUTE, 'cancelled')).toBe('cancelled');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('shows an API key by name and never its value', async () => {
    const { page, bridge } = await openWorkbench('keys');
    const settings = new SettingsPage(page);
    await settings.open(bridge.appUrl);
    const secret = 'sk-e2e-9f8e7d6c5b4a39281706';
    await settings.addApiKey('acme-api', secret);
    expect(await settings.apiKeyValue.inputValue()).toBe('');
    await settings.settled();
    await screenshot(page, shots, 'settings');
    expect(await page.content()).not.toContain(secret);
    // Nothing the page can ask for returns it either.
    const asked = await page.evaluate(async (token) => {
      const res = await fetch('/api/settings.get', { method: 'POST', headers: { 'content-type': 'application/json', 'x-provenant-token': token }, body: '{}' });
      return res.text();
    }, bridge.token);
    expect(asked).toContain('acme-api');
    expect(asked).not.toContain(secret);
    await page.reload();
    await settings.apiKeyRow('acme-api').waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
