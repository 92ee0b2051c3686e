/** Any in-process Classifier (a model, a wrapped model from the lab) as a counted Suspect. */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../lab/types.ts';
import type { Suspect } from './types.ts';

export function classifierSuspect(c: Classifier, opts: { labelOnly?: boolean; name?: string; batchSize?: number } = {}): Suspect {
  let count = 0;
  const [h, w, ch] = c.inputShape;
  const size = h * w * ch;
  const batchSize = opts.batchSize ?? 256;
  return {
    inputShape: c.inputShape,
    numClasses: c.numClasses,
    labelOnly: opts.labelOnly ?? false,
    describe: () => opts.name ?? c.describe(),
    queries: () => count,
    async query(inputs, n) {
      if (inputs.length !== n * size) throw new Error(`suspect query: expected ${n}×${h}×${w}×${ch} = ${n * size} values, got ${inputs.length}`);
      const labels = new Int32Array(n);
      const probs = new Float32Array(n * c.numClasses);
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        tf.tidy(() => {
          const x = tf.tensor4d(inputs.subarray(start * size, (start + m) * size), [m, h, w, ch]);
          const p = c.predictProbs(x);
          probs.set(p.dataSync() as Float32Array, start * c.numClasses);
          labels.set(p.argMax(-1).dataSync() as Int32Array, start);
        });
      }
      count += n;
      return opts.labelOnly ? { labels } : { labels, probs };
    },
  };
}
