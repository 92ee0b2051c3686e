/**
 * Any in-process Classifier (a model, a wrapped model from the lab) as a counted Suspect, without
 * input hashing or recording: the evaluation loops score many models with many queries, and their
 * exchanges are not evidence. A verification goes through classifierOracle + accountedSuspect.
 */
import type { Classifier } from '../lab/types.ts';
import { predictBatches } from './classifier-oracle.ts';
import type { Suspect } from './types.ts';

export function classifierSuspect(c: Classifier, opts: { labelOnly?: boolean; name?: string; batchSize?: number } = {}): Suspect {
  let count = 0;
  const [h, w, ch] = c.inputShape;
  const size = h * w * ch;
  return {
    inputShape: c.inputShape,
    numClasses: c.numClasses,
    labelOnly: opts.labelOnly ?? false,
    describe: () => opts.name ?? c.describe(),
    queries: () => count,
    async query(inputs, n) {
      if (inputs.length !== n * size) throw new Error(`suspect query: expected ${n}×${h}×${w}×${ch} = ${n * size} values, got ${inputs.length}`);
      const { labels, probs } = predictBatches(c, inputs, n, opts.batchSize ?? 256);
      count += n;
      return opts.labelOnly ? { labels } : { labels, probs };
    },
  };
}
