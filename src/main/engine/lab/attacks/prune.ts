/**
 * Magnitude pruning (Han et al. 2015; the pruning attack of IPGuard, CAE, MetaFinger, ...): the
 * round(p·n) smallest-|w| conv and dense kernel weights are set to 0, counted over all prunable
 * kernels together ('global') or per kernel ('layer'). Biases and batch-norm parameters are never
 * pruned (they are few, and the papers prune weights only). An optional fine-tune afterwards keeps
 * the mask: pruned weights are zeroed again after every optimiser step.
 */
import * as tf from '@tensorflow/tfjs';
import { OnnxGraphLayer } from '../../models/onnx/onnx-layer.ts';
import { cloneModel } from '../../models/clone.ts';
import { deriveSeed } from '../../data/random.ts';
import type { Attack, AttackContext, AttackResult } from '../types.ts';
import { batchSizeCheck, checkContext, epochsCheck, momentumCheck, num, oneOf, positiveNumber, resolveParams } from './params.ts';
import { trainableVariables, trainVariables } from './loop.ts';

export interface PruneParams {
  /** Fraction p ∈ (0, 1) of prunable weights to zero. */
  rate: number;
  scope: 'global' | 'layer';
  /** Fine-tuning epochs after pruning (0: none). */
  epochs: number;
  lr: number;
  momentum: number;
  batchSize: number;
}

const DEFAULTS: PruneParams = { rate: 0.5, scope: 'global', epochs: 0, lr: 0.01, momentum: 0.9, batchSize: 64 };

const CHECKS = {
  rate: num(0, 1, { loOpen: true, hiOpen: true }),
  scope: oneOf(['global', 'layer']),
  epochs: epochsCheck,
  lr: positiveNumber,
  momentum: momentumCheck,
  batchSize: batchSizeCheck,
};

const PRUNABLE = new Set(['Conv2D', 'Dense', 'DepthwiseConv2D', 'SeparableConv2D']);
const ONNX_PRUNABLE = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** The kernel variables of conv and dense layers, in layer order, with their stable names. */
export function prunableKernels(model: tf.LayersModel): { name: string; variable: tf.Variable }[] {
  const onnx = model.layers.find((l): l is OnnxGraphLayer => l instanceof OnnxGraphLayer);
  if (onnx) {
    // An imported ONNX graph: the kernels of its Conv, ConvTranspose, Gemm and MatMul nodes.
    return onnx
      .onnxWeights()
      .filter((w) => w.weight.role === 'kernel' && ONNX_PRUNABLE.has(w.weight.op))
      .map((w) => ({ name: w.layerVariable.originalName, variable: w.layerVariable.read() as tf.Variable }));
  }
  return model.layers
    .filter((l) => PRUNABLE.has(l.getClassName()))
    .flatMap((l) => l.weights.filter((w) => /\/kernel$/.test(w.originalName)).map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable })));
}

/**
 * Marks the k smallest |values| (concatenated in order) as pruned. Ties at the threshold are broken
 * by position (earlier first), so the choice is deterministic and exactly k entries are marked.
 */
export function smallestK(values: Float32Array[], k: number): Uint8Array[] {
  const n = values.reduce((s, v) => s + v.length, 0);
  const abs = new Float32Array(n);
  let o = 0;
  for (const v of values) for (let i = 0; i < v.length; i++) abs[o++] = Math.abs(v[i]);
  const masks = values.map((v) => new Uint8Array(v.length).fill(1));
  if (k <= 0) return masks;
  const threshold = abs.slice().sort()[k - 1];
  let below = 0;
  for (let i = 0; i < n; i++) if (abs[i] < threshold) below++;
  let ties = k - below;
  o = 0;
  for (const m of masks) {
    for (let i = 0; i < m.length; i++, o++) {
      if (abs[o] < threshold) m[i] = 0;
      else if (abs[o] === threshold && ties > 0) {
        m[i] = 0;
        ties--;
      }
    }
  }
  return masks;
}

export const pruneAttack: Attack<PruneParams> = {
  id: 'prune',
  description: 'Magnitude pruning of conv/dense kernels (global or per layer), optional mask-keeping fine-tune',
  defaults: DEFAULTS,
  async run(ctx: AttackContext, given: Partial<PruneParams>): Promise<AttackResult> {
    const params = resolveParams('prune', DEFAULTS, given, CHECKS);
    checkContext('prune', ctx);
    const model = cloneModel(ctx.source, ctx.sourceSpec);
    const masks: tf.Tensor[] = [];
    try {
      const named = prunableKernels(model);
      const kernels = named.map((k) => k.variable);
      if (kernels.length === 0) throw new Error('prune: the model has no conv or dense kernels to prune');
      const values = kernels.map((k) => k.dataSync() as Float32Array);
      const total = values.reduce((s, v) => s + v.length, 0);
      const maskArrays = params.scope === 'global'
        ? smallestK(values, Math.round(params.rate * total))
        : values.map((v) => smallestK([v], Math.round(params.rate * v.length))[0]);
      for (let i = 0; i < kernels.length; i++) {
        masks.push(tf.tensor(maskArrays[i], kernels[i].shape, 'bool'));
      }
      // where() rather than a multiply, so that pruned negatives become +0, not -0.
      const applyMasks = () => tf.tidy(() => kernels.forEach((k, i) => k.assign(tf.where(masks[i], k, tf.zerosLike(k)))));
      applyMasks();
      const pruned = maskArrays.reduce((s, m) => s + m.reduce((c, x) => c + (x === 0 ? 1 : 0), 0), 0);
      let steps = 0;
      if (params.epochs > 0) {
        const r = await trainVariables(model, trainableVariables(model), ctx.data, ctx.attackerIndices, {
          epochs: params.epochs,
          batchSize: params.batchSize,
          learningRate: params.lr,
          optimizer: { name: 'sgd', momentum: params.momentum },
          seed: deriveSeed(ctx.seed, 'prune-train'),
          training: true,
          afterStep: applyMasks,
          label: 'prune fine-tune',
        }, ctx);
        steps = r.steps;
      }
      const perLayer = Object.fromEntries(kernels.map((_, i) => {
        const zeros = maskArrays[i].reduce((c, x) => c + (x === 0 ? 1 : 0), 0);
        return [named[i].name, zeros / maskArrays[i].length];
      }));
      return {
        model,
        spec: { ...ctx.sourceSpec },
        record: {
          attack: 'prune',
          params: { ...params },
          seed: ctx.seed,
          details: { prunableWeights: total, prunedWeights: pruned, sparsity: pruned / total, perLayerSparsity: perLayer, steps },
        },
      };
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      tf.dispose(masks);
    }
  },
};
