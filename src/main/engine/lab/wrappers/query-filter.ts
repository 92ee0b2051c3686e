/**
 * The attacker's deployment defence against fingerprint queries (DAEIT-style): fingerprint triggers
 * sit near the source's decision boundary or are adversarial, so their label is unstable under tiny
 * input changes, while clean inputs are not. For each query x the base labels x and `k` slightly
 * transformed copies (copy j: a ±`shift`-pixel translation, cycling right/left/down/up, plus
 * Gaussian noise σ=`sigma`, clipped); when fewer than `threshold`·k copies keep x's label the query
 * is flagged and answered with a wrong label, the base's second most likely class. Unflagged queries
 * get the base's probabilities unchanged. Noise is seeded per query batch (common.ts querySeed).
 *
 * stats() counts queried and flagged rows so stealthiness can be measured (MFUE Table 2: fraction of
 * trigger queries flagged vs clean queries flagged); resetStats() starts a new count.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../types.ts';
import { addClippedGaussian, checkQuery, fmtParam, numberCheck, oneOfCheck, querySeed, resolveParams, wrapperSeed, type WrappedClassifier, type TypedWrapper } from './common.ts';

export interface QueryFilterParams {
  /** Transformed copies per query. */
  k: number;
  /** Pixel noise added to each copy ([0, 1] scale). */
  sigma: number;
  /** Translation of each copy in pixels (zero fill); 0 = noise only. */
  shift: number;
  /** Fraction of the k copies that must keep the query's label; below it the query is flagged. 1 = all. */
  threshold: number;
  /** Answer to a flagged query: all mass on the runner-up class ('one-hot'), or the base's probabilities with the top two swapped ('swap'). */
  respond: 'one-hot' | 'swap';
}

const DEFAULTS: QueryFilterParams = { k: 4, sigma: 8 / 255, shift: 1, threshold: 1, respond: 'one-hot' };

export interface FilterStats {
  /** Rows queried since creation or the last resetStats(). */
  queries: number;
  flagged: number;
}

export interface FilteringClassifier extends WrappedClassifier {
  stats(): FilterStats;
  resetStats(): void;
  /** Per-row flags (1 = flagged) of the most recent predictProbs call. */
  lastFlags(): Uint8Array;
}

/** Translates by (dy, dx) pixels with zero fill: output[y][x] = input[y − dy][x − dx]. */
export function shiftImages(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => {
    if (dy === 0 && dx === 0) return x.clone();
    const [, h, w] = x.shape;
    const padded = tf.pad(x, [[0, 0], [Math.max(dy, 0), Math.max(-dy, 0)], [Math.max(dx, 0), Math.max(-dx, 0)], [0, 0]]);
    return tf.slice(padded, [0, Math.max(-dy, 0), Math.max(-dx, 0), 0], [-1, h, w, -1]);
  });
}

const DIRECTIONS: ReadonlyArray<[number, number]> = [[0, 1], [0, -1], [1, 0], [-1, 0]];

export const isFilteringClassifier = (c: Classifier): c is FilteringClassifier =>
  (c as Partial<FilteringClassifier>).wrapper === 'query-filter' && typeof (c as Partial<FilteringClassifier>).stats === 'function';

export const queryFilter: TypedWrapper<QueryFilterParams, FilteringClassifier> = {
  id: 'query-filter',
  description: 'flag queries whose label is unstable under small noise/shifts and answer them with the runner-up label',
  defaults: DEFAULTS,
  wrap(base, params, seed): FilteringClassifier {
    const p = resolveParams('query-filter', DEFAULTS, params, {
      k: numberCheck({ min: 1, integer: true }),
      sigma: numberCheck({ min: 0 }),
      shift: numberCheck({ min: 0, integer: true }),
      threshold: numberCheck({ min: 0, max: 1, exclusiveMin: true }),
      respond: oneOfCheck(['one-hot', 'swap']),
    });
    const [h, w] = base.inputShape;
    if (p.shift >= Math.min(h, w)) throw new Error(`query-filter.shift: expected a shift smaller than the image side ${Math.min(h, w)}, got ${p.shift}`);
    if (base.numClasses < 2) throw new Error('query-filter: the base must have at least 2 classes (a flagged query is answered with the runner-up)');
    const s = wrapperSeed('query-filter', seed);
    // The copies must agree at least this often; computed once so threshold·k rounding is explicit.
    const needed = Math.ceil(p.threshold * p.k - 1e-9);
    let counter = 0;
    let queries = 0;
    let flaggedCount = 0;
    let last = new Uint8Array(0);

    const predictProbs = (x: tf.Tensor4D): tf.Tensor2D => {
      checkQuery('query-filter', base, x);
      const c = counter++;
      const n = x.shape[0];
      return tf.tidy(() => {
        const probs = base.predictProbs(x);
        if (n === 0) {
          last = new Uint8Array(0);
          return probs;
        }
        const labels = tf.argMax(probs, 1);
        let agree = tf.zeros([n], 'int32');
        for (let j = 0; j < p.k; j++) {
          const [dy, dx] = DIRECTIONS[j % DIRECTIONS.length];
          const copy = addClippedGaussian(shiftImages(x, dy * p.shift, dx * p.shift), p.sigma, querySeed(s, c, `copy-${j}`));
          const same = tf.cast(tf.equal(tf.argMax(base.predictProbs(copy), 1), labels), 'int32');
          agree = tf.add(agree, same);
        }
        const flags = tf.less(agree, needed); // bool [n]
        const flagData = flags.dataSync();
        last = Uint8Array.from(flagData);
        queries += n;
        flaggedCount += last.reduce((a, b) => a + b, 0);

        const { indices } = tf.topk(probs, 2);
        const [top1, top2] = tf.unstack(indices, 1);
        const oh1 = tf.oneHot(top1, base.numClasses).toFloat();
        const oh2 = tf.oneHot(top2, base.numClasses).toFloat();
        let answer: tf.Tensor;
        if (p.respond === 'one-hot') {
          answer = oh2;
        } else {
          const p1 = tf.sum(tf.mul(probs, oh1), 1, true);
          const p2 = tf.sum(tf.mul(probs, oh2), 1, true);
          // Move p2 onto top1 and p1 onto top2; other classes keep their mass, so rows still sum to 1.
          answer = tf.add(probs, tf.add(tf.mul(tf.sub(p2, p1), oh1), tf.mul(tf.sub(p1, p2), oh2)));
        }
        return tf.where(tf.expandDims(flags, 1).tile([1, base.numClasses]), answer, probs) as tf.Tensor2D;
      });
    };

    return {
      wrapper: 'query-filter',
      params: { ...p },
      seed: s,
      base,
      inputShape: base.inputShape,
      numClasses: base.numClasses,
      predictProbs,
      describe: () => `query-filter(k=${p.k}, σ=${fmtParam(p.sigma)}, shift=${p.shift}, threshold=${fmtParam(p.threshold)}) ∘ ${base.describe()}`,
      stats: () => ({ queries, flagged: flaggedCount }),
      resetStats() {
        queries = 0;
        flaggedCount = 0;
      },
      lastFlags: () => last.slice(),
    };
  },
};
