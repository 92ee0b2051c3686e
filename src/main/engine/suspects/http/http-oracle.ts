/**
 * A remote prediction API as an Oracle (types.ts): the n inputs are preprocessed as declared,
 * split into requests of `batchSize`, sent `concurrency` at a time (optionally paced to
 * `ratePerSecond`), each retried on transient failures with backoff, and the answers assembled in
 * input order. Every attempt — ok, retried or failed — is reported through `call.report` before its
 * answer is used. The result is the API's answer exactly, or an error naming the oracle (redacted
 * URL), the request, the HTTP status and the attempts made: never a partial or guessed answer.
 */
import type { ExchangeReport, Oracle, OracleCall, SuspectAnswer } from '../types.ts';
import { preprocess } from '../preprocess.ts';
import { retryDelayMs, sleep } from './backoff.ts';
import { resolveEndpoint } from './endpoint.ts';
import { CancelledError, FatalError, TransientError } from './errors.ts';
import { parseHttpOptions, type HttpOracleConfig, type HttpOracleOptions } from './options.ts';
import { wireProtocol } from './protocols/index.ts';
import { RateLimiter } from './rate-limiter.ts';
import { scrubber } from './redact.ts';
import { toAnswer } from './reply.ts';
import { sendAttempt } from './send-attempt.ts';

export type { HttpOracleOptions } from './options.ts';

export function httpOracle(options: HttpOracleOptions): Oracle {
  const cfg: HttpOracleConfig = parseHttpOptions(options);
  const endpoint = resolveEndpoint(cfg);
  const protocol = wireProtocol(cfg);
  const scrub = scrubber(endpoint.secrets);
  const name = `${cfg.protocol} ${endpoint.shown}`;
  const batchSize = Math.min(cfg.batchSize, protocol.maxBatch ?? Infinity);
  const limiter = cfg.ratePerSecond ? new RateLimiter(cfg.ratePerSecond) : undefined;
  const fetchFn = cfg.fetch ?? globalThis.fetch;
  const [h, w, c] = cfg.inputShape;
  const size = h * w * c;
  const k = cfg.numClasses;
  const live = new Set<AbortController>();
  let closed = false;

  async function answer(inputs: Float32Array, n: number, call: OracleCall): Promise<SuspectAnswer> {
    if (closed) throw new Error(`${name}: closed`);
    if (!Number.isInteger(n) || n < 0 || inputs.length !== n * size) {
      throw new Error(`${name}: expected ${n}×${h}×${w}×${c} = ${n * size} input values, got ${inputs.length}`);
    }
    if (call.hashes.length !== n) throw new Error(`${name}: expected ${n} input hashes, got ${call.hashes.length}`);
    if (call.signal?.aborted) throw new CancelledError(name);
    const labels = new Int32Array(n);
    const probs = cfg.labelOnly ? undefined : new Float32Array(n * k);
    if (n === 0) return probs ? { labels, probs } : { labels };

    const wire = preprocess(inputs, n, cfg.inputShape, cfg.preprocessing);
    const requests = Math.ceil(n / batchSize);
    // One controller for this query: the caller's signal, close(), or a sibling's fatal failure
    // stops every request still in flight or waiting.
    const stop = new AbortController();
    const onAbort = () => stop.abort(new CancelledError(name));
    call.signal?.addEventListener('abort', onAbort, { once: true });
    live.add(stop);
    let failure: unknown;
    let next = 0;

    const runRequest = async (r: number): Promise<void> => {
      const first = r * batchSize;
      const count = Math.min(batchSize, n - first);
      const body = protocol.encode(wire, first, count);
      const inputHashes = call.hashes.slice(first, first + count);
      const where = `request ${r + 1} of ${requests} (inputs ${first}–${first + count - 1})`;
      for (let attempt = 1; ; attempt++) {
        if (limiter) await limiter.take(stop.signal);
        const time = new Date().toISOString();
        const t0 = performance.now();
        let got: SuspectAnswer | undefined;
        let httpStatus: number | undefined;
        let error: unknown;
        try {
          const reply = await sendAttempt({ fetch: fetchFn, url: endpoint.url, headers: endpoint.headers, body, timeoutMs: cfg.timeoutMs, signal: stop.signal });
          httpStatus = reply.httpStatus;
          got = toAnswer(protocol.decode(reply.json, count), count, cfg);
        } catch (e) {
          error = e;
          if (e instanceof TransientError || e instanceof FatalError) httpStatus ??= e.httpStatus;
        }
        const base = { time, latencyMs: performance.now() - t0, attempt, inputHashes, ...(httpStatus !== undefined ? { httpStatus } : {}) };
        if (got) {
          const report: ExchangeReport = { ...base, outcome: 'ok', labels: Array.from(got.labels) };
          if (got.probs) report.probs = Array.from(got.probs);
          call.report(report);
          labels.set(got.labels, first);
          if (probs && got.probs) probs.set(got.probs, first * k);
          return;
        }
        const cancelled = stop.signal.aborted;
        const retry = !cancelled && error instanceof TransientError && attempt <= cfg.retries;
        const message = cancelled ? cancelReason(stop.signal, call.signal) : scrub(messageOf(error));
        call.report({ ...base, outcome: retry ? 'retry' : 'failed', error: message });
        if (cancelled) throw stop.signal.reason;
        if (!retry) {
          const status = httpStatus !== undefined ? `HTTP ${httpStatus}, ` : '';
          const how = error instanceof TransientError
            ? `gave up after ${attempt} attempt${attempt > 1 ? 's' : ''}`
            : `attempt ${attempt}, not retried: this failure would repeat`;
          throw new Error(`${name}: ${where} failed (${status}${how}): ${message}`);
        }
        await sleep(retryDelayMs(attempt, cfg.backoffMs, (error as TransientError).retryAfterMs), stop.signal);
      }
    };

    const worker = async (): Promise<void> => {
      while (failure === undefined && !stop.signal.aborted && next < requests) {
        const r = next++;
        try {
          await runRequest(r);
        } catch (e) {
          failure ??= e;
          if (!stop.signal.aborted) stop.abort(new CancelledError(name));
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(cfg.concurrency, requests) }, worker));
    } finally {
      call.signal?.removeEventListener('abort', onAbort);
      live.delete(stop);
    }
    // The caller's abort wins over the errors it caused in the requests it interrupted.
    if (call.signal?.aborted || closed) throw new CancelledError(name);
    if (failure !== undefined) throw failure;
    return probs ? { labels, probs } : { labels };
  }

  return {
    inputShape: cfg.inputShape,
    numClasses: k,
    labelOnly: cfg.labelOnly,
    describe: () => name,
    answer,
    close() {
      closed = true;
      for (const s of live) s.abort(new CancelledError(name));
    },
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Why an attempt was cut short: the caller stopped the query, or another request failed. */
function cancelReason(stop: AbortSignal, caller: AbortSignal | undefined): string {
  if (caller?.aborted) return 'cancelled by the caller';
  return stop.reason instanceof CancelledError ? 'cancelled: another request of this query failed, or the oracle was closed' : 'cancelled';
}
