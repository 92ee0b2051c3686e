/**
 * The workbench's screens against a contract-true fake of main (fixtures/fake-workbench.ts) behind
 * the real bridge and dispatch: field errors from the contract shown next to their field, the
 * verdict in words with its charts and thumbnails, live job progress and cancel in the jobs drawer,
 * and an API key whose value is never shown. Seconds, not minutes: the engine is not involved.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerEventBus } from '../../src/main/bridge/events.ts';
import { startBridge, type Bridge } from '../../src/main/bridge/server.ts';
import { createFakeWorkbench, type FakeWorkbench } from './fixtures/fake-workbench.ts';
import { CasePage } from './pages/case-page.ts';
import { CasesPage } from './pages/cases-page.ts';
import { JobsDrawer, jobSamples, recordJobStates } from './pages/jobs.ts';
import { SettingsPage } from './pages/settings-page.ts';
import { SKIP_BROWSER, buildRenderer, launchBrowser, requireChromium } from './support/harness.ts';

describe.skipIf(SKIP_BROWSER)('workbench screens (fake main)', () => {
  let workDir: string;
  let rendererDir: string;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireChromium();
    workDir = await mkdtemp(join(tmpdir(), 'provenant-e2e-ui-'));
    rendererDir = await buildRenderer(join(workDir, 'renderer'));
    context = await launchBrowser(join(workDir, 'profile'), pageErrors);
  });

  afterAll(async () => {
    await context?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** Each test gets its own fake main (its own data) behind its own bridge. */
  async function open(): Promise<{ page: Page; bridge: Bridge; fake: FakeWorkbench; close: () => Promise<void> }> {
    const events = new ServerEventBus();
    const fake = createFakeWorkbench(events);
    const bridge = await startBridge({ handlers: fake.handlers, events, rendererDir });
    const page = await context.newPage();
    const close = async () => {
      await page.close();
      await bridge.close();
    };
    return { page, bridge, fake, close };
  }

  /** The app with its token (kept by the tab), then a route. */
  async function openAt(page: Page, bridge: Bridge, hash: string): Promise<void> {
    await page.goto(bridge.appUrl);
    await page.getByTestId('app-title').waitFor();
    await page.goto(`${bridge.url}/${hash}`);
  }

  it('shows the contract’s complaint next to the field it names', async () => {
    const { page, bridge, close } = await open();
    const cases = new CasesPage(page);
    await cases.open(bridge.appUrl);
    await cases.submitNewCase({ name: '   ' });
    // cases.create trims the name and wants at least one character: the path is "name".
    const field = page.getByTestId('create-case-modal').locator('.mantine-InputWrapper-root', { has: cases.nameInput });
    await field.locator('.mantine-InputWrapper-error').waitFor();
    expect(await field.locator('.mantine-InputWrapper-error').textContent()).toMatch(/too small|at least|>=1/i);
    expect(await page.getByTestId('form-error').count()).toBe(0);
    await close();
  });

  it('opens the new-case dialog at #/new-case (Electron’s File → New case) and closes it back to the list', async () => {
    const { page, bridge, close } = await open();
    await openAt(page, bridge, '#/new-case');
    const cases = new CasesPage(page);
    await cases.nameInput.waitFor();
    await page.keyboard.press('Escape');
    await cases.nameInput.waitFor({ state: 'detached' });
    expect(new URL(page.url()).hash).toBe('#/cases');
    await close();
  });

  it('shows a verdict in words, the null histogram, the ROC and the triggers', async () => {
    const { page, bridge, close } = await open();
    await openAt(page, bridge, '#/cases/c1/results/2');
    const c = new CasePage(page);
    await c.verdict.waitFor();
    expect(await c.verdict.getAttribute('data-decision')).toBe('derived');
    expect(await c.verdict.textContent()).toContain('Derived');
    expect(await page.getByTestId('verdict-probability').textContent()).toContain('2.3 × 10⁻⁷');
    expect(await page.getByTestId('null-tick').count()).toBe(24);
    expect(await page.getByTestId('roc-auc').textContent()).toBe('AUC 0.950');
    expect(await page.locator('[data-testid="trigger-row"][data-matched="true"]').count()).toBe(5);
    // Thumbnails are data: URLs (allowed by the CSP) and decode to 28×28 images.
    const widths = await page.locator('[data-testid="trigger-row"] img').evaluateAll((imgs: any[]) => imgs.map((i) => i.complete && i.naturalWidth));
    expect(widths).toEqual(new Array(8).fill(28));
    await c.openRun(3);
    expect(await c.verdict.getAttribute('data-decision')).toBe('not-derived');
    await close();
  });

  it('shows live progress in the jobs drawer and a cancelled job as cancelled', async () => {
    const { page, bridge, fake, close } = await open();
    await openAt(page, bridge, '#/cases/c1/models');
    const c = new CasePage(page);
    await recordJobStates(page);
    const train = await c.train(3);
    const job = train.job;
    await job.waitFor();
    await page.locator('[data-testid="train-job"] [data-testid="job-progress"]:not([data-done="0"]):not([data-done="1"])').waitFor();
    const drawer = new JobsDrawer(page);
    await drawer.open();
    await drawer.job('train').getByTestId('job-cancel').click();
    await drawer.job('train').and(page.locator('[data-job-status="cancelled"]')).waitFor();
    await drawer.close();
    expect(await train.end(5_000, 'cancelled')).toBe('cancelled');
    const samples = (await jobSamples(page)).filter((s) => s.kind === 'train');
    expect(samples.some((s) => s.status === 'running' && s.done > 0 && s.done < s.total)).toBe(true);
    expect(fake.started).toEqual([{ kind: 'train', caseId: 'c1', dataset: 'mnist', arch: 'cnn', seed: 1, epochs: 3 }]);
    await close();
  });

  it('keeps an API key by name; its value leaves the form and is never shown', async () => {
    const { page, bridge, fake, close } = await open();
    const settings = new SettingsPage(page);
    await settings.open(bridge.appUrl);
    const secret = 'sk-live-0123456789abcdef';
    await settings.addApiKey('suspect-api', secret);
    expect(fake.secrets.get('suspect-api')).toBe(secret);
    expect(await settings.apiKeyValue.inputValue()).toBe('');
    await page.reload();
    await settings.apiKeyRow('suspect-api').waitFor();
    expect(await page.content()).not.toContain(secret);
    await settings.deleteApiKey('suspect-api');
    expect(fake.secrets.size).toBe(0);
    await close();
  });
});
