/**
 * Engine benchmark: forward, train step (SGD-momentum, cross-entropy) and input-gradient step at
 * batch 64 on 28×28×1, for the registry's `cnn` and `resnet`, on tfjs-wasm with our kernels and on
 * PyTorch (Debian's python3-torch, bench/peer/torch_engine.py: the same architectures) with the
 * same thread count, in the same run. Rounds alternate between the two sides so that machine
 * drift hits both; each side's number is the median of its round medians.
 *
 * usage: npm run bench:engine -- [--iters 30] [--warmup 5] [--rounds 3] [--peer-threads 1]
 * writes bench/results/engine.json and bench/results/engine.md
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/tensor/backend.ts';
import { buildModel } from '../src/main/engine/models/architectures.ts';
import { createOptimizer } from '../src/main/engine/models/optimizers.ts';
import { trainStep } from '../src/main/engine/models/training.ts';
import { median, timeMedian } from './timing.ts';

const { values: a } = parseArgs({
  options: {
    iters: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    'peer-threads': { type: 'string', default: '1' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const ITERS = Number(a.iters);
const WARMUP = Number(a.warmup);
const ROUNDS = Number(a.rounds);
const BATCH = 64;
const MODELS = ['cnn', 'resnet'] as const;
const STEPS = ['forward_ms', 'train_step_ms', 'input_grad_ms'] as const;
const TARGETS: Record<(typeof STEPS)[number], number> = { forward_ms: 1.2, train_step_ms: 1.5, input_grad_ms: 1.5 };
type Step = (typeof STEPS)[number];
type Timings = Record<Step, number>;

const time = (fn: () => void): number => timeMedian(fn, ITERS, WARMUP);

function tfjsSide(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor2D) {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = createOptimizer(vars, { name: 'sgd', momentum: 0.9 });
  const inputGrad = tf.grad((xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(xi, { training: false }) as tf.Tensor));
  const steps: Record<Step, () => void> = {
    forward_ms: () => tf.tidy(() => void (model.predict(x) as tf.Tensor).dataSync()),
    train_step_ms: () => void trainStep(model, vars, opt, x, y, 0.01),
    input_grad_ms: () => tf.tidy(() => void inputGrad(x).dataSync()),
  };
  return { steps, dispose: () => opt.dispose() };
}

async function kernelProfile(run: () => void): Promise<{ kernel: string; ms: number }[]> {
  const prof = await tf.profile(run);
  const agg = new Map<string, number>();
  for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  return [...agg.entries()].sort((p, q) => q[1] - p[1]).slice(0, 10).map(([kernel, ms]) => ({ kernel, ms: Number(ms.toFixed(2)) }));
}

function peer(threads: number): { meta: Record<string, unknown>; models: Record<string, Timings> } {
  const r = spawnSync(String(a.python), ['bench/peer/torch_engine.py', '--threads', String(threads), '--batch', String(BATCH), '--iters', String(ITERS), '--warmup', String(WARMUP)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyTorch peer failed (is python3-torch installed? apt-get install python3-torch):\n${r.stderr}`);
  const out = JSON.parse(r.stdout);
  return { meta: { torch: out.torch, threads: out.threads, mkldnn: out.mkldnn }, models: out.models };
}

const engine = await initBackend('wasm');
const peerThreads = Number(a['peer-threads']);
const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
const y = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2) as tf.Tensor1D, 10).toFloat() as tf.Tensor2D);
const sides = Object.fromEntries(MODELS.map((m) => {
  const model = buildModel({ arch: m, inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  return [m, { model, ...tfjsSide(model, x, y) }];
}));

const rounds: { tfjs: Record<string, Timings>; peer: Record<string, Timings> }[] = [];
let peerMeta: Record<string, unknown> = {};
for (let r = 0; r < ROUNDS; r++) {
  const tfjs: Record<string, Timings> = {};
  for (const m of MODELS) tfjs[m] = Object.fromEntries(STEPS.map((s) => [s, time(sides[m].steps[s])])) as Timings;
  const p = peer(peerThreads);
  peerMeta = p.meta;
  rounds.push({ tfjs, peer: p.models });
  console.error(`round ${r + 1}/${ROUNDS}: ${JSON.stringify(tfjs)} | peer ${JSON.stringify(p.models)}`);
}

const profile: Record<string, unknown> = {};
for (const m of MODELS) {
  profile[m] = {
    train_step: await kernelProfile(sides[m].steps.train_step_ms),
    input_grad: await kernelProfile(sides[m].steps.input_grad_ms),
  };
}

const results: Record<string, Record<Step, { tfjs: number; peer: number; ratio: number; target: number; met: boolean }>> = {};
for (const m of MODELS) {
  results[m] = {} as never;
  for (const s of STEPS) {
    const t = median(rounds.map((r) => r.tfjs[m][s]));
    const p = median(rounds.map((r) => r.peer[m][s]));
    const ratio = t / p;
    results[m][s] = { tfjs: Number(t.toFixed(2)), peer: Number(p.toFixed(2)), ratio: Number(ratio.toFixed(2)), target: TARGETS[s], met: ratio <= TARGETS[s] };
  }
}

const cpuModel = cpus()[0]?.model ?? 'unknown';
const out = {
  benchmark: 'engine',
  date: new Date().toISOString(),
  machine: { cpu: cpuModel, cores: cpus().length, node: process.version },
  config: { batch: BATCH, input: [28, 28, 1], iters: ITERS, warmup: WARMUP, rounds: ROUNDS },
  tfjs: { backend: engine.backend, versions: engine.versions, wasm: engine.wasm, threads: 1 },
  peer: { name: 'pytorch', ...peerMeta },
  results,
  profile,
  rounds,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/engine.json', JSON.stringify(out, null, 2) + '\n');

const md: string[] = [
  '# Engine benchmark',
  '',
  `${out.date} · ${cpuModel} (${out.machine.cores} cores) · Node ${process.version} · batch ${BATCH}, 28×28×1 · median of ${ROUNDS} alternating rounds × ${ITERS} iterations`,
  '',
  `tfjs ${engine.versions['@tensorflow/tfjs']} wasm (SIMD ${engine.wasm?.simd ? 'on' : 'off'}, 1 thread: tfjs disables wasm threads in Node) with our kernels (${engine.wasm?.ourKernels.join(', ')}) vs PyTorch ${String(peerMeta.torch)} (${String(peerMeta.threads)} thread${peerMeta.threads === 1 ? '' : 's'}).`,
  '',
  '| model | step | tfjs-wasm ms | PyTorch ms | ratio | target | met |',
  '|---|---|---:|---:|---:|---:|:-:|',
];
for (const m of MODELS) for (const s of STEPS) {
  const r = results[m][s];
  md.push(`| ${m} | ${s.replace('_ms', '')} | ${r.tfjs} | ${r.peer} | ${r.ratio} | ≤ ${r.target} | ${r.met ? 'yes' : 'no'} |`);
}
md.push('', 'Why the resnet misses its targets and what would close the gap: docs/decisions/wasm-gradient-kernels.md.');
md.push('', '## Where the time goes (tfjs kernels, one step, ms)', '');
for (const m of MODELS) {
  const p = profile[m] as Record<string, { kernel: string; ms: number }[]>;
  for (const k of Object.keys(p)) md.push(`- ${m} ${k}: ${p[k].map((e) => `${e.kernel} ${e.ms}`).join(', ')}`);
}
writeFileSync('bench/results/engine.md', md.join('\n') + '\n');
console.log(readFileSync('bench/results/engine.md', 'utf8'));
for (const m of MODELS) sides[m].dispose(), sides[m].model.dispose();
