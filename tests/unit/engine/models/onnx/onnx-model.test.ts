/**
 * An imported ONNX file as a Provenant model (OnnxGraphLayer in a LayersModel): it predicts what
 * onnxruntime does, differentiates, clones, saves and loads with its graph (hash-checked), is
 * attacked by the lab unchanged (last-layer fine-tuning touches only the head, pruning is exact),
 * and exports back to an ONNX file that onnxruntime runs with the modified weights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../../src/main/engine/tensor/backend.ts';
import { exportOnnxModel, importOnnxModel, type ImportedOnnxModel } from '../../../../../src/main/engine/models/onnx/onnx-model.ts';
import { cloneModel } from '../../../../../src/main/engine/models/clone.ts';
import { loadModel, saveModel } from '../../../../../src/main/engine/models/model-io.ts';
import { getAttack } from '../../../../../src/main/engine/lab/attacks/index.ts';
import { loadMnist } from '../../../../../src/main/engine/data/mnist.ts';
import type { ModelMeta } from '../../../../../src/main/engine/models/types.ts';
import { fixturePath, inputShape, maxAbsDiff, ortLogits, readFixture, seededBatch } from './zoo.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-onnx-model-'));
let lenet: ImportedOnnxModel;
beforeAll(async () => {
  await initBackend('wasm');
  lenet = await importOnnxModel(fixturePath('lenet-opset17.onnx'));
});
afterAll(() => {
  lenet.model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** NCHW data of a fixture as the NHWC tensor Provenant feeds. */
function nhwc(file: string, n: number, seed: number): { nchw: Float32Array; shape: number[]; x: tf.Tensor4D } {
  const shape = inputShape(file, n);
  const nchw = seededBatch(shape, seed);
  const x = tf.tidy(() => tf.tensor4d(nchw, shape as [number, number, number, number]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
  return { nchw, shape, x };
}

const meta = (m: ImportedOnnxModel): ModelMeta => ({ format: 'provenant-model/1', spec: m.spec, input: { range: [0, 1], layout: 'NHWC' }, createdAt: '2026-01-01T00:00:00.000Z' });

describe('importOnnxModel', () => {
  it.each(['mlp', 'lenet', 'bn-cnn', 'resnet-blocks', 'ops-mix'])('%s: NHWC in, the logits onnxruntime computes (1e-4), and input gradients', async (name) => {
    const file = `${name}-opset17.onnx`;
    const m = await importOnnxModel(fixturePath(file));
    try {
      const { nchw, shape, x } = nhwc(file, 6, 7);
      expect(m.spec.inputShape).toEqual([shape[2], shape[3], shape[1]]);
      const ours = tf.tidy(() => (m.model.predict(x) as tf.Tensor).dataSync() as Float32Array);
      expect(maxAbsDiff(ours, await ortLogits(readFixture(file), nchw, shape))).toBeLessThan(1e-4);
      const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(m.model.apply(v) as tf.Tensor, tf.oneHot([0, 1, 2, 3, 4, 5], m.spec.numClasses))))(x));
      expect(g.shape).toEqual(x.shape);
      expect(tf.norm(g).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([g, x]);
    } finally {
      m.model.dispose();
    }
  });

  it('declared preprocessing is applied as differentiable ops before the graph', async () => {
    const m = await importOnnxModel(fixturePath('lenet-opset17.onnx'), { preprocessing: { scale: 2, mean: [0.5], std: [0.25] } });
    try {
      const { x } = nhwc('lenet-opset17.onnx', 3, 9);
      const same = tf.tidy(() => lenet.model.predict(tf.div(tf.sub(tf.mul(x, 2), 0.5), 0.25)) as tf.Tensor);
      const got = tf.tidy(() => m.model.predict(x) as tf.Tensor);
      expect(maxAbsDiff(got.dataSync(), same.dataSync())).toBeLessThan(1e-5);
      tf.dispose([x, same, got]);
    } finally {
      m.model.dispose();
    }
  });

  it('names the file on a missing file, an ambiguous layout, or a contradicted one', async () => {
    await expect(importOnnxModel(join(dir, 'none.onnx'))).rejects.toThrow(/none\.onnx: not found/);
    await expect(importOnnxModel(fixturePath('lenet-opset17.onnx'), { preprocessing: { layout: 'nhwc' } })).rejects.toThrow(/lenet-opset17\.onnx: preprocessing\.layout "nhwc" contradicts/);
  });
});

