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
import { getAttack } from '../../../../src/main/engine/lab/attacks/index.ts';
import { buildModel } from '../../../../src/main/engine/models/architectures.ts';
import { trainModel } from '../../../../src/main/engine/models/training.ts';
import { resolveTrainConfig } from '../../../../src/main/engine/models/train-source.ts';
import type { DatasetSplits } from '../../../../src/main/engine/data/types.ts';
import type { DifferentiableModel, GenerateContext } from '../../../../src/main/engine/methods/types.ts';
import type { Suspect } from '../../../../src/main/engine/suspects/types.ts';

export interface Pools {
  positives: DifferentiableModel[];
  negatives: DifferentiableModel[];
}

export interface Fixture {
  ctx: (seed: number) => GenerateContext;
  /** A tiny generation pool (built once, on first call): 3 positives, 3 negatives. */
  pools: () => Promise<Pools>;
  /** A pirated model held out from the pools (FTAL, another seed), for score tests. */
  pirate: () => Promise<DifferentiableModel>;
  splits: DatasetSplits;
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
  const owned: tf.LayersModel[] = [];
  const attackerCtx = (seed: number) => ({ source: src.model.model, sourceSpec: src.model.spec, data, attackerIndices: src.splits.attacker.indices, seed });
  const wrap = (model: tf.LayersModel, spec: DifferentiableModel['spec'], tag: string): DifferentiableModel => {
    owned.push(model);
    return { model, spec, sha256: `fixture-${tag}` };
  };
  const attacked = async (attack: string, params: Record<string, unknown>, seed: number) => {
    const r = await getAttack(attack).run(attackerCtx(seed), params);
    return wrap(r.model, r.spec, `${attack}-${seed}`);
  };
  // Negatives: independent models trained on the owner's data (same data, independent training).
  const independent = async (arch: ArchId, seed: number) => {
    const spec = { arch, inputShape: data.inputShape, numClasses: data.numClasses, seed };
    const model = buildModel(spec);
    await trainModel(model, data, src.splits.ownerTrain.indices, resolveTrainConfig('mnist', seed, { epochs: 2 }));
    return wrap(model, spec, `${arch}-${seed}`);
  };
  let pools: Promise<Pools> | null = null;
  let pirate: Promise<DifferentiableModel> | null = null;
  return {
    source: src.model,
    innocent: inn.model,
    splits: src.splits,
    pools: () =>
      (pools ??= (async () => ({
        positives: [await attacked('ftll', { epochs: 1 }, 31), await attacked('ftal', { epochs: 2 }, 32), await attacked('prune', { scope: 'global', rate: 0.5 }, 33)],
        negatives: [await independent('mlp', 41), await independent('lenet', 42), await independent('cnn', 43)],
      }))()),
    pirate: () => (pirate ??= attacked('ftal', { epochs: 2 }, 99)),
    ctx: (seed) => ({ source: src.model, data, splits: src.splits, seed }),
    suspect: (m, labelOnly = false) => classifierSuspect(modelClassifier(m.model), { labelOnly }),
    cleanup: () => {
      owned.forEach((m) => m.dispose());
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
