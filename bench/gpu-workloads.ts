/**
 * What bench/gpu.ts runs: a CIFAR-style ResNet-18, analytic FLOP counts, the timed steps (reading
 * results asynchronously, the only way a GPU backend can be read in Node), and the step plans of
 * trigger generation (how many forward / input-gradient / train steps of which batch IPGuard and
 * MFUE make for given parameters, read off src/main/engine/methods/{ipguard,mfue,common}.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2d } from '../src/main/engine/models/tape-aware-conv2d.ts';
import { createOptimizer } from '../src/main/engine/models/optimizers.ts';
import type { IpguardParams } from '../src/main/engine/methods/ipguard.ts';
import type { MfueParams } from '../src/main/engine/methods/mfue.ts';

// ---------------------------------------------------------------------------------------------
// ResNet-18 as used on CIFAR (He et al. 2016; the fingerprinting papers' source model): a 3×3 stem
// at stride 1 without max-pool, four stages of two basic blocks, global average pool, logits. Built
// here, not in the registry, whose resnet has three stages; same layer kinds as the registry's.

export function buildResnet18(shape: [number, number, number], numClasses: number, widths: number[], seed: number): tf.LayersModel {
  let n = 0;
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + n++ });
  const conv = (f: number, k: number, s: number) => conv2d({ filters: f, kernelSize: k, strides: s, padding: 'same', useBias: false, kernelInitializer: init() });
  const bn = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  const relu = () => tf.layers.activation({ activation: 'relu' });
  const apply = (x: tf.SymbolicTensor, ...ls: tf.layers.Layer[]) => ls.reduce((t, l) => l.apply(t) as tf.SymbolicTensor, x);
  const input = tf.input({ shape });
  let x = apply(input, conv(widths[0], 3, 1), bn(), relu());
  widths.forEach((w, stage) => {
    for (let b = 0; b < 2; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const y = apply(x, conv(w, 3, stride), bn(), relu(), conv(w, 3, 1), bn());
      const short = stride !== 1 || (x.shape[3] as number) !== w ? apply(x, conv(w, 1, stride), bn()) : x;
      x = apply(tf.layers.add().apply([y, short]) as tf.SymbolicTensor, relu());
    }
  });
  x = apply(x, tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  return tf.model({ inputs: input, outputs: x });
}

/**
 * Forward FLOPs per image, from the layer shapes: 2·(multiply-adds) of every convolution
 * (2·H_out·W_out·k_h·k_w·C_in·C_out) and dense layer (2·in·out). Batch norm, ReLU, adds and pooling
 * are elementwise (< 2 % of a ResNet's) and not counted, so achieved FLOP/s are slight underestimates.
 */
export function forwardFlopsPerImage(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'Dense') continue;
    const kernel = layer.getWeights()[0].shape as number[];
    const out = layer.outputShape as number[];
    const macs = cls === 'Conv2D' ? out[1] * out[2] * kernel[0] * kernel[1] * kernel[2] * kernel[3] : kernel[0] * kernel[1];
    flops += 2 * macs;
  }
  return flops;
}

export type StepKind = 'forward' | 'input_grad' | 'train_step';
/**
 * FLOPs of a step as multiples of the forward pass: an input gradient is a forward plus the
 * backward data pass (each convolution's transposed convolution: the same multiply-adds); a train
 * step adds the weight gradients (again the same). Our layers skip the filter gradients of an input
 * gradient (tape-aware-conv2d.ts), so 2× and 3× are what actually runs.
 */
export const FLOP_MULTIPLIER: Record<StepKind, number> = { forward: 1, input_grad: 2, train_step: 3 };

// ---------------------------------------------------------------------------------------------
// Timed steps. Each awaits a read that depends on its last kernel: tfjs queues GPU work and returns
// at once, and the GPU runs its queue in order, so the read's completion is the step's completion.

export interface Steps {
  run(kind: StepKind): Promise<void>;
  dispose(): void;
}

