/**
 * The one training loop of the attacks. trainModel (models/training.ts) always trains every
 * trainable weight in training mode on true labels; attacks need a chosen subset of variables
 * (FTLL/RTLL), inference-mode forward passes (frozen batch-norm), inputs rewritten per batch (PGD),
 * targets that are not the dataset's labels (extraction), and a hook after each step (pruning
 * masks). Same optimizer (createOptimizer: PyTorch semantics) and the same seeded shuffling scheme.
 */
import * as tf from '@tensorflow/tfjs';
import { OnnxGraphLayer } from '../../models/onnx/onnx-layer.ts';
import { createOptimizer, type OptimizerConfig } from '../../models/optimizers.ts';
import { TrainingCancelled } from '../../models/training.ts';
import { batchCount, batchIterator, type Batch } from '../../data/batches.ts';
import { deriveSeed, shuffled } from '../../data/random.ts';
import type { Dataset } from '../../data/types.ts';
import type { AttackContext } from '../types.ts';

export interface LoopConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerConfig;
  /** Seed of the per-epoch shuffles (derived from the attack's seed). */
  seed: number;
  /** Forward mode while training: false keeps batch-norm statistics and dropout frozen. */
  training: boolean;
  /** Softmax temperature of the loss (distillation); the loss is scaled by T² as in Hinton et al. */
  temperature?: number;
  /**
   * Replaces a batch's inputs and/or targets (one-hot or soft, [n, classes]). Returned tensors are
   * disposed by the loop; returning the batch's own tensors is fine. `step` is the global step.
   */
  prepare?: (batch: Batch, step: number) => { x: tf.Tensor4D; y: tf.Tensor2D };
  /** Runs after each optimiser step (e.g. re-applying a pruning mask). */
  afterStep?: () => void;
  /** Prefix of progress messages. */
  label: string;
}

export interface LoopResult {
  steps: number;
  /** Mean loss of the last epoch (NaN when no epoch ran). */
  finalLoss: number;
}

export async function trainVariables(
  model: tf.LayersModel,
  vars: tf.Variable[],
  data: Dataset,
  indices: Int32Array,
  cfg: LoopConfig,
  ctx: Pick<AttackContext, 'onProgress' | 'signal'>,
): Promise<LoopResult> {
  const batches = batchCount(indices.length, cfg.batchSize);
  const total = batches * cfg.epochs;
  const T = cfg.temperature ?? 1;
  let step = 0;
  let finalLoss = NaN;
  if (total === 0) return { steps: 0, finalLoss };
  const optimizer = createOptimizer(vars, cfg.optimizer);
  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const order = shuffled(indices, deriveSeed(cfg.seed, `shuffle-epoch-${epoch}`));
      let lossSum = 0;
      let seen = 0;
      for (const batch of batchIterator(data, order, { batchSize: cfg.batchSize })) {
        if (ctx.signal?.aborted) throw new TrainingCancelled(`(${cfg.label}) at epoch ${epoch}, step ${step + 1} of ${total}`);
        const { x, y } = cfg.prepare ? cfg.prepare(batch, step) : { x: batch.x, y: batch.y };
        try {
          const { value, grads } = tf.variableGrads(() => {
            const logits = model.apply(x, { training: cfg.training }) as tf.Tensor2D;
            const loss = tf.losses.softmaxCrossEntropy(y, T === 1 ? logits : logits.div(T));
            return (T === 1 ? loss : loss.mul(T * T)) as tf.Scalar;
          }, vars);
          optimizer.step(vars.map((v) => grads[v.name]), cfg.learningRate);
          lossSum += value.dataSync()[0] * batch.indices.length;
          tf.dispose([value, ...Object.values(grads)]);
        } finally {
          if (x !== batch.x) x.dispose();
          if (y !== batch.y) y.dispose();
        }
        seen += batch.indices.length;
        cfg.afterStep?.();
        step++;
        ctx.onProgress?.({ done: step, total, message: `${cfg.label}: epoch ${epoch}/${cfg.epochs}, loss ${(lossSum / seen).toFixed(4)}` });
        // Let an abort (UI cancel, Ctrl-C) be delivered between steps.
        if (step % 8 === 0) await new Promise((r) => setImmediate(r));
      }
      finalLoss = lossSum / seen;
    }
  } finally {
    optimizer.dispose();
  }
  return { steps: step, finalLoss };
}

/** The live tf.Variables behind a model's trainable weights whose layer passes `keep`. */
export function trainableVariables(model: tf.LayersModel, keep: (layer: tf.layers.Layer) => boolean = () => true): tf.Variable[] {
  return model.layers.filter(keep).flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
}

/** The logits head: the weights of the last dense / fully connected layer. */
export interface LogitsHead {
  kernel: tf.LayerVariable;
  bias?: tf.LayerVariable;
  /** Its live tf.Variables (what a last-layer attack trains). */
  variables: tf.Variable[];
}

/**
 * The logits head of a model: for a registry model its `<arch>/logits` Dense layer; for an imported
 * ONNX model the kernel (and bias) of the last Gemm / MatMul node of its graph.
 */
export function logitsHead(model: tf.LayersModel): LogitsHead {
  const onnx = model.layers.find((l): l is OnnxGraphLayer => l instanceof OnnxGraphLayer);
  let kernel: tf.LayerVariable | undefined;
  let bias: tf.LayerVariable | undefined;
  if (onnx) {
    const ws = onnx.onnxWeights();
    const k = ws.filter((w) => w.weight.role === 'kernel' && (w.weight.op === 'Gemm' || w.weight.op === 'MatMul')).pop();
    if (!k) throw new Error(`${onnx.name}: the ONNX graph has no Gemm / MatMul weight to serve as the logits layer`);
    kernel = k.layerVariable;
    bias = ws.find((w) => w.weight.role === 'bias' && w.weight.node === k.weight.node)?.layerVariable;
  } else {
    const layer = model.layers.find((l) => l.name.endsWith('/logits')) ?? model.layers[model.layers.length - 1];
    if (layer.getClassName() !== 'Dense') throw new Error(`the model's last layer (${layer.name}) is a ${layer.getClassName()}, not a dense logits layer`);
    [kernel, bias] = layer.trainableWeights;
  }
  return { kernel, bias, variables: [kernel, ...(bias ? [bias] : [])].map((w) => w.read() as tf.Variable) };
}
