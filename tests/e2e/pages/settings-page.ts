/** Page object for Settings: the engine card, datasets, data folder and API keys. */
import type { Locator, Page } from 'playwright-core';

export class SettingsPage {
  constructor(readonly page: Page) {}

  /** Opens the app at `url` (the bridge's address with its token) and goes to Settings. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByTestId('app-title').waitFor();
    await this.page.getByTestId('nav-settings').click();
  }

  get title(): Locator {
    return this.page.getByTestId('app-title');
  }

  get transport(): Locator {
    return this.page.getByTestId('transport');
  }

  get engineBackend(): Locator {
    return this.page.getByTestId('engine-backend');
  }

  get engineCard(): Locator {
    return this.page.getByTestId('engine-card');
  }

  get errors(): Locator {
    return this.page.getByTestId('request-error');
  }

  get dataDir(): Locator {
    return this.page.getByTestId('settings-data-dir');
  }

  dataset(id: string): Locator {
    return this.page.getByTestId(`dataset-${id}`);
  }

  apiKeyRow(name: string): Locator {
    return this.page.locator(`[data-testid="api-key-row"][data-name="${name}"]`);
  }

  get apiKeyValue(): Locator {
    return this.page.getByTestId('api-key-value');
  }

  async addApiKey(name: string, value: string): Promise<void> {
    await this.page.getByTestId('api-key-name').fill(name);
    await this.apiKeyValue.fill(value);
    await this.page.getByTestId('api-key-save').click();
    await this.apiKeyRow(name).waitFor();
  }

  async deleteApiKey(name: string): Promise<void> {
    await this.page.getByTestId(`api-key-delete-${name}`).click();
    await this.apiKeyRow(name).waitFor({ state: 'detached' });
  }

  /** Resolves once every request of the page has settled (data or error shown). */
  async settled(): Promise<void> {
    // Not waitForFunction: it evaluates with eval, which the page's CSP forbids.
    await this.page.getByText(/^Loading .*…$/).first().waitFor({ state: 'detached' });
  }
}
