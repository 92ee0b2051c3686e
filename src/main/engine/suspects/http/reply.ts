/**
 * What a reply means, checked. Protocols decode their JSON into labels or score rows; this turns
 * them into the SuspectAnswer, refusing anything that does not fit the declared suspect: a wrong
 * number of rows or classes, a label outside [0, numClasses), a non-finite number, probabilities
 * that are not probabilities, or labels where probability mode needs scores. Each refusal is a
 * ReplyMismatchError: systematic, so never retried.
 */
import type { SuspectAnswer } from '../types.ts';
import { ReplyMismatchError } from './errors.ts';

export type DecodedReply = { kind: 'labels'; labels: unknown[] } | { kind: 'scores'; rows: unknown[] };

export interface ReplyExpectation {
  numClasses: number;
  labelOnly: boolean;
  scores: 'probabilities' | 'logits';
}

/** Probability rows must sum to 1 within this (APIs round their outputs; logits do not sum to 1). */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

const show = (v: unknown): string => {
  if (typeof v === 'number') return String(v);
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

export function toAnswer(reply: DecodedReply, m: number, o: ReplyExpectation): SuspectAnswer {
  const k = o.numClasses;
  const got = reply.kind === 'labels' ? reply.labels.length : reply.rows.length;
  if (got !== m) throw new ReplyMismatchError(`reply has ${got} rows for ${m} inputs (one row per input expected)`);
  const labels = new Int32Array(m);
  if (reply.kind === 'labels') {
    if (!o.labelOnly) {
      throw new ReplyMismatchError('the API answered labels only; probability mode needs scores (query it with labelOnly: true to use labels)');
    }
    reply.labels.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= k) {
        throw new ReplyMismatchError(`row ${i}: expected an integer label in [0, ${k}), got ${show(v)}`);
      }
      labels[i] = v;
    });
    return { labels };
  }
  const probs = new Float32Array(m * k);
  const row = new Float64Array(k);
  reply.rows.forEach((r, i) => {
    if (!Array.isArray(r)) throw new ReplyMismatchError(`row ${i}: expected ${k} scores, got ${show(r)}`);
    if (r.length !== k) throw new ReplyMismatchError(`row ${i} has ${r.length} scores, expected ${k} (one per class)`);
    let best = 0;
    for (let j = 0; j < k; j++) {
      const v = r[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ReplyMismatchError(`row ${i}, class ${j}: expected a finite number, got ${show(v)}`);
      row[j] = v;
      if (v > row[best]) best = j; // first maximum, as argMax breaks ties
    }
    labels[i] = best;
    if (o.labelOnly) return; // only the top-1 label is used; logits and probabilities agree on it
    if (o.scores === 'logits') softmaxInPlace(row);
    else checkProbabilities(row, i);
    for (let j = 0; j < k; j++) probs[i * k + j] = row[j];
  });
  return o.labelOnly ? { labels } : { labels, probs };
}

/** Softmax in float64, shifted by the row maximum so large logits cannot overflow. */
function softmaxInPlace(row: Float64Array): void {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += row[j] = Math.exp(row[j] - max);
  for (let j = 0; j < row.length; j++) row[j] /= sum;
}

function checkProbabilities(row: Float64Array, i: number): void {
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    if (row[j] < -1e-6 || row[j] > 1 + 1e-6) {
      throw new ReplyMismatchError(`row ${i}, class ${j}: ${row[j]} is not a probability (if the API returns logits, declare scores: "logits")`);
    }
    sum += row[j];
  }
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    throw new ReplyMismatchError(`row ${i}: probabilities sum to ${sum}, not 1 (if the API returns logits, declare scores: "logits")`);
  }
}
