/**
 * The whole "train a source model" job: dataset → recorded split → seeded model → training →
 * held-out accuracy → atomic save with provenance → load. Small config (1 epoch, a counted split).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/main/engine/tensor/backend.ts';
import { trainSourceModel, type SourceTrainingRequest } from '../../src/main/engine/models/train-source.ts';
import { loadModel } from '../../src/main/engine/models/model-io.ts';
import { loadMnist } from '../../src/main/engine/data/mnist.ts';
import { reproduceSplits } from '../../src/main/engine/data/splits.ts';
import { evaluateAccuracy } from '../../src/main/engine/models/training.ts';
import type { SplitRecord } from '../../src/main/engine/data/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-train-'));
const request = (out: string, seed = 4): SourceTrainingRequest => ({
  dataset: 'mnist', arch: 'cnn', seed, out: join(dir, out),
  split: { unit: 'count', sizes: { ownerTrain: 1500, attacker: 500, test: 500 } },
  train: { epochs: 1 },
});

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainSourceModel', () => {
  it('trains, evaluates, saves with provenance, and reloads to the same accuracy', async () => {
    const r = await trainSourceModel(request('a'));
    expect(r.testAccuracy).toBeGreaterThan(0.3); // 3× chance after 24 steps; learning itself is tested in training.test.ts
    const t = r.meta.training as Record<string, any>;
    expect(t.role).toBe('source');
    expect(t.split.format).toBe('provenant-split/1');
    expect(t.split.sizes).toEqual({ ownerTrain: 1500, attacker: 500, test: 500 });
    expect(t.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(t.seeds).toEqual({ split: 4, init: 4, shuffle: 4 });
    expect(r.meta.engine?.backend).toBe('wasm');

    const loaded = await loadModel(r.saved.dir);
    expect(loaded.saved.sha256).toBe(r.saved.sha256);
    // The recorded split reproduces from the dataset, and the reloaded model scores the same on it.
    const mnist = loadMnist();
    const splits = reproduceSplits(mnist, t.split as SplitRecord);
    expect(evaluateAccuracy(loaded.model, mnist, splits.test.indices)).toBe(r.testAccuracy);
    loaded.model.dispose();
  });

  it('same seed → identical weights file; another seed → different weights', async () => {
    const weights = (r: Awaited<ReturnType<typeof trainSourceModel>>) => r.saved.files.find((f) => f.file === 'weights.bin')!.sha256;
    const b = await trainSourceModel(request('b'));
    const c = await trainSourceModel(request('c'));
    const d = await trainSourceModel(request('d', 5));
    expect(weights(c)).toBe(weights(b));
    expect(weights(d)).not.toBe(weights(b));
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await trainSourceModel({ ...request('e'), split: { unit: 'count', sizes: { ownerTrain: 200, attacker: 0, test: 100 } } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses to overwrite an existing model unless asked, before training', async () => {
    const started = Date.now();
    await expect(trainSourceModel(request('a'))).rejects.toThrow(/directory exists and is not empty/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
