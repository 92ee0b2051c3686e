/**
 * GPU benchmark: the engine benchmark's models (cnn, resnet at 28×28×1, batch 64) and a CIFAR
 * ResNet-18 at 32×32×3, batch 256 (forward, train step, input-gradient step), plus the time to make
 * 100 triggers with IPGuard and MFUE at that size, on an accelerated backend (webgpu unless
 * --backend says otherwise) and on wasm with our kernels, in the same run.
 *
 * Trigger time is predicted from the generation plan (bench/gpu-workloads.ts: how many steps of
 * which batch each method makes) times the measured step times, because the methods read tensors
 * synchronously and tfjs-webgpu cannot in Node. The plan is checked in every run: real generate()
 * on wasm, with small parameters on the registry resnet, against the plan's prediction.
 *
 * Where no accelerated backend loads, it measures wasm alone and says why ("no adapter: ...").
 *
 * usage: node bin/run-ts.mjs bench/gpu.ts [--small] [--backend webgpu|node-gpu] [--iters 10]
 *          [--warmup 3] [--wasm-iters 3] [--peak-tflops X] [--out bench/results/gpu]
 * writes OUT.json and OUT.md (bench/results/gpu.{json,md})
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendChoice, type EngineInfo } from '../src/main/engine/tensor/backend.ts';
import { buildModel } from '../src/main/engine/models/architectures.ts';
import { IPGUARD_DEFAULTS, ipguard, type IpguardParams } from '../src/main/engine/methods/ipguard.ts';
import { MFUE_DEFAULTS, mfue, type MfueParams } from '../src/main/engine/methods/mfue.ts';
import { makeSplits } from '../src/main/engine/data/splits.ts';
import { sha256Hex } from '../src/main/engine/data/hash.ts';
import type { Dataset } from '../src/main/engine/data/types.ts';
import type { GenerateContext } from '../src/main/engine/methods/types.ts';
import {
  FLOP_MULTIPLIER, buildResnet18, forwardFlopsPerImage, ipguardPlan, makeSteps, mfuePlan, planMs, timeAsync,
  type PlanEntry, type StepKind,
} from './gpu-workloads.ts';
import { renderGpuReport, type GenResult, type GpuReport, type StepResult } from './gpu-report.ts';

const { values: a } = parseArgs({
  options: {
    small: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'webgpu' },
    iters: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'wasm-iters': { type: 'string', default: '3' },
    'peak-tflops': { type: 'string' },
    out: { type: 'string', default: 'bench/results/gpu' },
  },
});
const SMALL = a.small === true;
const ITERS = Number(a.iters);
const WARMUP = Number(a.warmup);
const WASM_ITERS = Number(a['wasm-iters']);
const ACCEL = parseBackendChoice(a.backend, '--backend');
if (ACCEL === 'auto' || ACCEL === 'cpu') throw new Error('--backend: name the accelerated backend to measure (webgpu, node-gpu, node) or wasm for wasm alone');

/** --small: the same shapes with ResNet-18 at 1/8 of its width and batch 16, for a CPU-only check. */
const R18 = SMALL ? { widths: [8, 16, 32, 64], batch: 16 } : { widths: [64, 128, 256, 512], batch: 256 };
const ENGINE_BATCH = SMALL ? 16 : 64;
const TRIGGERS = 100;
const WASM_MAX_BATCH = 64;
const TARGETS = { trainSpeedup: 20, triggersS: 49 };
const STEPS: StepKind[] = ['forward', 'train_step', 'input_grad'];
// Tiny parameters for checking the plan against real generation on wasm (registry resnet, 32×32×3).
const CHECK: { ipguard: Partial<IpguardParams>; mfue: Partial<MfueParams> } = {
  ipguard: { n: 16, iterations: 10 },
  mfue: { n: 10, mimics: 2, mimicSteps: 2, mimicBatch: 16, mimicAdv: 4, mimicPgdSteps: 2, rounds: 4, stepsPerRound: 2, probes: 16, searchRounds: 1, probeSteps: 2 },
};

