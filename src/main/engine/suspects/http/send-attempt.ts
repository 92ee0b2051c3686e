/**
 * One HTTP attempt: POST the body, wait at most `timeoutMs` for the whole reply (headers and body),
 * parse it as JSON, and classify any failure as transient (retry) or fatal (stop). The caller's
 * signal aborts the attempt at once. Messages carry status and a short body excerpt, scrubbed of
 * secrets by the caller; never the headers.
 */
import { parseRetryAfter } from './backoff.ts';
import { FatalError, TransientError } from './errors.ts';

export interface AttemptSpec {
  fetch: typeof fetch;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface AttemptReply {
  httpStatus: number;
  json: unknown;
}

/** Statuses that say "not now" rather than "never": rate limiting, request timeout, server trouble. */
export const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export async function sendAttempt(a: AttemptSpec): Promise<AttemptReply> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), a.timeoutMs);
  const signal = AbortSignal.any([a.signal, timeout.signal]);
  try {
    let res: Response;
    let text: string;
    try {
      res = await a.fetch(a.url, { method: 'POST', headers: a.headers, body: a.body, signal });
      text = await res.text();
    } catch (e) {
      if (a.signal.aborted) throw a.signal.reason;
      if (timeout.signal.aborted) throw new TransientError(`timed out after ${a.timeoutMs} ms`);
      throw new TransientError(`network error: ${networkCause(e)}`);
    }
    if (!res.ok) {
      const detail = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${excerpt(text)}`;
      if (isTransientStatus(res.status)) {
        const retryAfter = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
        throw new TransientError(detail, res.status, retryAfter);
      }
      throw new FatalError(`${detail}${hint(res.status)}`, res.status);
    }
    return { httpStatus: res.status, json: parseJson(text, res.status) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A body that does not parse is usually a proxy or a dropped connection (retry). But Python's json
 * writes NaN and Infinity as bare tokens, which no JSON parser accepts: that is the model's answer,
 * it would come back the same, and it is never a valid score, so it fails at once.
 */
function parseJson(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      JSON.parse(text.replace(/-?\b(NaN|Infinity)\b/g, 'null'));
    } catch {
      throw new TransientError(`HTTP ${status} with a body that is not JSON${excerpt(text, ' (starts ', ')')}`, status);
    }
    throw new FatalError(`HTTP ${status}: the reply contains NaN or Infinity (not finite scores)`, status);
  }
}

function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}

/** `: <error field or first 200 characters>` of an error body. */
function excerpt(text: string, open = ': ', close = ''): string {
  let s = text.trim();
  if (!s) return '';
  try {
    const j = JSON.parse(s) as { error?: unknown; message?: unknown; detail?: unknown };
    const field = j?.error ?? j?.message ?? j?.detail;
    if (typeof field === 'string') s = field;
  } catch {
    /* not JSON: show the text */
  }
  s = s.replace(/\s+/g, ' ');
  return `${open}${s.length > 200 ? `${s.slice(0, 200)}…` : s}${close}`;
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (check the credentials in headers)';
  if (status === 404) return ' (check url and model)';
  return '';
}
