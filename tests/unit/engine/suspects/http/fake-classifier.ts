/** A deterministic stand-in for a model behind the test server: a fixed random linear map + softmax. */
import { createRng } from '../../../../../src/main/engine/data/random.ts';
import type { OracleCall, ExchangeReport } from '../../../../../src/main/engine/suspects/types.ts';

export const SHAPE: [number, number, number] = [4, 4, 3];
export const SIZE = 48;
export const K = 5;

const rng = createRng(11);
const W = Float64Array.from({ length: K * SIZE }, () => rng.next() * 2 - 1);

/** Same contract as the server's `answer`: NHWC inputs → float32 probabilities and argmax labels. */
export async function fakeAnswer(inputs: Float32Array, n: number): Promise<{ labels: Int32Array; probs: Float32Array }> {
  const size = inputs.length / n;
  const probs = new Float32Array(n * K);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = new Float64Array(K);
    for (let j = 0; j < K; j++) for (let p = 0; p < size; p++) z[j] += inputs[i * size + p] * W[j * SIZE + (p % SIZE)] * 3;
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < K; j++) probs[i * K + j] = e[j] / sum;
    let best = 0;
    for (let j = 1; j < K; j++) if (probs[i * K + j] > probs[i * K + best]) best = j;
    labels[i] = best;
  }
  return { labels, probs };
}

export function randomInputs(n: number, seed = 3): Float32Array {
  const r = createRng(seed);
  return Float32Array.from({ length: n * SIZE }, () => r.next());
}

/** An OracleCall whose reports are kept; hashes are stand-ins ("h0", "h1", …). */
export function recordingCall(n: number, signal?: AbortSignal): OracleCall & { reports: ExchangeReport[] } {
  const reports: ExchangeReport[] = [];
  return { hashes: Array.from({ length: n }, (_, i) => `h${i}`), reports, report: (e) => void reports.push(e), signal };
}
