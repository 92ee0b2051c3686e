import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { buildModel } from '../../../../src/main/engine/models/architectures.ts';
import { fileSaveHandler, hashModelDir, loadModel, saveModel } from '../../../../src/main/engine/models/model-io.ts';
import { predictLogits } from '../../../../src/main/engine/models/predict.ts';
import { ARCH_IDS, type ArchSpec, type ModelMeta } from '../../../../src/main/engine/models/types.ts';

let root: string;
let n = 0;
const fresh = () => join(root, `m${n++}`);

const metaFor = (spec: ArchSpec): ModelMeta => ({
  format: 'provenant-model/1',
  spec,
  input: { range: [0, 1], layout: 'NHWC' },
  classNames: Array.from({ length: spec.numClasses }, (_, i) => `c${i}`),
  training: { epochs: 0, note: 'unit test' },
  createdAt: '2025-01-01T00:00:00.000Z',
});
const cnnSpec: ArchSpec = { arch: 'cnn', inputShape: [28, 28, 1], numClasses: 10, seed: 3 };

function weightsOf(m: tf.LayersModel): [string, Buffer][] {
  return m.weights.map((w) => [w.originalName, Buffer.from((w.read().dataSync() as Float32Array).buffer)]);
}
/** Same weight names in the same order, byte-identical values (Buffer.equals: deep-equal is slow on MBs). */
function expectSameWeights(a: tf.LayersModel, b: tf.LayersModel): void {
  const [wa, wb] = [weightsOf(a), weightsOf(b)];
  expect(wa.map(([name]) => name)).toEqual(wb.map(([name]) => name));
  for (const [i, [name, bytes]] of wa.entries()) expect(bytes.equals(wb[i][1]), name).toBe(true);
}
async function logitsBytes(m: tf.LayersModel, x: tf.Tensor): Promise<Buffer> {
  const y = predictLogits(m, x, { batchSize: 2 });
  const b = Buffer.from((await y.data()).buffer);
  y.dispose();
  return b;
}

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'provenant-model-io-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('save/load round trip', () => {
  for (const arch of ARCH_IDS) {
    const shape: [number, number, number] = arch === 'resnet' ? [32, 32, 3] : [28, 28, 1];
    it(`${arch}: identical weights and predictions after save + load`, async () => {
      const spec: ArchSpec = { arch, inputShape: shape, numClasses: 10, seed: 11, ...(arch === 'vgg' ? { dropout: 0.3 } : {}) };
      const model = buildModel(spec);
      const x = tf.randomUniform([5, ...shape], 0, 1, 'float32', 5);
      if (arch === 'resnet') {
        // training-mode forward passes move the BN statistics away from their 0/1 initial values
        for (let i = 0; i < 3; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
        const mean = model.getLayer('resnet/stem_bn').getWeights()[2].dataSync();
        expect([...mean].some((v) => v !== 0)).toBe(true);
      }
      const dir = fresh();
      const meta = metaFor(spec);
      const saved = await saveModel(model, dir, meta);
      expect(saved.files.map((f) => f.file)).toEqual(['model.json', 'weights.bin']);

      const loaded = await loadModel(dir);
      expect(loaded.meta).toEqual(meta);
      expect(loaded.saved).toEqual(saved);
      expectSameWeights(loaded.model, model);
      expect((await logitsBytes(loaded.model, x)).equals(await logitsBytes(model, x))).toBe(true);

      // re-saving the loaded model reproduces the same bytes, hence the same hashes
      const again = await saveModel(loaded.model, fresh(), meta);
      expect(again.files).toEqual(saved.files);
      expect(again.sha256).toBe(saved.sha256);
      tf.dispose(x);
      model.dispose();
      loaded.model.dispose();
    });
  }

  it('hashes are the sha256 of each file and of their sha256sum lines', async () => {
    const model = buildModel(cnnSpec);
    const dir = fresh();
    const saved = await saveModel(model, dir, metaFor(cnnSpec));
    model.dispose();
    const lines: string[] = [];
    for (const f of ['model.json', 'weights.bin']) {
      const bytes = await readFile(join(dir, f));
      const hex = createHash('sha256').update(bytes).digest('hex');
      expect(saved.files.find((e) => e.file === f)).toEqual({ file: f, bytes: bytes.byteLength, sha256: hex });
      lines.push(`${hex}  ${f}\n`);
    }
    expect(saved.sha256).toBe(createHash('sha256').update(lines.join('')).digest('hex'));
    expect(await hashModelDir(dir)).toEqual(saved);
    expect(await hashModelDir(join(dir, 'model.json'))).toEqual(saved);
    expect(saved.dir).toBe(dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/tfjs-layers v4\./);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.userDefinedMetadata.provenant.spec).toEqual(cnnSpec);
  });

  it('accepts the path of model.json itself', async () => {
    const model = buildModel(cnnSpec);
    const dir = fresh();
    await saveModel(model, dir, metaFor(cnnSpec));
    const loaded = await loadModel(join(dir, 'model.json'));
    expect(loaded.saved.dir).toBe(dir);
    model.dispose();
    loaded.model.dispose();
  });

  it('loads a plain tfjs model directory without Provenant metadata', async () => {
    const model = buildModel(cnnSpec);
    const dir = fresh();
    await mkdir(dir);
    await model.save(fileSaveHandler(dir, undefined));
    const loaded = await loadModel(dir);
    expect(loaded.meta).toBeUndefined();
    expectSameWeights(loaded.model, model);
    model.dispose();
    loaded.model.dispose();
  });
});

