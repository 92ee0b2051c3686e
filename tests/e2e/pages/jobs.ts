/**
 * Jobs as the page shows them ([data-testid=job] with data-job-status, data-done/data-total on its
 * progress bar): waiting for one to end (failing with its error when it fails), and a recorder of
 * every state a job element went through, so a test can tell that progress was shown live.
 */
import type { Locator, Page } from 'playwright-core';

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobSample {
  jobId: string;
  kind: string;
  status: JobStatus;
  done: number;
  total: number;
  /** What the job said it was doing ("querying the suspect: 12/24"), while it ran. */
  message: string | null;
}

/**
 * A job about to be started from a slot (the place on the page that shows the newest job of some
 * kinds): made before the click, it remembers the job the slot showed then, so `end()` waits for the
 * new one rather than returning on the previous job's final state.
 */
export class JobWatch {
  private constructor(readonly slot: Locator, readonly kind: string, readonly previousId: string | null) {}

  static async before(slot: Locator, kind: string): Promise<JobWatch> {
    const current = slot.locator(`[data-testid="job"][data-job-kind="${kind}"]`);
    const previousId = (await current.count()) ? await current.first().getAttribute('data-job-id') : null;
    return new JobWatch(slot, kind, previousId);
  }

  get job(): Locator {
    const other = this.previousId ? `:not([data-job-id="${this.previousId}"])` : '';
    return this.slot.locator(`[data-testid="job"][data-job-kind="${this.kind}"]${other}`).first();
  }

  /** Waits for the new job to end; throws with its error when it ends otherwise than `expect`. */
  async end(timeoutMs: number, expect: JobStatus = 'done'): Promise<JobStatus> {
    await this.job.and(this.slot.page().locator(':not([data-job-status="running"])')).waitFor({ timeout: timeoutMs });
    const status = (await this.job.getAttribute('data-job-status')) as JobStatus;
    if (status !== expect) {
      const error = this.job.getByTestId('job-error');
      const text = (await error.count()) ? await error.textContent() : '';
      throw new Error(`job ${this.kind} ended ${status}, expected ${expect}${text ? `: ${text}` : ''}`);
    }
    return status;
  }
}

/**
 * Starts recording, in the page, every state of every job element (a MutationObserver on the
 * body; page.evaluate runs outside the page's CSP). Read it back with `jobSamples`.
 */
export async function recordJobStates(page: Page): Promise<void> {
  // A function, not a string: strings are evaluated with eval, which the page's CSP forbids.
  // The page's globals are untyped here (this file is type-checked without the DOM library).
  await page.evaluate(() => {
    const w = globalThis as any;
    if (w.__jobSamples) return;
    const samples: JobSample[] = (w.__jobSamples = []);
    const take = () => {
      for (const el of w.document.querySelectorAll('[data-testid="job"]')) {
        const bar = el.querySelector('[data-testid="job-progress"]');
        const message = el.querySelector('[data-testid="job-message"]')?.textContent ?? null;
        const s = { jobId: el.dataset.jobId, kind: el.dataset.jobKind, status: el.dataset.jobStatus, done: Number(bar?.dataset.done), total: Number(bar?.dataset.total), message };
        const same = (x: JobSample) => x.jobId === s.jobId && x.status === s.status && x.done === s.done && x.total === s.total && x.message === s.message;
        if (!samples.some(same)) samples.push(s);
      }
    };
    new w.MutationObserver(take).observe(w.document.body, { subtree: true, childList: true, attributes: true });
    take();
  });
}

export async function jobSamples(page: Page): Promise<JobSample[]> {
  return page.evaluate(() => ((globalThis as any).__jobSamples ?? []) as JobSample[]);
}

/** The header's jobs drawer. */
export class JobsDrawer {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('jobs-open').click();
    await this.drawer.getByText('Jobs').first().waitFor();
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }

  get drawer(): Locator {
    return this.page.getByRole('dialog');
  }

  job(kind: string): Locator {
    return this.drawer.locator(`[data-testid="job"][data-job-kind="${kind}"]`);
  }
}
