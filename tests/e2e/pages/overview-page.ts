/** Page object for the renderer's first page (header, engine card, datasets card). */
import type { Locator, Page } from 'playwright-core';

export class OverviewPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.title.waitFor();
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

  dataset(id: string): Locator {
    return this.page.getByTestId(`dataset-${id}`);
  }

  /** Resolves once both requests of the page have settled (data or error shown). */
  async settled(): Promise<void> {
    // A string, evaluated in the page: this file is type-checked without the DOM library.
    await this.page.waitForFunction("!document.body.textContent.includes('Loading')");
  }
}
