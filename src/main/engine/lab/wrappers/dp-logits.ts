/**
 * Output perturbation (METHODS.md "DP-logits"): add Laplace or Gaussian noise to the base's logits,
 * then softmax. A Classifier only exposes probabilities, so the logits are taken as log(p): they
 * differ from the model's logits by a per-row constant, which the softmax ignores. Probabilities that
 * underflow to 0 in float32 are floored at 1e-30 (log ≈ −69), so the recovered logit gaps saturate
 * near 69; the noise scales of interest (≈1) are far smaller. Noise is seeded per query batch like
 * gaussian-noise (see common.ts querySeed). scale = 0 returns the base's probabilities untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { checkQuery, fmtParam, gaussianArray, laplaceArray, numberCheck, oneOfCheck, querySeed, resolveParams, wrapperSeed, type WrappedClassifier, type TypedWrapper } from './common.ts';

export interface DpLogitsParams {
  distribution: 'laplace' | 'gaussian';
  /** Gaussian: the standard deviation; Laplace: the scale b (standard deviation √2·b). */
  scale: number;
}

const DEFAULTS: DpLogitsParams = { distribution: 'laplace', scale: 1 };
const FLOOR = 1e-30;

export const dpLogits: TypedWrapper<DpLogitsParams> = {
  id: 'dp-logits',
  description: 'add Laplace/Gaussian noise to the logits, then softmax (seeded per query batch)',
  defaults: DEFAULTS,
  wrap(base, params, seed): WrappedClassifier {
    const p = resolveParams('dp-logits', DEFAULTS, params, {
      distribution: oneOfCheck(['laplace', 'gaussian']),
      scale: numberCheck({ min: 0 }),
    });
    const s = wrapperSeed('dp-logits', seed);
    let counter = 0;
    return {
      wrapper: 'dp-logits',
      params: { ...p },
      seed: s,
      base,
      inputShape: base.inputShape,
      numClasses: base.numClasses,
      predictProbs(x) {
        checkQuery('dp-logits', base, x);
        const c = counter++;
        return tf.tidy(() => {
          const probs = base.predictProbs(x);
          if (p.scale === 0 || probs.size === 0) return probs;
          const seedC = querySeed(s, c);
          const draws = p.distribution === 'laplace' ? laplaceArray(probs.size, seedC) : gaussianArray(probs.size, seedC);
          const noise = tf.mul(tf.tensor(draws, probs.shape, 'float32'), p.scale);
          return tf.softmax(tf.add(tf.log(tf.maximum(probs, FLOOR)), noise)) as tf.Tensor2D;
        });
      },
      describe: () => `dp-logits(${p.distribution}, scale=${fmtParam(p.scale)}) ∘ ${base.describe()}`,
    };
  },
};
