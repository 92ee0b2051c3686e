/**
 * PGD-L∞ (Madry et al. 2018): from a seeded uniform start in the ε-ball, `steps` signed-gradient
 * ascent steps on the cross-entropy, each projected back to the ε-ball and to [0,1]. The model runs
 * in inference mode (training: false) so that generating examples never moves batch-norm
 * statistics and is the same function the defender will be evaluated with.
 */
import * as tf from '@tensorflow/tfjs';
import { batchIterator } from '../../data/batches.ts';
import { deriveSeed } from '../../data/random.ts';
import type { Dataset } from '../../data/types.ts';

export interface PgdConfig {
  epsilon: number;
  steps: number;
  stepSize: number;
  /** Seed of the random start (uint32); no random start when null. */
  seed: number | null;
}

/** Adversarial versions of `x` (labels `y`, one-hot). The caller owns the result. */
export function pgd(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor2D, cfg: PgdConfig): tf.Tensor4D {
  return tf.tidy(() => {
    const lo = x.sub(cfg.epsilon).clipByValue(0, 1);
    const hi = x.add(cfg.epsilon).clipByValue(0, 1);
    const lossOf = (xa: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(xa, { training: false }) as tf.Tensor2D) as tf.Scalar;
    const grad = tf.grad(lossOf);
    let adv: tf.Tensor4D = cfg.seed === null
      ? x.clone()
      : tf.minimum(tf.maximum(x.add(tf.randomUniform(x.shape, -cfg.epsilon, cfg.epsilon, 'float32', cfg.seed)), lo), hi);
    for (let s = 0; s < cfg.steps; s++) {
      const next = tf.tidy(() => {
        const g = grad(adv) as tf.Tensor4D;
        return tf.minimum(tf.maximum(adv.add(g.sign().mul(cfg.stepSize)), lo), hi) as tf.Tensor4D;
      });
      adv.dispose();
      adv = next;
    }
    return adv;
  });
}

/** Top-1 accuracy of `model` on PGD examples made against `model` itself from the given samples. */
export function pgdAccuracy(model: tf.LayersModel, data: Dataset, indices: Int32Array, cfg: PgdConfig, batchSize = 128): number {
  let correct = 0;
  let b = 0;
  for (const batch of batchIterator(data, indices, { batchSize })) {
    const seed = cfg.seed === null ? null : deriveSeed(cfg.seed, `pgd-eval-${b++}`);
    const pred = tf.tidy(() => {
      const adv = pgd(model, batch.x, batch.y, { ...cfg, seed });
      return (model.predict(adv) as tf.Tensor).argMax(-1).dataSync() as Int32Array;
    });
    for (let i = 0; i < pred.length; i++) if (pred[i] === data.labels[batch.indices[i]]) correct++;
  }
  return correct / indices.length;
}
