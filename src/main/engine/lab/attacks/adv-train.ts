/**
 * Adversarial fine-tuning as a removal attack (Madry et al. 2018 PGD; used against fingerprints
 * by e.g. MetaV, UAP-fingerprinting and the ModelDiff/MFUE evaluations): a copy of the source is
 * fine-tuned on the attacker split where, in every batch, a `cleanFraction` of the samples stay
 * clean and the rest are replaced by PGD-L∞ examples made against the current model.
 */
import * as tf from '@tensorflow/tfjs';
import { cloneModel } from '../../models/clone.ts';
import { deriveSeed } from '../../data/random.ts';
import type { Attack, AttackContext, AttackResult } from '../types.ts';
import { batchSizeCheck, checkContext, epochsCheck, momentumCheck, nullable, num, positiveNumber, resolveParams } from './params.ts';
import { trainableVariables, trainVariables } from './loop.ts';
import { pgd } from './pgd.ts';

export interface AdvTrainParams {
  /** L∞ radius in [0,1] pixel units. 8/255 is the CIFAR convention; MNIST work often uses 0.1–0.3. */
  epsilon: number;
  steps: number;
  /** PGD step size; null means 2.5·ε/steps (Madry et al.'s rule of thumb). Recorded resolved. */
  stepSize: number | null;
  /** Fraction of each batch kept clean, in [0, 1). */
  cleanFraction: number;
  epochs: number;
  lr: number;
  momentum: number;
  batchSize: number;
}

const DEFAULTS: AdvTrainParams = { epsilon: 8 / 255, steps: 7, stepSize: null, cleanFraction: 0.5, epochs: 5, lr: 0.01, momentum: 0.9, batchSize: 64 };

const CHECKS = {
  epsilon: num(0, 1, { loOpen: true }),
  steps: num(1, 1000, { int: true }),
  stepSize: nullable(positiveNumber),
  cleanFraction: num(0, 1, { hiOpen: true }),
  epochs: epochsCheck,
  lr: positiveNumber,
  momentum: momentumCheck,
  batchSize: batchSizeCheck,
};

export const advTrainAttack: Attack<AdvTrainParams> = {
  id: 'adv-train',
  description: 'PGD-L∞ adversarial fine-tuning on attacker data, mixing clean and adversarial samples',
  defaults: DEFAULTS,
  async run(ctx: AttackContext, given: Partial<AdvTrainParams>): Promise<AttackResult> {
    const resolved = resolveParams('adv-train', DEFAULTS, given, CHECKS);
    const params = { ...resolved, stepSize: resolved.stepSize ?? (2.5 * resolved.epsilon) / resolved.steps };
    checkContext('adv-train', ctx);
    const model = cloneModel(ctx.source, ctx.sourceSpec);
    let adversarial = 0;
    try {
      const r = await trainVariables(model, trainableVariables(model), ctx.data, ctx.attackerIndices, {
        epochs: params.epochs,
        batchSize: params.batchSize,
        learningRate: params.lr,
        optimizer: { name: 'sgd', momentum: params.momentum },
        seed: deriveSeed(ctx.seed, 'adv-train-shuffle'),
        training: true,
        // The batch order is already a seeded shuffle, so its first samples are a random subset:
        // those stay clean, the rest become adversarial.
        prepare: (batch, step) => {
          const n = batch.indices.length;
          const clean = Math.round(params.cleanFraction * n);
          if (clean >= n) return { x: batch.x, y: batch.y };
          adversarial += n - clean;
          const x = tf.tidy(() => {
            const xa = batch.x.slice([clean, 0, 0, 0], [n - clean, -1, -1, -1]);
            const ya = batch.y.slice([clean, 0], [n - clean, -1]);
            const adv = pgd(model, xa, ya, { epsilon: params.epsilon, steps: params.steps, stepSize: params.stepSize, seed: deriveSeed(ctx.seed, `pgd-step-${step}`) });
            return clean === 0 ? adv : tf.concat([batch.x.slice([0, 0, 0, 0], [clean, -1, -1, -1]), adv]);
          }) as tf.Tensor4D;
          return { x, y: batch.y };
        },
        label: 'adv-train',
      }, ctx);
      return {
        model,
        spec: { ...ctx.sourceSpec },
        record: {
          attack: 'adv-train',
          params: { ...params },
          seed: ctx.seed,
          details: { steps: r.steps, finalLoss: r.finalLoss, adversarialSamples: adversarial },
        },
      };
    } catch (err) {
      model.dispose();
      throw err;
    }
  },
};
