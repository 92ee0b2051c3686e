/**
 * The two kinds of failure an HTTP attempt can end in. The distinction is the whole retry policy:
 * a transient failure (overload, outage, timeout, a proxy mangling a body) says nothing about the
 * model, so the same request is tried again; a fatal one (bad credentials, unknown model, a reply
 * that does not fit the declared classifier) would fail the same way every time, and retrying it
 * could only waste budget — or, worse, turn a systematic mismatch into a wrong answer.
 */

/** Worth trying again after a pause (429, 5xx, timeout, network error, unparsable body). */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
    /** The server's Retry-After, in ms, when it gave one (429/503). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/** Would fail the same way again: reported once, then the query throws. */
export class FatalError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'FatalError';
  }
}

/** The reply parsed but does not fit the declared suspect (rows, classes, labels, numbers, path). */
export class ReplyMismatchError extends FatalError {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyMismatchError';
  }
}

/** The caller's signal (or close()) stopped the query; carries no secret, names the oracle. */
export class CancelledError extends Error {
  constructor(oracle: string) {
    super(`${oracle}: cancelled`);
    this.name = 'AbortError';
  }
}
