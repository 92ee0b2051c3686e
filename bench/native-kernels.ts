/**
 * Before/after timings of the native kernels (src/main/engine/tensor/native) against the
 * JavaScript loops they replaced (js-oracle-kernels.ts), in one process, rounds alternating so
 * that machine drift hits both sides. Not a test (vitest does not pick it up) and not the official
 * benchmark (bench/engine.ts).
 *
 * usage: node bin/run-ts.mjs bench/native-kernels.ts [--rounds 5] [--iters 30] [--warmup 5] [--only kernels|steps]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/tensor/backend.ts';
import { buildModel } from '../src/main/engine/models/architectures.ts';
import { createOptimizer } from '../src/main/engine/models/optimizers.ts';
import { trainStep } from '../src/main/engine/models/training.ts';
import { jsConfigs, jsWrapBatchMatMul, jsWrapReduce } from '../tests/unit/engine/tensor/js-oracle-kernels.ts';
import { median, timeMedian } from './timing.ts';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    iters: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const ROUNDS = Number(opt.rounds);
const ITERS = Number(opt.iters);
const WARMUP = Number(opt.warmup);

// The backend's own kernels, captured before registerWasmKernels() replaces them. "Before" is the
// engine as it was before the native module: our JS-loop kernels for the gradients, Sum/Mean and
// transposed BatchMatMul, the backend's own kernels for everything else.
const WRAPPED = ['BatchMatMul', 'Sum', 'Mean', 'Tile', 'Conv2D', 'FusedConv2D', 'Add', 'Sub', 'Multiply', 'RealDiv', 'FusedBatchNorm', 'Identity'];
const NAMES = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', ...WRAPPED];
const original = Object.fromEntries(WRAPPED.map((n) => [n, tf.getKernel(n, 'wasm')!]));
await initBackend('wasm');
const ours = Object.fromEntries(NAMES.map((n) => [n, tf.getKernel(n, 'wasm')!]));
const before: Record<string, tf.KernelConfig> = {
  ...Object.fromEntries(jsConfigs.map((c) => [c.kernelName, c])),
  BatchMatMul: jsWrapBatchMatMul(original.BatchMatMul),
  Sum: jsWrapReduce(original.Sum, false),
  Mean: jsWrapReduce(original.Mean, true),
  ...Object.fromEntries(['Tile', 'Conv2D', 'FusedConv2D', 'Add', 'Sub', 'Multiply', 'RealDiv', 'FusedBatchNorm', 'Identity'].map((n) => [n, original[n]])),
};
function use(set: Record<string, tf.KernelConfig>): void {
  for (const n of NAMES) {
    tf.unregisterKernel(n, 'wasm');
    tf.registerKernel(set[n]);
  }
}

const time = (fn: () => void): number => timeMedian(fn, ITERS, WARMUP);
/** Median over rounds of each side's per-round median; the sides alternate within each round. */
function compare(name: string, sides: Record<'before' | 'after', () => void>): void {
  const r: Record<string, number[]> = { before: [], after: [] };
  for (let i = 0; i < ROUNDS; i++) for (const s of ['before', 'after'] as const) r[s].push(time(sides[s]));
  const b = median(r.before);
  const a = median(r.after);
  console.log(`| ${name} | ${b.toFixed(3)} | ${a.toFixed(3)} | ${(b / a).toFixed(1)}× |`);
}

function kernelCase(kernel: string, inputs: Record<string, number[]>, attrs: Record<string, unknown>): Record<'before' | 'after', () => void> {
  const ts = Object.fromEntries(Object.entries(inputs).map(([k, s]) => {
    const t = tf.randomNormal(s, 0, 1, 'float32', 1);
    return [k, k === 'variance' ? tf.tidy(() => tf.square(t).add(0.1)) : t];
  }));
  const backend = tf.backend() as unknown as { disposeData(id: object): void };
  const run = (c: tf.KernelConfig) => () => {
    const out = c.kernelFunc({ inputs: ts, backend: backend as never, attrs: attrs as never }) as tf.TensorInfo;
    backend.disposeData(out.dataId);
  };
  return { before: run(before[kernel]), after: run(ours[kernel]) };
}

