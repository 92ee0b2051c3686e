/**
 * Requests per second, as a token bucket holding one token: consecutive request starts are at least
 * 1/rate apart (no burst), first come first served. A burst allowance would let a fresh run send
 * `concurrency` requests at once, which is exactly what a rate-limited API punishes. Callers queue,
 * and each waits from the previous caller's actual start — not from a precomputed schedule — so a
 * late timer never lets the next request catch up. Retries take a token like any request.
 */
import { sleep } from './backoff.ts';

export class RateLimiter {
  private last = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(
    ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves when this caller may start (rejects when `signal` aborts; later callers move up). */
  take(signal: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      if (signal.aborted) throw signal.reason;
      // Timers may fire up to a millisecond early (libuv's cached loop clock): wait until truly due.
      for (let wait = this.last + this.intervalMs - this.now(); wait > 0; wait = this.last + this.intervalMs - this.now()) {
        await sleep(Math.ceil(wait), signal);
      }
      this.last = this.now();
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
