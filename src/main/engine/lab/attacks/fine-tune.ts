/**
 * The four fine-tuning attacks of Adi et al. 2018 ("Turning your weakness into a strength"), as
 * used by IPGuard/CAE/MetaFinger and the fingerprinting surveys: FTLL (train the last layer),
 * FTAL (train all layers), RTLL (re-initialise the last layer, train it), RTAL (re-initialise the
 * last layer, train all). Always on the attacker split only, starting from a copy of the source.
 */
import * as tf from '@tensorflow/tfjs';
import { cloneModel } from '../../models/clone.ts';
import { deriveSeed } from '../../data/random.ts';
import type { Attack, AttackContext, AttackId, AttackResult } from '../types.ts';
import { batchSizeCheck, checkContext, epochsCheck, momentumCheck, positiveNumber, resolveParams } from './params.ts';
import { logitsHead, trainableVariables, trainVariables } from './loop.ts';

export interface FineTuneParams {
  /** Passes over the attacker split (paper setups use tens; 5 keeps suites affordable). */
  epochs: number;
  /** SGD learning rate (Adi et al.: 0.01 for fine-tuning). */
  lr: number;
  /** SGD momentum (PyTorch semantics). */
  momentum: number;
  batchSize: number;
}

export const FINE_TUNE_DEFAULTS: FineTuneParams = { epochs: 5, lr: 0.01, momentum: 0.9, batchSize: 64 };

const CHECKS = { epochs: epochsCheck, lr: positiveNumber, momentum: momentumCheck, batchSize: batchSizeCheck };

/**
 * Overwrites the logits layer with a fresh seeded initialisation of the same kind buildModel uses
 * (Glorot-uniform kernel, zero bias), drawn from the attack's seed rather than the source's.
 */
export function reinitialiseLogits(model: tf.LayersModel, seed: number): void {
  const { kernel, bias } = logitsHead(model);
  tf.tidy(() => {
    kernel.write(tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'reinit-logits') }).apply(kernel.shape as number[], 'float32'));
    bias?.write(tf.zeros(bias.shape as number[]));
  });
}

interface Variant {
  id: AttackId;
  description: string;
  reinit: boolean;
  allLayers: boolean;
}

export function makeFineTuneAttack(v: Variant): Attack<FineTuneParams> {
  return {
    id: v.id,
    description: v.description,
    defaults: FINE_TUNE_DEFAULTS,
    async run(ctx: AttackContext, given: Partial<FineTuneParams>): Promise<AttackResult> {
      const params = resolveParams(v.id, FINE_TUNE_DEFAULTS, given, CHECKS);
      checkContext(v.id, ctx);
      const model = cloneModel(ctx.source, ctx.sourceSpec);
      try {
        if (v.reinit) reinitialiseLogits(model, ctx.seed);
        const vars = v.allLayers ? trainableVariables(model) : logitsHead(model).variables;
        const result = await trainVariables(model, vars, ctx.data, ctx.attackerIndices, {
          epochs: params.epochs,
          batchSize: params.batchSize,
          learningRate: params.lr,
          optimizer: { name: 'sgd', momentum: params.momentum },
          seed: deriveSeed(ctx.seed, `${v.id}-train`),
          // Last-layer attacks run the frozen body in inference mode so batch-norm statistics stay
          // the source's too: "only the last layer changes" then holds for every weight.
          training: v.allLayers,
          label: v.id,
        }, ctx);
        return {
          model,
          spec: { ...ctx.sourceSpec },
          record: {
            attack: v.id,
            params: { ...params },
            seed: ctx.seed,
            details: { steps: result.steps, finalLoss: result.finalLoss, trainedVariables: vars.length, attackerSamples: ctx.attackerIndices.length },
          },
        };
      } catch (err) {
        model.dispose();
        throw err;
      }
    },
  };
}