export function makeSteps(model: tf.LayersModel, batch: number, numClasses: number, seed: number): Steps {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const x = tf.randomUniform([batch, ...shape], 0, 1, 'float32', seed);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, numClasses, 'int32', seed + 1) as tf.Tensor1D, numClasses).toFloat());
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = createOptimizer(vars, { name: 'sgd', momentum: 0.9 });
  const inputGrad = tf.grad((xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(xi, { training: false }) as tf.Tensor));
  const steps: Record<StepKind, () => Promise<void>> = {
    forward: async () => {
      const out = model.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    },
    input_grad: async () => {
      const s = tf.tidy(() => tf.sum(inputGrad(x)));
      await s.data();
      s.dispose();
    },
    // The engine's trainStep (models/training.ts) with its two synchronous reads made asynchronous.
    train_step: async () => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      opt.step(vars.map((v) => grads[v.name]), 0.01);
      await vars[vars.length - 1].data();
      tf.dispose([value, ...Object.values(grads)]);
    },
  };
  return { run: (kind) => steps[kind](), dispose: () => (tf.dispose([x, y]), opt.dispose()) };
}

export const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/** Median wall time in ms of `iters` awaited calls, after `warmup` (shader compilation happens there). */
export async function timeAsync(fn: () => Promise<void>, iters: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

// ---------------------------------------------------------------------------------------------
// Generation plans

export interface PlanEntry {
  kind: StepKind | 'clone';
  batch: number;
  count: number;
  what: string;
}

/**
 * IPGuard: base selection (common.ts chooseBaseSamples: one chunk of 2n if the source is right on
 * n of them, then the n bases again), `iterations` Adam steps on the input (an upper bound: a
 * point stops at zero loss and generation when all have), the labels of the stored triggers.
 * The Adam update itself is elementwise and not counted.
 */
export function ipguardPlan(p: IpguardParams): PlanEntry[] {
  return [
    { kind: 'forward', batch: Math.min(256, Math.max(2 * p.n, 64)), count: 1, what: 'base selection' },
    { kind: 'forward', batch: p.n, count: 2, what: 'base logits, trigger labels' },
    { kind: 'input_grad', batch: p.n, count: p.iterations, what: 'Adam steps (upper bound: early stop)' },
  ];
}

/**
 * MFUE (mfue.ts generate): mimic fine-tuning (each SGD step on mimicBatch + mimicAdv inputs after
 * mimicPgdSteps PGD steps on mimicAdv of them), a clone per snapshot plus the working copy, the
 * unlearnable sign descent, diagnostics (clean and trigger logits on source and every mimic), the
 * white-box reference, probe directions, and the label-only reference: (searchRounds + 2)·n·probes
 * source forwards in batches of 256 (classifier-oracle.ts).
 */
export function mfuePlan(p: MfueParams): PlanEntry[] {
  const sgd = p.mimics * p.mimicSteps;
  const models = 1 + p.mimics;
  return [
    { kind: 'forward', batch: Math.min(256, Math.max(2 * p.n, 64)), count: 1, what: 'base selection' },
    { kind: 'forward', batch: p.n, count: 1 + 2 * models + 2, what: 'base logits, diagnostics, white-box reference, labels' },
    { kind: 'input_grad', batch: p.mimicAdv, count: sgd * p.mimicPgdSteps, what: 'mimic PGD steps' },
    { kind: 'train_step', batch: p.mimicBatch + p.mimicAdv, count: sgd, what: 'mimic SGD steps' },
    { kind: 'clone', batch: 0, count: models, what: 'model copies (working copy, snapshots)' },
    { kind: 'input_grad', batch: p.n, count: p.rounds * p.stepsPerRound + p.probeSteps, what: 'unlearnable sign steps, probe directions' },
    { kind: 'forward', batch: 256, count: ((p.searchRounds + 2) * p.n * p.probes) / 256, what: 'label-only reference (α search, hits)' },
  ].filter((e) => e.count > 0 && (e.kind === 'clone' || e.batch > 0)) as PlanEntry[];
}

/** Predicted generation time: Σ count × the measured time of that step. */
export function planMs(plan: PlanEntry[], stepMs: (e: PlanEntry) => number): number {
  return plan.reduce((s, e) => s + e.count * stepMs(e), 0);
}
