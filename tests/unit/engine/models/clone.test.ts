import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { buildModel } from '../../../../src/main/engine/models/architectures.ts';
import { cloneModel } from '../../../../src/main/engine/models/clone.ts';
import type { ArchSpec } from '../../../../src/main/engine/models/types.ts';

const spec: ArchSpec = { arch: 'resnet', inputShape: [16, 16, 1], numClasses: 10, seed: 5, width: 0.25 };
const values = (m: tf.LayersModel) => new Map(m.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('cloneModel', () => {
  it('copies every weight exactly, batch-norm moving statistics included, and never touches the source', () => {
    const source = buildModel(spec);
    // Non-default moving statistics, so that copying them is visible.
    const bnStats = source.weights.filter((w) => /moving_(mean|variance)$/.test(w.originalName));
    expect(bnStats.length).toBeGreaterThan(0);
    bnStats.forEach((w, i) => w.write(tf.tidy(() => tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', i))));
    const start = tf.memory().numTensors;
    const copy = cloneModel(source, spec);
    const before = values(source);
    expect(values(copy)).toEqual(before);
    // Training-mode forward passes move the copy's BN statistics; assigning moves its weights.
    tf.tidy(() => {
      copy.apply(tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 1), { training: true });
      copy.weights.forEach((w) => (w.read() as tf.Variable).assign(w.read().add(1)));
    });
    expect(values(source)).toEqual(before);
    copy.dispose();
    expect(values(source)).toEqual(before);
    expect(tf.memory().numTensors).toBe(start);
    source.dispose();
  });

  it('refuses a spec that does not describe the source', () => {
    const source = buildModel(spec);
    const start = tf.memory().numTensors;
    expect(() => cloneModel(source, { ...spec, width: 0.5 })).toThrow(/cloneModel: weight \d+ is resnet\/\S+ \[/);
    expect(() => cloneModel(source, { ...spec, arch: 'mlp', width: undefined })).toThrow(/cloneModel: the source has \d+ weights/);
    expect(tf.memory().numTensors).toBe(start);
    source.dispose();
  });
});