describe('an imported model is a model like any other', () => {
  it('cloneModel copies it exactly; the copy trains without touching the original', async () => {
    const copy = cloneModel(lenet.model, lenet.spec);
    const { x } = nhwc('lenet-opset17.onnx', 4, 3);
    const before = tf.tidy(() => (lenet.model.predict(x) as tf.Tensor).dataSync().slice());
    expect(maxAbsDiff(tf.tidy(() => (copy.predict(x) as tf.Tensor).dataSync()), before)).toBe(0);
    copy.trainableWeights[0].write(tf.zeros(copy.trainableWeights[0].shape as number[]));
    expect(maxAbsDiff(tf.tidy(() => (lenet.model.predict(x) as tf.Tensor).dataSync()), before)).toBe(0);
    copy.dispose();
    x.dispose();
  });

  it('saves with graph.onnx (hashed with the model) and loads back bit for bit; an altered graph is refused', async () => {
    const out = join(dir, 'saved');
    const saved = await saveModel(lenet.model, out, meta(lenet));
    expect(saved.files.map((f) => f.file)).toEqual(['graph.onnx', 'model.json', 'weights.bin']);
    expect(saved.files[0].sha256).toBe(lenet.sha256);
    const loaded = await loadModel(out);
    const { x } = nhwc('lenet-opset17.onnx', 4, 5);
    const a = tf.tidy(() => (lenet.model.predict(x) as tf.Tensor).dataSync());
    expect(maxAbsDiff(tf.tidy(() => (loaded.model.predict(x) as tf.Tensor).dataSync()), a)).toBe(0);
    expect(loaded.saved.sha256).toBe(saved.sha256);
    loaded.model.dispose();
    x.dispose();
    const bytes = readFileSync(join(out, 'graph.onnx'));
    bytes[bytes.length - 5] ^= 1;
    writeFileSync(join(out, 'graph.onnx'), bytes);
    await expect(loadModel(out)).rejects.toThrow(/graph\.onnx: SHA-256 .* differs from the .* recorded in model\.json/);
  });

  it('the lab attacks it unchanged: FTLL moves only the head, pruning is exact, FTAL exports back to an ONNX file onnxruntime runs', async () => {
    const data = loadMnist();
    const ctx = { source: lenet.model, sourceSpec: lenet.spec, data, attackerIndices: Int32Array.from({ length: 256 }, (_, i) => i), seed: 3 };
    const ftll = await getAttack('ftll').run(ctx, { epochs: 1 });
    const changed = ftll.model.weights.map((w, i) => maxAbsDiff(w.read().dataSync(), lenet.model.weights[i].read().dataSync()) > 0);
    expect(changed.filter(Boolean)).toHaveLength(2); // the last Gemm's weight and bias
    expect(changed.slice(-2)).toEqual([true, true]);
    ftll.model.dispose();

    const pruned = await getAttack('prune').run(ctx, { scope: 'global', rate: 0.5 });
    expect(pruned.record.params).toMatchObject({ rate: 0.5 });
    const kernels = pruned.model.weights.filter((w) => /weight$/.test(w.originalName));
    const zeros = kernels.reduce((a, w) => a + Array.from(w.read().dataSync()).filter((v) => v === 0).length, 0);
    const total = kernels.reduce((a, w) => a + w.read().size, 0);
    expect(zeros).toBe(Math.round(0.5 * total));
    pruned.model.dispose();

    const ftal = await getAttack('ftal').run(ctx, { epochs: 1 });
    const exported = exportOnnxModel(ftal.model);
    const { nchw, shape, x } = nhwc('lenet-opset17.onnx', 5, 11);
    const ours = tf.tidy(() => (ftal.model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(await ortLogits(exported, nchw, shape), ours)).toBeLessThan(1e-4);
    expect(maxAbsDiff(await ortLogits(readFixture('lenet-opset17.onnx'), nchw, shape), ours)).toBeGreaterThan(1e-3); // it did change
    ftal.model.dispose();
    x.dispose();
  });

  it('a native model has no ONNX graph to export', () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    expect(() => exportOnnxModel(m)).toThrow(/not an imported ONNX model/);
    m.dispose();
  });
});
