/**
 * Turns any Oracle (tfjs model, ONNX file, HTTP API) into the Suspect the fingerprinting methods
 * query, adding — once, for every kind of oracle — what evidence needs:
 *  - an input hash per query (SHA-256 of the input's float32 bytes), the key of everything else;
 *  - a reply cache: an input already answered (earlier in this run, or in the query log of an
 *    interrupted run) is never sent again, so a resumed verification sends no query twice;
 *  - a query budget: the inputs that still fit are sent and recorded, then BudgetExhaustedError;
 *  - the recorder: every attempt the oracle reports, numbered, before its answer is used;
 *  - a last check of each reply (count, label range, probability rows), whatever the oracle did.
 *
 * queries() counts inputs of completed calls (what the method's Score.queries reports); sent()
 * counts inputs that actually reached the oracle in this session; cached() inputs answered from the
 * cache (an earlier reply or a repeat within a call), including those of a call the budget stopped.
 */
import { createHash } from 'node:crypto';
import type { Oracle, QueryRecorder, Suspect, SuspectAnswer } from './types.ts';
import { BudgetExhaustedError } from './types.ts';

/** A reply to one input, as cached and as rebuilt from a query log. */
export interface CachedReply {
  label: number;
  probs?: Float32Array;
}

export interface ReplyCache {
  get(hash: string): CachedReply | undefined;
  set(hash: string, reply: CachedReply): void;
  readonly size: number;
}

export function memoryCache(): ReplyCache {
  const m = new Map<string, CachedReply>();
  return { get: (h) => m.get(h), set: (h, r) => void m.set(h, r), get size() { return m.size; } };
}

export interface AccountingOptions {
  /** Most inputs this session may send to the oracle (cache hits are free). */
  budget?: number;
  cache?: ReplyCache;
  recorder?: QueryRecorder;
  signal?: AbortSignal;
  /** First sequence number minus one (a resumed query log continues its numbering). */
  seqStart?: number;
}

export interface AccountedSuspect extends Suspect {
  sent(): number;
  cached(): number;
  close(): Promise<void>;
}

/** SHA-256 (hex) of input `offset` (in inputs) of `size` float32 values, as little-endian bytes. */
export function inputHash(inputs: Float32Array, offset: number, size: number): string {
  const bytes = new Uint8Array(inputs.buffer, inputs.byteOffset + offset * size * 4, size * 4);
  return createHash('sha256').update(bytes).digest('hex');
}

export function accountedSuspect(oracle: Oracle, opts: AccountingOptions = {}): AccountedSuspect {
  const [h, w, c] = oracle.inputShape;
  const size = h * w * c;
  const k = oracle.numClasses;
  const cache = opts.cache ?? memoryCache();
  const budget = opts.budget;
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 0)) throw new Error(`budget: expected a non-negative integer, got ${budget}`);
  let [asked, sent, reused, seq] = [0, 0, 0, opts.seqStart ?? 0];
  const name = oracle.describe();

  const usable = (r: CachedReply | undefined): r is CachedReply => r !== undefined && (oracle.labelOnly || r.probs !== undefined);

  async function send(inputs: Float32Array, idx: number[], hashes: string[]): Promise<void> {
    const sub = new Float32Array(idx.length * size);
    idx.forEach((i, j) => sub.set(inputs.subarray(i * size, (i + 1) * size), j * size));
    const subHashes = idx.map((i) => hashes[i]);
    const ans = await oracle.answer(sub, idx.length, {
      hashes: subHashes,
      signal: opts.signal,
      report: (e) => opts.recorder?.record({ seq: ++seq, oracle: name, ...e }),
    });
    checkAnswer(ans, idx.length);
    sent += idx.length;
    subHashes.forEach((hash, j) => cache.set(hash, { label: ans.labels[j], ...(ans.probs ? { probs: ans.probs.slice(j * k, (j + 1) * k) } : {}) }));
  }

  function checkAnswer(a: SuspectAnswer, n: number): void {
    if (a.labels.length !== n) throw new Error(`${name}: answered ${a.labels.length} labels for ${n} inputs`);
    for (const l of a.labels) if (!(l >= 0 && l < k)) throw new Error(`${name}: label ${l} outside [0, ${k})`);
    if (!oracle.labelOnly) {
      if (!a.probs || a.probs.length !== n * k) throw new Error(`${name}: expected ${n}×${k} probabilities, got ${a.probs?.length ?? 'none'}`);
      for (const p of a.probs) if (!Number.isFinite(p)) throw new Error(`${name}: a probability is not finite (${p})`);
    }
  }

  return {
    inputShape: oracle.inputShape,
    numClasses: k,
    labelOnly: oracle.labelOnly,
    describe: () => name,
    queries: () => asked,
    sent: () => sent,
    cached: () => reused,
    close: async () => void (await oracle.close?.()),
    async query(inputs, n) {
      if (inputs.length !== n * size) throw new Error(`${name}: expected ${n}×${h}×${w}×${c} = ${n * size} values, got ${inputs.length}`);
      if (opts.signal?.aborted) throw new Error('verify: cancelled');
      const hashes = Array.from({ length: n }, (_, i) => inputHash(inputs, i, size));
      // Distinct inputs not answered yet, first occurrence of each, in order.
      const seen = new Set<string>();
      const missing: number[] = [];
      hashes.forEach((hash, i) => {
        if (usable(cache.get(hash)) || seen.has(hash)) return;
        seen.add(hash);
        missing.push(i);
      });
      reused += n - missing.length;
      if (budget !== undefined && sent + missing.length > budget) {
        const fits = missing.slice(0, budget - sent);
        if (fits.length) await send(inputs, fits, hashes);
        throw new BudgetExhaustedError(budget, sent, missing.length - fits.length);
      }
      if (missing.length) await send(inputs, missing, hashes);
      const labels = new Int32Array(n);
      const probs = oracle.labelOnly ? undefined : new Float32Array(n * k);
      hashes.forEach((hash, i) => {
        const r = cache.get(hash)!;
        labels[i] = r.label;
        probs?.set(r.probs!, i * k);
      });
      asked += n;
      return probs ? { labels, probs } : { labels };
    },
  };
}