/** FP32 (non-tensor-core) peaks: WGSL has no tensor-core path, so this is the ceiling for webgpu. */
function fp32PeakTflops(device: string): { tflops: number; source: string } | null {
  if (a['peak-tflops']) return { tflops: Number(a['peak-tflops']), source: '--peak-tflops' };
  const table: [RegExp, number, string][] = [
    [/H200/i, 66.9, 'NVIDIA H200 datasheet, FP32'],
    [/H100.*PCIe/i, 51.2, 'NVIDIA H100 PCIe datasheet, FP32'],
    [/H100/i, 66.9, 'NVIDIA H100 SXM datasheet, FP32'],
    [/A100/i, 19.5, 'NVIDIA A100 datasheet, FP32'],
  ];
  const hit = table.find(([re]) => re.test(device));
  return hit ? { tflops: hit[1], source: hit[2] } : null;
}

interface ModelCase { id: string; make: () => tf.LayersModel; batch: number; classes: number }
const CASES: ModelCase[] = [
  { id: 'cnn-28x28x1', make: () => buildModel({ arch: 'cnn', inputShape: [28, 28, 1], numClasses: 10, seed: 0 }), batch: ENGINE_BATCH, classes: 10 },
  { id: 'resnet-28x28x1', make: () => buildModel({ arch: 'resnet', inputShape: [28, 28, 1], numClasses: 10, seed: 0 }), batch: ENGINE_BATCH, classes: 10 },
  { id: 'resnet18-32x32x3', make: () => buildResnet18([32, 32, 3], 10, R18.widths, 0), batch: R18.batch, classes: 10 },
];
const R18_ID = 'resnet18-32x32x3';

type StepTimes = Record<string, Record<StepKind, number>>;
interface Side { engine: EngineInfo; steps: StepTimes; planStepMs: Record<string, number>; scaledFrom: Record<string, number> }

/**
 * How a side runs: iterations, warm-up, and the largest batch it runs in one piece. wasm's 32-bit
 * heap cannot hold a full ResNet-18's activations at batch 256 (it aborts): beyond 64 it runs 64 and
 * the time is scaled by batch/64 (what gradient accumulation over micro-batches would cost; wasm is
 * one thread and compute-bound, so time is linear in the batch there).
 */
interface SideOptions { iters: number; warmup: number; maxBatch: number }

/** Times step kinds of a fresh model (each side builds its own: no tensor crosses backends). */
async function measure(make: () => tf.LayersModel, batch: number, classes: number, kinds: StepKind[], o: SideOptions): Promise<Record<string, number>> {
  const run = Math.min(batch, o.maxBatch);
  const model = make();
  const steps = makeSteps(model, run, classes, 1);
  const out: Record<string, number> = {};
  try {
    // Every kind is warmed up before any is timed: the first train step grows wasm's heap (and
    // compiles the GPU's shaders), which would otherwise land inside an earlier kind's timing.
    for (const k of kinds) for (let i = 0; i < o.warmup; i++) await steps.run(k);
    for (const k of kinds) out[k] = ((await timeAsync(() => steps.run(k), o.iters, 0)) * batch) / run;
  } finally {
    steps.dispose();
    model.dispose();
  }
  return out;
}

/** Copying a model as cloneModel does (build from scratch, copy every weight), with async reads. */
async function timeClone(make: () => tf.LayersModel, iters: number): Promise<number> {
  const src = make();
  const ts: number[] = [];
  for (let i = 0; i < Math.max(1, Math.min(iters, 3)); i++) {
    const t = performance.now();
    const copy = make();
    const vals = await Promise.all(src.weights.map(async (w) => tf.tensor(await w.read().data(), w.shape as number[])));
    copy.setWeights(vals);
    await copy.weights[copy.weights.length - 1].read().data();
    ts.push(performance.now() - t);
    tf.dispose(vals);
    copy.dispose();
  }
  src.dispose();
  return ts.sort((p, q) => p - q)[Math.floor(ts.length / 2)];
}

const planKey = (e: PlanEntry) => (e.kind === 'clone' ? 'clone' : `${e.kind}@${e.batch}`);

/** The step times a plan needs, measured on `make`'s model, keyed by planKey. */
async function measurePlan(make: () => tf.LayersModel, classes: number, plans: PlanEntry[][], o: SideOptions): Promise<Record<string, number>> {
  const need = new Map<string, PlanEntry>();
  for (const e of plans.flat()) need.set(planKey(e), e);
  const out: Record<string, number> = {};
  const ran = new Map<string, number>(); // per-image ms of a (kind, batch actually run): scaled batches share one run
  for (const [key, e] of need) {
    if (e.kind === 'clone') out[key] = await timeClone(make, o.iters);
    else {
      const runKey = `${e.kind}@${Math.min(e.batch, o.maxBatch)}`;
      if (!ran.has(runKey)) ran.set(runKey, (await measure(make, e.batch, classes, [e.kind], o))[e.kind] / e.batch);
      out[key] = ran.get(runKey)! * e.batch;
    }
    console.error(`  ${key}: ${out[key].toFixed(1)} ms`);
  }
  return out;
}

