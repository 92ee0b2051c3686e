/**
 * The ONNX oracle against committed fixtures (tests/fixtures/onnx, see its README): PyTorch twins of
 * two tiny tfjs models, exported to ONNX. A twin must answer what its tfjs model answers, whatever
 * its input layout, once the declared preprocessing is applied.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/models/model-io.ts';
import { predictLogits, predictProbabilities } from '../../../../src/main/engine/models/predict.ts';
import { loadMnist } from '../../../../src/main/engine/data/mnist.ts';
import { reproduceSplits } from '../../../../src/main/engine/data/splits.ts';
import type { Dataset, DatasetSplits, SplitRecord } from '../../../../src/main/engine/data/types.ts';
import { modelClassifier } from '../../../../src/main/engine/lab/classifier.ts';
import { classifierSuspect } from '../../../../src/main/engine/suspects/classifier-suspect.ts';
import { accountedSuspect, inputHash } from '../../../../src/main/engine/suspects/accounted-suspect.ts';
import { detectLayout, openOnnxOracle, type OnnxOracle, type OnnxOracleOptions } from '../../../../src/main/engine/suspects/onnx-oracle.ts';
import type { ExchangeReport, OracleCall } from '../../../../src/main/engine/suspects/types.ts';
import { ipguard } from '../../../../src/main/engine/methods/ipguard.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/onnx');
const fixture = (name: string, file: string) => join(FIXTURES, name, file);
const SIZE = 28 * 28;
/** Not a multiple of the default batch (256): the last run is a partial one. */
const N = 300;
const TOL = 1e-4;

interface Twin {
  tfjs: LoadedModel;
  logits: Float32Array;
  probs: Float32Array;
  labels: Int32Array;
}

let data: Dataset;
let splits: DatasetSplits;
let images: Float32Array;
const twins: Record<string, Twin> = {};
const opened: OnnxOracle[] = [];

async function open(file: string, opts?: OnnxOracleOptions): Promise<OnnxOracle> {
  const o = await openOnnxOracle(file, opts);
  opened.push(o);
  return o;
}

function hashes(inputs: Float32Array, n: number): string[] {
  return Array.from({ length: n }, (_, i) => inputHash(inputs, i, SIZE));
}

