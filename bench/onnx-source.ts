/**
 * An ONNX source against the same model native in tfjs: the committed twin fixtures
 * (tests/fixtures/onnx/source: a cnn trained by Provenant, `tfjs/`, and its PyTorch export,
 * `model.onnx`, same weights). Measured on both, in the same run, alternating: forward, train step
 * (SGD, cross-entropy) and input-gradient step at batch 64, and the time to generate 100 triggers
 * with IPGuard, ADV-TRA and MFUE (gradient-heavy: mimic training + PGD through the source) — plus
 * whether the two trigger sets agree (same split and seed: they should, up to float rounding).
 *
 * usage: node bin/run-ts.mjs bench/onnx-source.ts [--rounds 3] [--iters 20] [--out bench/results]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/tensor/backend.ts';
import { loadSourceEnv, type SourceEnv } from '../src/main/engine/lab/lab-env.ts';
import { generateWith } from '../src/main/engine/methods/generate-job.ts';
import { createOptimizer } from '../src/main/engine/models/optimizers.ts';
import { median, timeMedian } from './timing.ts';

const { values: a } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, iters: { type: 'string', default: '20' }, out: { type: 'string', default: 'bench/results' } } });
const ROUNDS = Number(a.rounds);
const ITERS = Number(a.iters);
const engine = await initBackend('wasm');
const FIX = resolve('tests/fixtures/onnx/source');
const native = await loadSourceEnv(join(FIX, 'tfjs'));
// The ONNX file with the twin's own recorded split, so both sides generate from the same owner data.
const onnx: SourceEnv = await loadSourceEnv(join(FIX, 'model.onnx'), 'mnist', undefined, { splitSeed: native.splits.record.config.seed });
onnx.splits = native.splits;
const sides = { native, onnx } as const;
type Side = keyof typeof sides;

const x = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2) as tf.Tensor1D, 10) as tf.Tensor2D;
function steps(env: SourceEnv) {
  const m = env.source;
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const saved = vars.map((v) => v.clone());
  const opt = createOptimizer(vars, { name: 'sgd', momentum: 0.9 });
  const loss = (xx: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, m.apply(xx, { training: true }) as tf.Tensor2D) as tf.Scalar;
  const r = {
    forward_ms: timeMedian(() => tf.tidy(() => void (m.predict(x) as tf.Tensor).dataSync()), ITERS, 3),
    train_step_ms: timeMedian(() => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss(x), vars);
      opt.step(vars.map((v) => grads[v.name]), 0.01);
      value.dataSync();
    }), ITERS, 3),
    input_grad_ms: timeMedian(() => tf.tidy(() => void tf.grad((xx: tf.Tensor) => loss(xx))(x).dataSync()), ITERS, 3),
  };
  vars.forEach((v, i) => v.assign(saved[i])); // the source is used for generation next: undo the steps
  tf.dispose(saved);
  opt.dispose();
  return r;
}

const STEP_KEYS = ['forward_ms', 'train_step_ms', 'input_grad_ms'] as const;
const METHODS = ['ipguard', 'adv-tra', 'mfue'] as const;
const t: Record<Side, Record<string, number[]>> = { native: {}, onnx: {} };
const push = (s: Side, k: string, v: number) => (t[s][k] ??= []).push(v);
const agreement: Record<string, { inputsMaxDiff: number; labelsEqual: number }> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const side of (r % 2 ? ['onnx', 'native'] : ['native', 'onnx']) as Side[]) {
    const s = steps(sides[side]);
    for (const k of STEP_KEYS) push(side, k, s[k]);
  }
  for (const method of METHODS) {
    const sets: Partial<Record<Side, Awaited<ReturnType<typeof generateWith>>['set']>> = {};
    for (const side of (r % 2 ? ['onnx', 'native'] : ['native', 'onnx']) as Side[]) {
      const g = await generateWith(sides[side], null, { method, seed: 1 });
      push(side, `generate_${method}_s`, g.seconds);
      sets[side] = g.set;
      console.error(`round ${r + 1} ${method} ${side}: ${g.seconds.toFixed(1)} s`);
    }
    if (r === 0) {
      const [p, q] = [sets.native!, sets.onnx!];
      let d = 0;
      for (let i = 0; i < p.inputs.length; i++) d = Math.max(d, Math.abs(p.inputs[i] - q.inputs[i]));
      agreement[method] = { inputsMaxDiff: d, labelsEqual: p.labels.filter((l, i) => l === q.labels[i]).length / p.labels.length };
    }
  }
}
const keys = Object.keys(t.native);
const result = {
  date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model }, engine, rounds: ROUNDS, iters: ITERS,
  models: { native: 'tests/fixtures/onnx/source/tfjs (cnn, width 0.5)', onnx: 'tests/fixtures/onnx/source/model.onnx (its PyTorch 1.13 export, NCHW)' },
  rows: keys.map((k) => ({ measure: k, native: median(t.native[k]), onnx: median(t.onnx[k]), ratio: median(t.onnx[k]) / median(t.native[k]) })),
  agreement,
};
mkdirSync(a.out!, { recursive: true });
writeFileSync(join(a.out!, 'onnx-source.json'), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(a.out!, 'onnx-source.md'), [
  '# ONNX source vs the same model native in tfjs',
  '',
  `${result.date}, ${result.machine.cpus} × ${result.machine.model}, backend ${engine.backend}; medians of ${ROUNDS} alternating rounds (steps: ${ITERS} iterations each, batch 64). Native: ${result.models.native}; ONNX: ${result.models.onnx}.`,
  '',
  '| measure | native tfjs | imported ONNX | ONNX / native |',
  '|---|---|---|---|',
  ...result.rows.map((r) => `| ${r.measure} | ${r.native.toFixed(r.measure.endsWith('_s') ? 2 : 1)} | ${r.onnx.toFixed(r.measure.endsWith('_s') ? 2 : 1)} | ${r.ratio.toFixed(2)} |`),
  '',
  'Trigger sets from the two sources (same split, same seed): ' + Object.entries(agreement).map(([m, g]) => `${m}: max |Δ input| ${g.inputsMaxDiff.toExponential(1)}, labels equal ${(g.labelsEqual * 100).toFixed(0)} %`).join('; ') + '.',
  '',
].join('\n'));
console.error(`wrote ${join(a.out!, 'onnx-source.md')}`);
tf.dispose([x, y]);