const PLANS = { ipguard: ipguardPlan({ ...IPGUARD_DEFAULTS, n: TRIGGERS }), mfue: mfuePlan({ ...MFUE_DEFAULTS, n: TRIGGERS }) };

async function runSide(backend: 'wasm' | typeof ACCEL, o: SideOptions): Promise<Side> {
  const engine = await initBackend(backend);
  console.error(`== ${engine.backend}${engine.webgpu ? ` on ${engine.webgpu.adapter.description}` : ''}`);
  const steps: StepTimes = {};
  const scaledFrom: Record<string, number> = {};
  for (const c of CASES) {
    steps[c.id] = (await measure(c.make, c.batch, c.classes, STEPS, o)) as Record<StepKind, number>;
    if (c.batch > o.maxBatch) scaledFrom[c.id] = o.maxBatch;
    console.error(`  ${c.id} batch ${c.batch}${c.batch > o.maxBatch ? ` (run at ${o.maxBatch}, scaled)` : ''}: ${JSON.stringify(steps[c.id])}`);
  }
  const r18 = CASES.find((c) => c.id === R18_ID)!;
  const planStepMs = await measurePlan(r18.make, r18.classes, Object.values(PLANS), o);
  return { engine, steps, planStepMs, scaledFrom };
}

/** Self-labelled synthetic 32×32×3 data: the source is right on every sample, as base selection assumes. */
function syntheticData(model: tf.LayersModel, n: number): Dataset {
  const images = tf.tidy(() => tf.randomUniform([n, 32, 32, 3], 0, 1, 'float32', 5).dataSync() as Float32Array).slice();
  const labels = Uint8Array.from(tf.tidy(() => (model.predict(tf.tensor4d(images, [n, 32, 32, 3])) as tf.Tensor).argMax(-1).dataSync()));
  const sha256 = sha256Hex(new Uint8Array(images.buffer));
  return {
    id: 'folder', name: 'synthetic 32×32×3 (bench)', inputShape: [32, 32, 3], numClasses: 10, classNames: [...Array(10).keys()].map(String),
    images, labels, source: { kind: 'folder', path: 'synthetic', sha256, files: [], warnings: [] },
  };
}

/** Real generate() on wasm with small parameters against the plan's prediction from measured steps. */
async function checkPlans(): Promise<Record<string, { measuredS: number; predictedS: number; ratio: number; params: object }>> {
  await initBackend('wasm');
  const spec = { arch: 'resnet' as const, inputShape: [32, 32, 3] as [number, number, number], numClasses: 10, seed: 0 };
  const source = buildModel(spec);
  const data = syntheticData(source, 256);
  const splits = makeSplits(data, { seed: 1, unit: 'count', sizes: { ownerTrain: 192, attacker: 32, test: 32 } });
  const ctx: GenerateContext = { source: { model: source, spec, sha256: 'bench' }, data, splits, seed: 3 };
  const plans = { ipguard: ipguardPlan({ ...IPGUARD_DEFAULTS, ...CHECK.ipguard }), mfue: mfuePlan({ ...MFUE_DEFAULTS, ...CHECK.mfue }) };
  const stepMs = await measurePlan(() => buildModel(spec), 10, Object.values(plans), { iters: 10, warmup: 2, maxBatch: Infinity });
  const out: Record<string, { measuredS: number; predictedS: number; ratio: number; params: object }> = {};
  for (const [id, method] of [['ipguard', ipguard], ['mfue', mfue]] as const) {
    const params = CHECK[id];
    const t = performance.now();
    await (method.generate as (c: GenerateContext, p: object) => Promise<unknown>)(ctx, params);
    const measuredS = (performance.now() - t) / 1000;
    const predictedS = planMs(plans[id], (e) => stepMs[planKey(e)]) / 1000;
    out[id] = { measuredS: round(measuredS), predictedS: round(predictedS), ratio: round(measuredS / predictedS), params };
    console.error(`  plan check ${id}: measured ${measuredS.toFixed(2)} s, predicted ${predictedS.toFixed(2)} s`);
  }
  source.dispose();
  return out;
}

