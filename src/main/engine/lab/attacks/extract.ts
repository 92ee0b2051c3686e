/**
 * Model extraction (Knockoff Nets, Orekondy et al. 2019; Tramèr et al. 2016): the attacker queries
 * the source with its own data and trains a student of any registry architecture on the answers —
 * argmax labels ('labels', cross-entropy) or softmax probabilities ('probabilities', distillation
 * with temperature T: soft targets softmax(z/T), loss scaled by T² as in Hinton et al. 2015). The
 * student never sees the dataset's labels: targets come only from the source's answers.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../models/architectures.ts';
import { ARCH_IDS, type ArchId, type ArchSpec } from '../../models/types.ts';
import { batchIterator } from '../../data/batches.ts';
import { deriveSeed, shuffled } from '../../data/random.ts';
import type { Attack, AttackContext, AttackResult } from '../types.ts';
import { batchSizeCheck, checkContext, epochsCheck, nullable, num, oneOf, positiveNumber, resolveParams } from './params.ts';
import { trainableVariables, trainVariables } from './loop.ts';

export interface ExtractParams {
  mode: 'labels' | 'probabilities';
  /** Distillation temperature (probabilities mode; ignored for labels). */
  temperature: number;
  /** Student architecture; null means the source's. */
  arch: ArchId | null;
  /** Student width multiplier; null means the source's when the arch is the same, else 1. */
  width: number | null;
  epochs: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
  batchSize: number;
  /** How many attacker samples to query (a seeded subset); null means all of them. */
  queryBudget: number | null;
}

const DEFAULTS: ExtractParams = {
  mode: 'labels', temperature: 1, arch: null, width: null, epochs: 10, lr: 1e-3, optimizer: 'adam', batchSize: 64, queryBudget: null,
};

const CHECKS = {
  mode: oneOf(['labels', 'probabilities']),
  temperature: positiveNumber,
  arch: nullable(oneOf(ARCH_IDS)),
  width: nullable(positiveNumber),
  epochs: epochsCheck,
  lr: positiveNumber,
  optimizer: oneOf(['adam', 'sgd']),
  batchSize: batchSizeCheck,
  queryBudget: nullable(num(1, 2 ** 31, { int: true })),
};

/** The source's answers for the queried samples: [n, classes] one-hot labels or probabilities at T. */
function querySource(ctx: AttackContext, queried: Int32Array, mode: ExtractParams['mode'], T: number): Float32Array {
  const k = ctx.data.numClasses;
  const out = new Float32Array(queried.length * k);
  let o = 0;
  for (const batch of batchIterator(ctx.data, queried, { batchSize: 256, labels: 'index' })) {
    const answers = tf.tidy(() => {
      const logits = ctx.source.predict(batch.x) as tf.Tensor2D;
      return (mode === 'labels' ? tf.oneHot(logits.argMax(-1), k).toFloat() : tf.softmax(T === 1 ? logits : logits.div(T))).dataSync() as Float32Array;
    });
    out.set(answers, o);
    o += answers.length;
  }
  return out;
}

export const extractAttack: Attack<ExtractParams> = {
  id: 'extract',
  description: 'Model extraction: train a student of any architecture on the source\'s labels or probabilities',
  defaults: DEFAULTS,
  async run(ctx: AttackContext, given: Partial<ExtractParams>): Promise<AttackResult> {
    const resolved = resolveParams('extract', DEFAULTS, given, CHECKS);
    checkContext('extract', ctx);
    const arch = resolved.arch ?? ctx.sourceSpec.arch;
    const sameArch = arch === ctx.sourceSpec.arch;
    const width = resolved.width ?? (sameArch ? ctx.sourceSpec.width ?? 1 : 1);
    const params = { ...resolved, arch, width };
    const spec: ArchSpec = sameArch
      ? { ...ctx.sourceSpec, width, seed: deriveSeed(ctx.seed, 'student-init') }
      : { arch, inputShape: ctx.sourceSpec.inputShape, numClasses: ctx.sourceSpec.numClasses, width, seed: deriveSeed(ctx.seed, 'student-init') };
    const all = ctx.attackerIndices;
    const budget = Math.min(params.queryBudget ?? all.length, all.length);
    const queried = budget === all.length ? all : shuffled(all, deriveSeed(ctx.seed, 'query-subset')).slice(0, budget);
    const T = params.mode === 'probabilities' ? params.temperature : 1;
    const answers = querySource(ctx, queried, params.mode, T);
    const k = ctx.data.numClasses;
    const row = new Map<number, number>();
    queried.forEach((idx, r) => row.set(idx, r));
    const model = buildModel(spec);
    try {
      const r = await trainVariables(model, trainableVariables(model), ctx.data, queried, {
        epochs: params.epochs,
        batchSize: params.batchSize,
        learningRate: params.lr,
        optimizer: params.optimizer === 'adam' ? { name: 'adam' } : { name: 'sgd', momentum: 0.9 },
        seed: deriveSeed(ctx.seed, 'extract-shuffle'),
        training: true,
        temperature: T,
        // Replace the batch's true labels by the recorded answers of the source.
        prepare: (batch) => {
          const y = new Float32Array(batch.indices.length * k);
          batch.indices.forEach((idx, i) => {
            const at = row.get(idx) as number;
            y.set(answers.subarray(at * k, (at + 1) * k), i * k);
          });
          return { x: batch.x, y: tf.tensor2d(y, [batch.indices.length, k], 'float32') };
        },
        label: `extract (${params.mode})`,
      }, ctx);
      return {
        model,
        spec,
        record: {
          attack: 'extract',
          params: { ...params },
          seed: ctx.seed,
          details: { queries: queried.length, studentSpec: spec, steps: r.steps, finalLoss: r.finalLoss },
        },
      };
    } catch (err) {
      model.dispose();
      throw err;
    }
  },
};
