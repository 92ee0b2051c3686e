/** An in-process Classifier (a tfjs model, a lab-wrapped model) as an Oracle: one exchange per batch. */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../lab/types.ts';
import type { Oracle, SuspectAnswer } from './types.ts';

/**
 * Labels and probabilities of n NHWC inputs, predicted in batches; `onBatch(start, m, ms)` after each
 * batch (with the arrays filled so far). Shared by the recorded oracle below and the unrecorded classifierSuspect of evaluation loops.
 */
export function predictBatches(c: Classifier, inputs: Float32Array, n: number, batchSize: number, onBatch?: (start: number, m: number, ms: number, out: { labels: Int32Array; probs: Float32Array }) => void): { labels: Int32Array; probs: Float32Array } {
  const [h, w, ch] = c.inputShape;
  const size = h * w * ch;
  const k = c.numClasses;
  const labels = new Int32Array(n);
  const probs = new Float32Array(n * k);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const t0 = performance.now();
    tf.tidy(() => {
      const p = c.predictProbs(tf.tensor4d(inputs.subarray(start * size, (start + m) * size), [m, h, w, ch]));
      probs.set(p.dataSync() as Float32Array, start * k);
      labels.set(p.argMax(-1).dataSync() as Int32Array, start);
    });
    onBatch?.(start, m, performance.now() - t0, { labels, probs });
  }
  return { labels, probs };
}

export function classifierOracle(c: Classifier, opts: { labelOnly?: boolean; name?: string; batchSize?: number; dispose?: () => void } = {}): Oracle {
  const k = c.numClasses;
  const labelOnly = opts.labelOnly ?? false;
  return {
    inputShape: c.inputShape,
    numClasses: k,
    labelOnly,
    describe: () => opts.name ?? c.describe(),
    close: () => opts.dispose?.(),
    async answer(inputs, n, call): Promise<SuspectAnswer> {
      let time = new Date().toISOString();
      const { labels, probs } = predictBatches(c, inputs, n, opts.batchSize ?? 256, (start, m, latencyMs, { labels, probs }) => {
        call.report({
          time, latencyMs, attempt: 1, outcome: 'ok',
          inputHashes: call.hashes.slice(start, start + m),
          labels: Array.from(labels.subarray(start, start + m)),
          ...(labelOnly ? {} : { probs: Array.from(probs.subarray(start * k, (start + m) * k)) }),
        });
        time = new Date().toISOString();
      });
      return labelOnly ? { labels } : { labels, probs };
    },
  };
}
