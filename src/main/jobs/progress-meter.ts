/**
 * Turns a worker's progress reports into the events the UI gets: the done/total fraction never goes
 * back (a report that would move the bar backwards is dropped), events are spaced by at least
 * `intervalMs` except the one that reaches the end, and an ETA is given — the worker's own estimate
 * when it has one, else from the elapsed time and the fraction done (null until something is done).
 */
export interface ProgressEvent {
  done: number;
  total: number;
  etaSeconds: number | null;
  message?: string;
}

export class ProgressMeter {
  #fraction = 0;
  #lastEmit = -Infinity;
  #last: ProgressEvent | undefined;

  constructor(
    private readonly startedAt: number,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The event to emit for this report, or undefined when it is dropped. */
  update(p: { done: number; total: number; message?: string; etaSeconds?: number }): ProgressEvent | undefined {
    const total = Math.max(0, Math.floor(Number.isFinite(p.total) ? p.total : 0));
    const done = Math.min(total, Math.max(0, Math.floor(Number.isFinite(p.done) ? p.done : 0)));
    const fraction = total > 0 ? done / total : 0;
    if (fraction < this.#fraction) return undefined;
    const t = this.now();
    const end = total > 0 && done === total;
    if (!end && t - this.#lastEmit < this.intervalMs) {
      // Too soon to send: remember the fraction, so no later event goes below it.
      this.#fraction = fraction;
      return undefined;
    }
    this.#fraction = fraction;
    this.#lastEmit = t;
    const elapsed = (t - this.startedAt) / 1000;
    const eta = p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) && p.etaSeconds >= 0
      ? p.etaSeconds
      : fraction > 0 ? (elapsed * (1 - fraction)) / fraction : null;
    this.#last = { done, total, etaSeconds: eta === null ? null : Math.round(eta * 10) / 10, ...(p.message ? { message: p.message } : {}) };
    return this.#last;
  }

  get last(): ProgressEvent | undefined {
    return this.#last;
  }
}
