/** Page object for a case: its tabs and what the workbench flow does on each. */
import type { Locator, Page } from 'playwright-core';
import { JobWatch } from './jobs.ts';

export type CaseTab = 'exhibits' | 'models' | 'triggers' | 'verify' | 'results' | 'integrity' | 'notes';

/** Chooses `label`'s option in a Mantine Select (a combobox input with a floating list). */
async function choose(page: Page, select: Locator, option: string): Promise<void> {
  await select.click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

export class CasePage {
  constructor(readonly page: Page) {}

  async tab(name: CaseTab): Promise<void> {
    await this.page.getByTestId(`tab-${name}`).click();
  }

  get title(): Locator {
    return this.page.getByTestId('case-title');
  }

  // ---- models & suites ----------------------------------------------------------------------

  async train(epochs: number, arch?: 'mlp' | 'lenet' | 'cnn' | 'vgg' | 'resnet'): Promise<JobWatch> {
    await this.tab('models');
    if (arch) await choose(this.page, this.page.getByTestId('train-arch'), arch);
    await this.page.getByTestId('train-epochs').fill(String(epochs));
    const watch = await JobWatch.before(this.page.getByTestId('train-job'), 'train');
    await this.page.getByTestId('train-start').click();
    return watch;
  }

  async buildSuite(preset: 'small' | 'calibration' | 'pool' | 'standard' | 'paper'): Promise<JobWatch> {
    await this.tab('models');
    await this.filled(this.page.getByTestId('suite-source'));
    await choose(this.page, this.page.getByTestId('suite-preset'), preset);
    const watch = await JobWatch.before(this.page.getByTestId('suite-job'), 'suite');
    await this.page.getByTestId('suite-start').click();
    return watch;
  }

  /** Waits until a Select shows a value (its default arrived with the case data). */
  private async filled(select: Locator, timeoutMs = 10_000): Promise<void> {
    await select.waitFor();
    for (const end = Date.now() + timeoutMs; (await select.inputValue()) === ''; ) {
      if (Date.now() > end) throw new Error(`${await select.getAttribute('data-testid')} stayed empty`);
      await this.page.waitForTimeout(100);
    }
  }

  /** The folder of the complete suite built with `preset` (read from the suites table). */
  async suiteDir(preset: string): Promise<string> {
    const row = this.page.locator(`[data-testid="suite-row"][data-preset="${preset}"][data-complete="true"]`).first();
    await row.waitFor();
    return (await row.getAttribute('data-dir'))!;
  }

  // ---- trigger sets ---------------------------------------------------------------------------

  /** Runs the wizard: method, (default) source, parameters set by name, seed. */
  async generate(method: string, params: Record<string, string | number>, seed = 1): Promise<JobWatch> {
    await this.tab('triggers');
    await this.page.getByTestId(`method-${method}`).click();
    await this.page.getByTestId('generate-next').click();
    await this.filled(this.page.getByTestId('generate-source'));
    await this.page.getByTestId('generate-next').click();
    for (const [name, value] of Object.entries(params)) await this.page.getByTestId(`param-${name}`).fill(String(value));
    await this.page.getByTestId('generate-seed').fill(String(seed));
    const watch = await JobWatch.before(this.page.getByTestId('generate-job'), 'generate');
    await this.page.getByTestId('generate-start').click();
    return watch;
  }

  get triggerSetRows(): Locator {
    return this.page.getByTestId('trigger-set-row');
  }

  // ---- verification ---------------------------------------------------------------------------

  /** Verifies a suspect model folder against the default trigger set and the largest complete null. */
  async verifyFile(path: string, opts: { labelsOnly?: boolean; budget?: number } = {}): Promise<JobWatch> {
    await this.tab('verify');
    await this.filled(this.page.getByTestId('verify-triggers'));
    await this.filled(this.page.getByTestId('verify-null'));
    await this.page.getByTestId('verify-suspect-path').fill(path);
    await this.page.keyboard.press('Escape'); // closes the path suggestions
    const labelsOnly = this.page.getByTestId('verify-labels-only');
    if (opts.labelsOnly !== undefined && (await labelsOnly.isChecked()) !== opts.labelsOnly) await labelsOnly.click();
    if (opts.budget !== undefined) await this.page.getByTestId('verify-budget').fill(String(opts.budget));
    const watch = await JobWatch.before(this.page.getByTestId('verify-job'), 'verify');
    await this.page.getByTestId('verify-start').click();
    return watch;
  }

  /** The run the last verification recorded (from its "See the result" link). */
  async seeVerifyResult(): Promise<number> {
    await this.page.getByTestId('verify-see-result').click();
    const result = this.page.getByTestId('run-result');
    await result.waitFor();
    return Number(await result.getAttribute('data-run-id'));
  }

  // ---- results --------------------------------------------------------------------------------

  runRow(runId: number): Locator {
    return this.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
  }

  get verifyRuns(): Locator {
    return this.page.locator('[data-testid="run-row"][data-kind="verify"]');
  }

  async openRun(runId: number): Promise<void> {
    await this.tab('results');
    await this.runRow(runId).getByRole('link').click();
    await this.page.locator(`[data-testid="run-result"][data-run-id="${runId}"]`).waitFor();
  }

  get verdict(): Locator {
    return this.page.getByTestId('verdict');
  }

  private get evidenceJob(): Locator {
    return this.page.getByTestId('evidence-job');
  }

  async exportReport(timeoutMs: number): Promise<string> {
    const watch = await JobWatch.before(this.evidenceJob, 'report');
    await this.page.getByTestId('export-report').click();
    await watch.end(timeoutMs);
    const file = this.page.getByTestId('report-file');
    await file.waitFor();
    return (await file.textContent())!;
  }

  async exportBundle(timeoutMs: number): Promise<{ file: string; signer: string }> {
    const watch = await JobWatch.before(this.evidenceJob, 'bundle-export');
    await this.page.getByTestId('export-bundle').click();
    await watch.end(timeoutMs);
    await this.page.getByTestId('bundle-file').waitFor();
    return { file: (await this.page.getByTestId('bundle-file').textContent())!, signer: (await this.page.getByTestId('bundle-signer').textContent())! };
  }

  /** In the replay dialog: import the (preselected) bundle into the case, then replay it against `suspectPath`. */
  async importAndReplay(suspectPath: string, timeoutMs: number): Promise<Locator> {
    await this.page.getByTestId('replay-open').click();
    const dialog = this.page.getByTestId('replay-modal');
    const imported = await JobWatch.before(this.evidenceJob, 'bundle-import');
    await dialog.getByTestId('import-bundle').click();
    await imported.end(timeoutMs);
    await dialog.getByTestId('replay-suspect-path').fill(suspectPath);
    await this.page.keyboard.press('Tab');
    await dialog.getByTestId('replay-start').click();
    const outcome = dialog.getByTestId('replay-outcome');
    await outcome.waitFor({ timeout: timeoutMs });
    return outcome;
  }

  /** The error shown under an input (Mantine renders it in the input's wrapper). */
  fieldError(testId: string): Locator {
    return this.page.locator('.mantine-InputWrapper-root', { has: this.page.getByTestId(testId) }).locator('.mantine-InputWrapper-error');
  }

  // ---- exhibits, endpoints, notes ------------------------------------------------------------

  /** Tests an endpoint's connection; resolves with the result box (ok or failed, with the message). */
  async testEndpoint(url: string): Promise<Locator> {
    await this.tab('exhibits');
    await this.page.getByTestId('endpoint-url').fill(url);
    await this.page.getByTestId('endpoint-test').click();
    const result = this.page.getByTestId('endpoint-test-result');
    await result.waitFor({ timeout: 30_000 });
    return result;
  }

  async addNote(text: string): Promise<void> {
    await this.tab('notes');
    await this.page.getByTestId('note-text').fill(text);
    await this.page.getByTestId('note-add').click();
    await this.page.getByTestId('note').filter({ hasText: text }).waitFor();
  }

  // ---- integrity ------------------------------------------------------------------------------

  async integrity(): Promise<{ badge: string; head: string }> {
    await this.tab('integrity');
    const badge = this.page.getByTestId('integrity-badge');
    await badge.waitFor();
    return { badge: (await badge.textContent())!, head: (await this.page.getByTestId('integrity-head').textContent())! };
  }
}
