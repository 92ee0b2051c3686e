/**
 * Shared fixture for the method tests: a small cnn source (4 epochs on 2000 MNIST digits) and an
 * independently trained innocent of another architecture and seed, both saved and reloaded the way
 * the app does, so sha256 and spec are the real ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { trainSourceModel } from '../../../../src/main/engine/models/train-source.ts';
import { loadModel } from '../../../../src/main/engine/models/model-io.ts';
import { loadMnist } from '../../../../src/main/engine/data/mnist.ts';
import { modelClassifier } from '../../../../src/main/engine/lab/classifier.ts';
import { classifierSuspect } from '../../../../src/main/engine/suspects/classifier-suspect.ts';
import type { ArchId } from '../../../../src/main/engine/models/types.ts';
import type { DifferentiableModel, GenerateContext } from '../../../../src/main/engine/methods/types.ts';
import type { Suspect } from '../../../../src/main/engine/suspects/types.ts';

export interface Fixture {
  ctx: (seed: number) => GenerateContext;
  source: DifferentiableModel;
  innocent: DifferentiableModel;
  suspect: (m: DifferentiableModel, labelOnly?: boolean) => Suspect;
  cleanup: () => void;
}

async function train(dir: string, name: string, arch: ArchId, seed: number): Promise<{ model: DifferentiableModel; splits: Awaited<ReturnType<typeof trainSourceModel>>['splits'] }> {
  const r = await trainSourceModel({
    dataset: 'mnist', arch, seed, out: join(dir, name),
    // Same split seed for both: the innocent trains on the owner's data too (same data, independent training).
    split: { unit: 'count', sizes: { ownerTrain: 2000, attacker: 200, test: 200 }, seed: 1 },
    train: { epochs: 4 },
  });
  const loaded = await loadModel(r.saved.dir);
  return { model: { model: loaded.model, spec: loaded.meta!.spec, sha256: loaded.saved.sha256 }, splits: r.splits };
}

export async function makeFixture(): Promise<Fixture> {
  await initBackend('wasm');
  const dir = mkdtempSync(join(tmpdir(), 'provenant-methods-'));
  const src = await train(dir, 'source', 'cnn', 3);
  const inn = await train(dir, 'innocent', 'lenet', 11);
  const data = loadMnist();
  return {
    source: src.model,
    innocent: inn.model,
    ctx: (seed) => ({ source: src.model, data, splits: src.splits, seed }),
    suspect: (m, labelOnly = false) => classifierSuspect(modelClassifier(m.model), { labelOnly }),
    cleanup: () => {
      src.model.model.dispose();
      inn.model.model.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function median(a: ArrayLike<number>): number {
  const s = Array.from(a).sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export { tf };