describe('atomic save', () => {
  it('leaves no temporary directories and refuses to clobber a non-empty directory', async () => {
    const model = buildModel(cnnSpec);
    const parent = join(root, 'atomic');
    const dir = join(parent, 'model');
    const first = await saveModel(model, dir, metaFor(cnnSpec));
    expect(await readdir(parent)).toEqual(['model']);
    await expect(saveModel(model, dir, metaFor(cnnSpec))).rejects.toThrow(/directory exists and is not empty .*overwrite/);
    const meta2 = { ...metaFor(cnnSpec), createdAt: '2026-01-01T00:00:00.000Z' };
    const second = await saveModel(model, dir, meta2, { overwrite: true });
    expect(second.sha256).not.toBe(first.sha256);
    expect(await readdir(parent)).toEqual(['model']);
    expect((await loadModel(dir)).meta?.createdAt).toBe(meta2.createdAt);
    // an existing empty directory (e.g. from mkdtemp) is fine
    const empty = join(parent, 'empty');
    await mkdir(empty);
    await saveModel(model, empty, metaFor(cnnSpec));
    expect((await readdir(empty)).sort()).toEqual(['model.json', 'weights.bin']);
    model.dispose();
  });

  it('cleans up the temporary directory when saving fails', async () => {
    const parent = join(root, 'failing');
    const broken = { save: () => Promise.reject(new Error('boom')) } as unknown as tf.LayersModel;
    await expect(saveModel(broken, join(parent, 'm'), metaFor(cnnSpec))).rejects.toThrow('boom');
    expect(await readdir(parent)).toEqual([]);
  });

  it('rejects metadata of another format', async () => {
    const model = buildModel(cnnSpec);
    await expect(saveModel(model, fresh(), { ...metaFor(cnnSpec), format: 'x' as never })).rejects.toThrow(/ModelMeta.format/);
    model.dispose();
  });
});

describe('bad model directories give errors naming the file', () => {
  let good: string;
  beforeAll(async () => {
    const model = buildModel(cnnSpec);
    good = fresh();
    await saveModel(model, good, metaFor(cnnSpec));
    model.dispose();
  });
  async function copyOfGood(): Promise<string> {
    const dir = fresh();
    await mkdir(dir);
    for (const f of ['model.json', 'weights.bin']) await writeFile(join(dir, f), await readFile(join(good, f)));
    return dir;
  }
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('missing directory', async () => {
    const dir = join(root, 'nope');
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`model not found: ${esc(dir)} does not exist`));
    await expect(hashModelDir(dir)).rejects.toThrow(/does not exist/);
  });

  it('directory without model.json', async () => {
    const dir = fresh();
    await mkdir(dir);
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${esc(join(dir, 'model.json'))}: not found`));
  });

  it('corrupt model.json', async () => {
    const dir = await copyOfGood();
    await writeFile(join(dir, 'model.json'), '{"modelTopology": {');
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${esc(join(dir, 'model.json'))}: not valid JSON`));
  });

  it('model.json without a topology or manifest', async () => {
    const dir = await copyOfGood();
    await writeFile(join(dir, 'model.json'), '{"weightsManifest": []}');
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: missing "modelTopology"/);
    await writeFile(join(dir, 'model.json'), '{"modelTopology": {}}');
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: missing or malformed "weightsManifest"/);
  });

  it('model.json whose topology tfjs cannot build', async () => {
    const dir = await copyOfGood();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[1].class_name = 'NoSuchLayer';
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: cannot build the model .*NoSuchLayer/);
  });

  it('truncated weights.bin', async () => {
    const dir = await copyOfGood();
    await truncate(join(dir, 'weights.bin'), 1000);
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${esc(join(dir, 'weights.bin'))}: 1000 bytes, but model.json weightsManifest\\[0\\] needs 226856`));
  });

  it('missing weights.bin', async () => {
    const dir = await copyOfGood();
    await rm(join(dir, 'weights.bin'));
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${esc(join(dir, 'weights.bin'))}: not found`));
  });

  it('a weight path that leaves the directory', async () => {
    const dir = await copyOfGood();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../m0/weights.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: weightsManifest\[0\]\.paths has an unsafe/);
  });

  it('unknown Provenant metadata format, or metadata that contradicts the model', async () => {
    const dir = await copyOfGood();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.userDefinedMetadata.provenant.format = 'provenant-model/99';
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: userDefinedMetadata\.provenant has unsupported format "provenant-model\/99"/);
    json.userDefinedMetadata.provenant.format = 'provenant-model/1';
    json.userDefinedMetadata.provenant.spec.numClasses = 5;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const before = tf.memory().numTensors;
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: metadata spec .* does not match the model/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('memory', () => {
  it('repeated load/predict/dispose does not grow tf.memory().numTensors', async () => {
    const spec: ArchSpec = { arch: 'resnet', inputShape: [28, 28, 1], numClasses: 10, seed: 1 };
    const model = buildModel(spec);
    const dir = fresh();
    await saveModel(model, dir, metaFor(spec));
    model.dispose();
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 2);
    const cycle = async () => {
      const { model: m } = await loadModel(dir);
      const y = predictLogits(m, x, { batchSize: 3 });
      await y.data();
      y.dispose();
      m.dispose();
    };
    await cycle();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await cycle();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
