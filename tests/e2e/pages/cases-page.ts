/** Page object for the cases list and the new-case modal. */
import type { Locator, Page } from 'playwright-core';

export interface NewCase {
  name: string;
  owner?: string;
  suspect?: string;
  investigator?: string;
  description?: string;
}

export class CasesPage {
  constructor(readonly page: Page) {}

  /** Opens the app at `url` (the bridge's address with its token): the cases list is the first page. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByTestId('app-title').waitFor();
    await this.page.getByTestId('data-dir').waitFor();
  }

  get rows(): Locator {
    return this.page.getByTestId('case-row');
  }

  get nameInput(): Locator {
    return this.page.getByTestId('case-name');
  }

  /** Opens the modal, fills it and submits; does not wait for the outcome. */
  async submitNewCase(c: NewCase): Promise<void> {
    await this.page.getByTestId('case-new').click();
    await this.nameInput.fill(c.name);
    if (c.investigator) await this.page.getByTestId('case-investigator').fill(c.investigator);
    if (c.owner) await this.page.getByTestId('case-owner').fill(c.owner);
    if (c.suspect) await this.page.getByTestId('case-suspect').fill(c.suspect);
    if (c.description) await this.page.getByTestId('case-description').fill(c.description);
    await this.page.getByTestId('case-create-submit').click();
  }

  /** Creates a case and resolves with its id, once its page shows. */
  async createCase(c: NewCase): Promise<string> {
    await this.submitNewCase(c);
    await this.page.getByTestId('case-title').waitFor();
    const match = /#\/cases\/([^/]+)\//.exec(this.page.url());
    if (!match) throw new Error(`no case id in ${this.page.url()}`);
    return decodeURIComponent(match[1]);
  }
}
