/**
 * When to try again. Exponential backoff without jitter: base·2^(retry−1), capped at 8 s, so a
 * run's timing is reproducible and a test can predict it; jitter mainly helps thousands of clients
 * hitting one server in lockstep, and an investigation is one client with a few requests in flight.
 * A server's Retry-After (429/503) replaces the computed delay: it knows its own recovery time
 * better than we do; it is capped at 60 s so a hostile or broken header cannot stall a run.
 */

export const MAX_BACKOFF_MS = 8_000;
export const MAX_RETRY_AFTER_MS = 60_000;

/** Delay before retry number `retry` (1 for the first retry). */
export function retryDelayMs(retry: number, baseMs: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
  return Math.min(baseMs * 2 ** (retry - 1), MAX_BACKOFF_MS);
}

/** A Retry-After header in ms: delta-seconds, or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects at once when `signal` aborts (before or during the wait). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