const round = (x: number, d = 3) => Number(x.toPrecision(d + 1));

async function main(): Promise<void> {
  let accel: Side | null = null;
  let reason = ACCEL === 'wasm' ? 'wasm requested (--backend wasm)' : '';
  if (ACCEL !== 'wasm') {
    try {
      accel = await runSide(ACCEL, { iters: ITERS, warmup: WARMUP, maxBatch: Infinity });
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      if (!/could not be loaded/.test(msg)) throw err;
      reason = `no adapter: ${msg.replace(/^backend "[^"]+" could not be loaded: /, '').replace(/ \(on Linux Dawn needs.*$/, '')}`;
      console.error(`== ${ACCEL} skipped: ${reason}`);
    }
  }
  // One warm-up: wasm compiles nothing at run time.
  const wasm = await runSide('wasm', { iters: WASM_ITERS, warmup: 1, maxBatch: SMALL ? Infinity : WASM_MAX_BATCH });
  const planCheck = await checkPlans();

  const device = accel?.engine.webgpu?.adapter.description || accel?.engine.webgpu?.adapter.device || '';
  const peak = accel ? fp32PeakTflops(device) : null;
  const models: GpuReport['models'] = {};
  for (const c of CASES) {
    const counted = c.make();
    const flopsPerImage = forwardFlopsPerImage(counted);
    counted.dispose();
    const steps: Record<string, StepResult> = {};
    for (const s of STEPS) {
      const flops = flopsPerImage * c.batch * FLOP_MULTIPLIER[s];
      const w = wasm.steps[c.id][s];
      const g = accel?.steps[c.id][s];
      steps[s] = {
        gflop: round(flops / 1e9),
        wasm: { ms: round(w), gflops: round(flops / w / 1e6) },
        ...(g !== undefined ? { accel: { ms: round(g), tflops: round(flops / g / 1e9), pctPeak: peak ? round((100 * flops) / g / 1e9 / peak.tflops) : null }, speedup: round(w / g) } : {}),
      };
    }
    models[c.id] = { batch: c.batch, flopsPerImage, steps, ...(wasm.scaledFrom[c.id] ? { wasmRunAtBatch: wasm.scaledFrom[c.id] } : {}) };
  }
  const generation: Record<string, GenResult> = {};
  for (const [id, plan] of Object.entries(PLANS)) {
    const wasmS = planMs(plan, (e) => wasm.planStepMs[planKey(e)]) / 1000;
    const accelS = accel ? planMs(plan, (e) => accel!.planStepMs[planKey(e)]) / 1000 : null;
    generation[id] = {
      triggers: TRIGGERS, plan, wasmS: round(wasmS),
      ...(accelS !== null ? { accelS: round(accelS), speedup: round(wasmS / accelS), targetS: TARGETS.triggersS, met: accelS < TARGETS.triggersS } : {}),
    };
  }
  const r18Train = models[R18_ID].steps.train_step.speedup;
  const out: GpuReport & Record<string, unknown> = {
    benchmark: 'gpu', date: new Date().toISOString(), small: SMALL,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    config: { iters: ITERS, warmup: WARMUP, wasmIters: WASM_ITERS, resnet18: R18, engineBatch: ENGINE_BATCH },
    accelerated: accel ? { backend: accel.engine.backend, device, peak, engine: accel.engine } : { backend: null, reason },
    wasm: { engine: wasm.engine },
    models, generation,
    planCheck,
    planStepMs: { wasm: wasm.planStepMs, ...(accel ? { accel: accel.planStepMs } : {}) },
    targets: accel ? { resnet18TrainSpeedup: { target: TARGETS.trainSpeedup, value: r18Train, met: (r18Train ?? 0) >= TARGETS.trainSpeedup } } : null,
  };
  mkdirSync(dirname(String(a.out)), { recursive: true });
  writeFileSync(`${a.out}.json`, JSON.stringify(out, null, 2) + '\n');
  writeFileSync(`${a.out}.md`, renderGpuReport(out));
  console.log(`wrote ${a.out}.json and ${a.out}.md`);
}

// No top-level await: the device run bundles this file as CommonJS (docs/decisions/webgpu-backend.md).
main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
