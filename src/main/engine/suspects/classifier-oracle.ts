/** An in-process Classifier (a tfjs model, a lab-wrapped model) as an Oracle: one exchange per batch. */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../lab/types.ts';
import type { Oracle } from './types.ts';

export function classifierOracle(c: Classifier, opts: { labelOnly?: boolean; name?: string; batchSize?: number; dispose?: () => void } = {}): Oracle {
  const [h, w, ch] = c.inputShape;
  const size = h * w * ch;
  const k = c.numClasses;
  const batchSize = opts.batchSize ?? 256;
  const labelOnly = opts.labelOnly ?? false;
  return {
    inputShape: c.inputShape,
    numClasses: k,
    labelOnly,
    describe: () => opts.name ?? c.describe(),
    close: () => opts.dispose?.(),
    async answer(inputs, n, call) {
      const labels = new Int32Array(n);
      const probs = new Float32Array(n * k);
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        const t0 = performance.now();
        const time = new Date().toISOString();
        tf.tidy(() => {
          const p = c.predictProbs(tf.tensor4d(inputs.subarray(start * size, (start + m) * size), [m, h, w, ch]));
          probs.set(p.dataSync() as Float32Array, start * k);
          labels.set(p.argMax(-1).dataSync() as Int32Array, start);
        });
        call.report({
          time, latencyMs: performance.now() - t0, attempt: 1, outcome: 'ok',
          inputHashes: call.hashes.slice(start, start + m),
          labels: Array.from(labels.subarray(start, start + m)),
          ...(labelOnly ? {} : { probs: Array.from(probs.subarray(start * k, (start + m) * k)) }),
        });
      }
      return labelOnly ? { labels } : { labels, probs };
    },
  };
}