/** Calls answer() directly with a hand-made OracleCall; returns the answer and the reports. */
async function ask(o: OnnxOracle, inputs: Float32Array, n: number) {
  const reports: ExchangeReport[] = [];
  const call: OracleCall = { hashes: hashes(inputs, n), report: (e) => reports.push(e) };
  const answer = await o.answer(inputs, n, call);
  return { answer, reports, call };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

beforeAll(async () => {
  await initBackend('wasm');
  data = loadMnist();
  for (const name of ['source', 'innocent']) {
    const tfjs = await loadModel(fixture(name, 'tfjs'));
    const record = (tfjs.meta!.training as { split: SplitRecord }).split;
    splits ??= reproduceSplits(data, record);
    if (!images) {
      const test = splits.test.indices;
      images = new Float32Array(N * SIZE);
      for (let i = 0; i < N; i++) images.set(data.images.subarray(test[i] * SIZE, (test[i] + 1) * SIZE), i * SIZE);
    }
    const [logits, probs, labels] = tf.tidy(() => {
      const x = tf.tensor4d(images, [N, 28, 28, 1]);
      const z = predictLogits(tfjs.model, x);
      return [z.dataSync() as Float32Array, predictProbabilities(tfjs.model, x).dataSync() as Float32Array, z.argMax(1).dataSync() as Int32Array];
    });
    twins[name] = { tfjs, logits, probs, labels };
  }
});

afterAll(async () => {
  for (const o of opened) await o.close?.();
  for (const t of Object.values(twins)) t.tfjs.model.dispose();
});

describe('openOnnxOracle: twins of the tfjs fixtures', () => {
  for (const name of ['source', 'innocent']) {
    it(`${name}: logits, probabilities and labels match the tfjs twin on ${N} MNIST test images`, async () => {
      const twin = twins[name];
      // Accuracy of the fixture itself, so a broken fixture cannot pass as "both wrong alike".
      const truth = splits.test.indices;
      const correct = twin.labels.filter((l, i) => l === data.labels[truth[i]]).length;
      expect(correct / N).toBeGreaterThanOrEqual(0.9);

      const o = await open(fixture(name, 'model.onnx'));
      expect(o.inputShape).toEqual([28, 28, 1]);
      expect(o.numClasses).toBe(10);
      expect(o.info).toMatchObject({ inputName: 'input', inputDims: ['batch', 1, 28, 28], layout: 'nchw', layoutFrom: 'model', outputName: 'logits', fixedBatch: null, runBatch: 256 });
      expect(o.sha256).toMatch(/^[0-9a-f]{64}$/);
      const { answer } = await ask(o, images, N);
      expect(Array.from(answer.labels)).toEqual(Array.from(twin.labels));
      const dp = maxAbsDiff(answer.probs!, twin.probs);
      // The raw output, read "as given": the model's logits themselves.
      const raw = await open(fixture(name, 'model.onnx'), { outputs: 'probabilities' });
      const dz = maxAbsDiff((await ask(raw, images, N)).answer.probs!, twin.logits);
      console.log(`${name}: max |Δ| vs tfjs: logits ${dz.toExponential(2)}, probabilities ${dp.toExponential(2)}`);
      expect(dz).toBeLessThan(TOL);
      expect(dp).toBeLessThan(TOL);
    });
  }

  it('nhwc variant: layout read from the model, same outputs', async () => {
    const o = await open(fixture('source', 'model-nhwc.onnx'));
    expect(o.info).toMatchObject({ inputDims: ['batch', 28, 28, 1], layout: 'nhwc', layoutFrom: 'model' });
    expect(o.inputShape).toEqual([28, 28, 1]);
    const { answer } = await ask(o, images, N);
    expect(Array.from(answer.labels)).toEqual(Array.from(twins.source.labels));
    expect(maxAbsDiff(answer.probs!, twins.source.probs)).toBeLessThan(TOL);
  });

  it('norm variant: same outputs with the declared mean/std, different without', async () => {
    const declared = await open(fixture('source', 'model-norm.onnx'), { preprocessing: { mean: [0.1307], std: [0.3081] } });
    expect(declared.info.preprocessing).toMatchObject({ mean: [0.1307], std: [0.3081], layout: 'nchw' });
    const a = (await ask(declared, images, N)).answer;
    expect(Array.from(a.labels)).toEqual(Array.from(twins.source.labels));
    expect(maxAbsDiff(a.probs!, twins.source.probs)).toBeLessThan(TOL);
    const undeclared = await open(fixture('source', 'model-norm.onnx'));
    const b = (await ask(undeclared, images, N)).answer;
    expect(maxAbsDiff(b.probs!, twins.source.probs)).toBeGreaterThan(0.1);
  });

  it('probabilities output: used as given', async () => {
    const o = await open(fixture('innocent', 'model-probs.onnx'), { outputs: 'probabilities' });
    expect(o.info.outputName).toBe('probabilities');
    const { answer } = await ask(o, images, N);
    expect(Array.from(answer.labels)).toEqual(Array.from(twins.innocent.labels));
    expect(maxAbsDiff(answer.probs!, twins.innocent.probs)).toBeLessThan(TOL);
  });
});

describe('openOnnxOracle: batches, reports, label-only', () => {
  it('reports once per batch with the batch\'s slice of the hashes; n not a multiple of the batch', async () => {
    const o = await open(fixture('source', 'model.onnx'), { batchSize: 128, name: 'onnx source' });
    expect(o.describe()).toBe('onnx source');
    const { answer, reports, call } = await ask(o, images, N);
    expect(reports.map((r) => r.inputHashes.length)).toEqual([128, 128, 44]);
    reports.forEach((r, b) => {
      expect(r.inputHashes).toEqual(call.hashes.slice(b * 128, b * 128 + r.inputHashes.length));
      expect(r).toMatchObject({ attempt: 1, outcome: 'ok' });
      expect(Number.isNaN(Date.parse(r.time))).toBe(false);
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      expect(r.probs!.length).toBe(r.inputHashes.length * 10);
    });
    expect(reports.flatMap((r) => r.labels!)).toEqual(Array.from(answer.labels));
    expect(reports.flatMap((r) => r.probs!)).toEqual(Array.from(answer.probs!));
    expect(Array.from(answer.labels)).toEqual(Array.from(twins.source.labels));
  });

  it('labelOnly hides the probabilities, in the answer and in the reports', async () => {
    const o = await open(fixture('source', 'model.onnx'), { labelOnly: true });
    expect(o.labelOnly).toBe(true);
    const { answer, reports } = await ask(o, images.subarray(0, 40 * SIZE), 40);
    expect(answer.probs).toBeUndefined();
    expect(Array.from(answer.labels)).toEqual(Array.from(twins.source.labels.subarray(0, 40)));
    expect(reports).toHaveLength(1);
    expect(reports[0].probs).toBeUndefined();
    expect(reports[0].labels).toEqual(Array.from(answer.labels));
  });

  it('a fixed batch dimension is fed exactly that many per run (the last run padded)', async () => {
    const o = await open(fixture('source', 'model-batch8.onnx'));
    expect(o.info).toMatchObject({ fixedBatch: 8, runBatch: 8, inputDims: [8, 1, 28, 28] });
    const { answer, reports } = await ask(o, images.subarray(0, 20 * SIZE), 20);
    expect(reports.map((r) => r.inputHashes.length)).toEqual([8, 8, 4]);
    expect(Array.from(answer.labels)).toEqual(Array.from(twins.source.labels.subarray(0, 20)));
    expect(maxAbsDiff(answer.probs!, twins.source.probs.subarray(0, 200))).toBeLessThan(TOL);
    await expect(openOnnxOracle(fixture('source', 'model-batch8.onnx'), { batchSize: 16 })).rejects.toThrow(/batchSize 16 .* fixed batch of 8/);
  });

  it('a symbolic class count is read from one run at open', async () => {
    const o = await open(join(FIXTURES, 'probes', 'symbolic-classes.onnx'));
    expect(o.info.outputDims).toEqual(['batch', 'classes']);
    expect(o.numClasses).toBe(5);
    expect(o.inputShape).toEqual([4, 4, 1]);
  });

  it('labels: the lowest index among tied outputs; probabilities: softmax in float64', async () => {
    const o = await open(join(FIXTURES, 'probes', 'ties.onnx'));
    const x = new Float32Array(3 * 16).fill(0.5);
    const answer = await o.answer(x, 3, { hashes: ['a', 'b', 'c'], report: () => {} });
    expect(Array.from(answer.labels)).toEqual([1, 1, 1]);
    const e = [0, 2, 2, 1].map((z) => Math.exp(z));
    const sum = e.reduce((a, b) => a + b);
    expect(Array.from(answer.probs!.subarray(0, 4))).toEqual(e.map((v) => Math.fround(v / sum)));
  });

  it('checks its call: input length, hash count; refuses after close', async () => {
    const o = await openOnnxOracle(fixture('source', 'model.onnx'));
    await expect(o.answer(images.subarray(0, SIZE * 2 - 1), 2, { hashes: ['a', 'b'], report: () => {} })).rejects.toThrow(/expected 2×28×28×1/);
    await expect(o.answer(images.subarray(0, SIZE * 2), 2, { hashes: ['a'], report: () => {} })).rejects.toThrow(/1 input hashes for 2 inputs/);
    await o.close!();
    await expect(o.answer(images.subarray(0, SIZE), 1, { hashes: ['a'], report: () => {} })).rejects.toThrow(/closed/);
  });
});

describe('openOnnxOracle: errors name the file and the field', () => {
  it('missing file, a non-ONNX file', async () => {
    const missing = join(FIXTURES, 'no-such.onnx');
    await expect(openOnnxOracle(missing)).rejects.toThrow(`${missing}: not found`);
    const json = fixture('source', 'tfjs/model.json');
    await expect(openOnnxOracle(json)).rejects.toThrow(`${json}: not a loadable ONNX model`);
  });

  it('an input of another type, a second input', async () => {
    const int64 = join(FIXTURES, 'probes', 'int64-input.onnx');
    await expect(openOnnxOracle(int64)).rejects.toThrow(`${int64}: input "input" has type int64; expected float32`);
    const two = join(FIXTURES, 'probes', 'two-inputs.onnx');
    await expect(openOnnxOracle(two)).rejects.toThrow(`${two}: the model has 2 inputs ("input", "bias"); expected exactly one`);
    await expect(openOnnxOracle(two, { inputName: 'x' })).rejects.toThrow(`${two}: no input "x"`);
    await expect(openOnnxOracle(two, { inputName: 'input' })).rejects.toThrow(/with only input "input" fed/);
  });

  it('an ambiguous layout needs a declaration; a contradicting one is refused', async () => {
    const amb = join(FIXTURES, 'probes', 'ambiguous.onnx');
    await expect(openOnnxOracle(amb)).rejects.toThrow(`${amb}: input "input" has shape [batch,3,6,3], whose layout is ambiguous (NCHW or NHWC); declare preprocessing.layout`);
    const nhwc = await open(amb, { preprocessing: { layout: 'nhwc' } });
    expect([nhwc.inputShape, nhwc.info.layoutFrom]).toEqual([[3, 6, 3], 'declared']);
    const nchw = await open(amb, { preprocessing: { layout: 'nchw' } });
    expect(nchw.inputShape).toEqual([6, 3, 3]);
    const m = fixture('source', 'model.onnx');
    await expect(openOnnxOracle(m, { preprocessing: { layout: 'nhwc' } })).rejects.toThrow(`${m}: preprocessing.layout "nhwc" contradicts input "input" [batch,1,28,28], which is NCHW`);
    await expect(openOnnxOracle(fixture('source', 'model-nhwc.onnx'), { preprocessing: { layout: 'nchw' } })).rejects.toThrow(/contradicts .* which is NHWC/);
  });

  it('a declared preprocessing that does not fit the input, bad options', async () => {
    const m = fixture('source', 'model.onnx');
    await expect(openOnnxOracle(m, { preprocessing: { mean: [0.1, 0.2, 0.3] } })).rejects.toThrow(`${m}: preprocessing.mean: expected 1 or 1 values`);
    await expect(openOnnxOracle(m, { preprocessing: { channelOrder: 'bgr' } })).rejects.toThrow(`${m}: preprocessing.channelOrder`);
    await expect(openOnnxOracle(m, { preprocessing: { std: [0] } })).rejects.toThrow(`${m}: preprocessing.std.0`);
    await expect(openOnnxOracle(m, { batchSize: 0 })).rejects.toThrow(`${m}: batchSize must be a positive integer`);
    await expect(openOnnxOracle(m, { outputName: 'probs' })).rejects.toThrow(`${m}: no output "probs" (output is "logits")`);
  });

  it('a missing onnxruntime-node gives an error naming the package (the engine still imports)', async () => {
    vi.resetModules();
    vi.doMock('onnxruntime-node', () => {
      throw new Error('libonnxruntime.so.1: cannot open shared object file');
    });
    try {
      const fresh = await import('../../../../src/main/engine/suspects/onnx-oracle.ts');
      await expect(fresh.openOnnxOracle(fixture('source', 'model.onnx'))).rejects.toThrow(/needs? the npm package "onnxruntime-node" .* could not be loaded/);
    } finally {
      vi.doUnmock('onnxruntime-node');
      vi.resetModules();
    }
  });

  it('detectLayout: channels (1 or 3) at exactly one of dims 1 and 3', () => {
    expect(detectLayout(['n', 3, 32, 32])).toBe('nchw');
    expect(detectLayout([1, 32, 32, 3])).toBe('nhwc');
    expect(detectLayout(['n', 3, 32, 3])).toBeUndefined();
    expect(detectLayout(['n', 4, 32, 32])).toBeUndefined();
    expect(detectLayout(['n', 32, 32])).toBeUndefined();
  });
});

describe('a trigger set from the tfjs source scores the same on its ONNX twins', () => {
  it('IPGuard, label-only and with probabilities', async () => {
    const src = twins.source.tfjs;
    const set = await ipguard.generate({ source: { model: src.model, spec: src.meta!.spec, sha256: src.saved.sha256 }, data, splits, seed: 5 }, { n: 16, iterations: 150 });
    const scores: Record<string, number[]> = {};
    for (const name of ['source', 'innocent']) {
      const tfjs = twins[name].tfjs.model;
      for (const labelOnly of [true, false]) {
        const a = await ipguard.score(set, classifierSuspect(modelClassifier(tfjs), { labelOnly }));
        const onnx = accountedSuspect(await open(fixture(name, 'model.onnx'), { labelOnly }));
        const b = await ipguard.score(set, onnx);
        expect(b.matches).toEqual(a.matches);
        expect(b.score).toBe(a.score);
        expect(onnx.sent()).toBe(16);
        (scores[name] ??= []).push(a.score, b.score);
      }
    }
    console.log(`ipguard scores (tfjs, onnx; label-only then probabilities): ${JSON.stringify(scores)}`);
    expect(scores.source[0]).toBe(1);
    expect(scores.innocent[0]).toBeLessThan(scores.source[0]);
  });
});