function convCases(label: string, x: [number, number, number, number], f: [number, number, number, number], s: number, pad: 'valid' | 'same') {
  const y = tf.tidy(() => tf.conv2d(tf.zeros(x) as tf.Tensor4D, tf.zeros(f) as tf.Tensor4D, s, pad).shape);
  const common = { strides: [s, s], pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  compare(`${label} Conv2D`, kernelCase('Conv2D', { x, filter: f }, { ...common, dilations: 1 }));
  compare(`${label} Conv2DBackpropFilter`, kernelCase('Conv2DBackpropFilter', { x, dy: y }, { ...common, filterShape: f }));
  if (x[3] > 1) compare(`${label} Conv2DBackpropInput`, kernelCase('Conv2DBackpropInput', { dy: y, filter: f }, { ...common, inputShape: x }));
}

if (opt.only !== 'steps') {
  console.log(`\nper kernel, ms (median of ${ROUNDS} rounds × median of ${ITERS})\n\n| kernel | JS loops | native | speed-up |\n|---|---:|---:|---:|`);
  convCases('cnn conv1 x[64,28,28,1] f[3,3,1,16] valid', [64, 28, 28, 1], [3, 3, 1, 16], 1, 'valid');
  compare('cnn pool1 [64,26,26,16] 2×2/2 MaxPoolGrad', kernelCase('MaxPoolGrad', { dy: [64, 13, 13, 16], input: [64, 26, 26, 16] }, { filterSize: 2, strides: 2, pad: 'valid' }));
  convCases('cnn conv2 x[64,13,13,16] f[3,3,16,32] valid', [64, 13, 13, 16], [3, 3, 16, 32], 1, 'valid');
  compare('cnn pool2 [64,11,11,32] 2×2/2 MaxPoolGrad', kernelCase('MaxPoolGrad', { dy: [64, 5, 5, 32], input: [64, 11, 11, 32] }, { filterSize: 2, strides: 2, pad: 'valid' }));
  compare('cnn conv1 bias Sum [64,26,26,16] axes 0-2', kernelCase('Sum', { x: [64, 26, 26, 16] }, { axis: [0, 1, 2], keepDims: false }));
  compare('cnn fc1 dW MatMul [800,64]ᵀ·[64,64] tA', kernelCase('BatchMatMul', { a: [1, 64, 800], b: [1, 64, 64] }, { transposeA: true, transposeB: false }));
  compare('cnn fc1 dx MatMul [64,64]·[800,64]ᵀ tB', kernelCase('BatchMatMul', { a: [1, 64, 64], b: [1, 800, 64] }, { transposeA: false, transposeB: true }));
  convCases('resnet x[64,28,28,16] f[3,3,16,16] s1 same', [64, 28, 28, 16], [3, 3, 16, 16], 1, 'same');
  convCases('resnet x[64,28,28,16] f[3,3,16,32] s2 same', [64, 28, 28, 16], [3, 3, 16, 32], 2, 'same');
  convCases('resnet x[64,14,14,32] f[3,3,32,32] s1 same', [64, 14, 14, 32], [3, 3, 32, 32], 1, 'same');
  convCases('resnet x[64,14,14,32] f[3,3,32,64] s2 same', [64, 14, 14, 32], [3, 3, 32, 64], 2, 'same');
  convCases('resnet x[64,7,7,64] f[3,3,64,64] s1 same', [64, 7, 7, 64], [3, 3, 64, 64], 1, 'same');
  convCases('resnet proj x[64,28,28,16] f[1,1,16,32] s2', [64, 28, 28, 16], [1, 1, 16, 32], 2, 'same');
  convCases('resnet proj x[64,14,14,32] f[1,1,32,64] s2', [64, 14, 14, 32], [1, 1, 32, 64], 2, 'same');
  compare('resnet bn Mean [64,28,28,16] axes 0-2', kernelCase('Mean', { x: [64, 28, 28, 16] }, { axis: [0, 1, 2], keepDims: true }));
  compare('resnet bn-grad Tile [1,1,1,16]→[64,28,28,16]', kernelCase('Tile', { x: [1, 1, 1, 16] }, { reps: [64, 28, 28, 1] }));
  compare('resnet bn FusedBatchNorm [64,28,28,16]', kernelCase('FusedBatchNorm', { x: [64, 28, 28, 16], mean: [16], variance: [16], scale: [16], offset: [16] }, { varianceEpsilon: 1e-5 }));
  compare('resnet bn-grad Multiply [64,28,28,16]·[16]', kernelCase('Multiply', { a: [64, 28, 28, 16], b: [16] }, {}));
  compare('resnet Identity [64,28,28,16]', kernelCase('Identity', { x: [64, 28, 28, 16] }, {}));
}

if (opt.only !== 'kernels') {
  const x = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2) as tf.Tensor1D, 10).toFloat() as tf.Tensor2D);
  console.log(`\ntrain step (SGD momentum, batch 64), ms (median of ${ROUNDS} rounds × median of ${ITERS})\n\n| model | JS loops | native | speed-up |\n|---|---:|---:|---:|`);
  for (const arch of ['cnn', 'resnet'] as const) {
    const model = buildModel({ arch, inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const o = createOptimizer(vars, { name: 'sgd', momentum: 0.9 });
    const step = () => void trainStep(model, vars, o, x, y, 0.01);
    const r: Record<string, number[]> = { before: [], after: [] };
    const rounds = arch === 'resnet' ? Math.max(1, Math.ceil(ROUNDS / 2)) : ROUNDS;
    for (let i = 0; i < rounds; i++) {
      use(before);
      r.before.push(time(step));
      use(ours);
      r.after.push(time(step));
    }
    const b = median(r.before);
    const a = median(r.after);
    console.log(`| ${arch} | ${b.toFixed(2)} | ${a.toFixed(2)} | ${(b / a).toFixed(2)}× |`);
    o.dispose();
  }
}
