import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { ARCHITECTURES, SeededDropout, buildModel, layerSeed, paramCount } from '../../../../src/main/engine/models/architectures.ts';
import { ARCH_IDS, type ArchSpec } from '../../../../src/main/engine/models/types.ts';

type Shape = [number, number, number];
const SHAPES: Shape[] = [
  [28, 28, 1],
  [32, 32, 3],
];
const spec = (arch: ArchSpec['arch'], inputShape: Shape = [28, 28, 1], extra: Partial<ArchSpec> = {}): ArchSpec => ({
  arch,
  inputShape,
  numClasses: 10,
  seed: 42,
  ...extra,
});

function weightBytes(m: tf.LayersModel): Map<string, Float32Array> {
  return new Map(m.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('architecture registry', () => {
  it('lists the five families with descriptions', () => {
    expect(ARCHITECTURES.map((a) => a.id)).toEqual([...ARCH_IDS]);
    for (const a of ARCHITECTURES) expect(a.description.length).toBeGreaterThan(10);
  });

  for (const arch of ARCH_IDS) {
    for (const shape of SHAPES) {
      it(`${arch} builds for ${shape.join('×')} and outputs [N, numClasses] logits`, () => {
        const before = tf.memory().numTensors;
        const m = buildModel({ ...spec(arch, shape), numClasses: 7 });
        const x = tf.randomUniform([3, ...shape], 0, 1, 'float32', 1);
        const y = m.predict(x) as tf.Tensor;
        expect(y.shape).toEqual([3, 7]);
        // logits, not probabilities: rows do not sum to 1 in general
        const sums = tf.tidy(() => tf.sum(y, 1).dataSync());
        expect([...sums].some((s) => Math.abs(s - 1) > 1e-3)).toBe(true);
        expect(m.outputLayers[0].getConfig()['activation']).toBe('linear');
        expect(m.countParams()).toBe(paramCount({ ...spec(arch, shape), numClasses: 7 }));
        expect(m.layers.every((l) => l.name.startsWith(`${arch}/`))).toBe(true);
        tf.dispose([x, y]);
        m.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('param counts at 28×28×1 are the documented ones', () => {
    const counts = Object.fromEntries(ARCHITECTURES.map((a) => [a.id, a.paramCount(spec(a.id))]));
    expect(counts).toEqual({ mlp: 235146, lenet: 61706, cnn: 56714, vgg: 467818, resnet: 78426 });
  });

  it('cnn is exactly conv3×3(16)-pool-conv3×3(32)-pool-flatten-dense64-dense', () => {
    const m = buildModel(spec('cnn'));
    const summary = m.layers.map((l) => {
      const c = l.getConfig();
      return [l.getClassName(), c['filters'] ?? c['units'] ?? null, c['kernel_size'] ?? c['kernelSize'] ?? c['pool_size'] ?? c['poolSize'] ?? null, c['padding'] ?? null, c['activation'] ?? null];
    });
    expect(summary).toEqual([
      ['InputLayer', null, null, null, null],
      ['Conv2D', 16, [3, 3], 'valid', 'relu'],
      ['MaxPooling2D', null, [2, 2], 'valid', null],
      ['Conv2D', 32, [3, 3], 'valid', 'relu'],
      ['MaxPooling2D', null, [2, 2], 'valid', null],
      ['Flatten', null, null, null, null],
      ['Dense', 64, null, null, 'relu'],
      ['Dense', 10, null, null, 'linear'],
    ]);
    m.dispose();
  });

  it('resnet has BN, projection shortcuts and stride-2 same-padded convs', () => {
    const m = buildModel(spec('resnet', [32, 32, 3]));
    const names = m.layers.map((l) => l.name);
    expect(names).toContain('resnet/s2b1_proj');
    expect(names).toContain('resnet/s3b1_proj');
    expect(names).not.toContain('resnet/s1b1_proj');
    expect(m.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(1 + 2 * 3 + 2);
    expect(m.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(3);
    for (const l of m.layers.filter((k) => k.getClassName() === 'Conv2D')) {
      const c = l.getConfig();
      expect(c['padding']).toBe('same');
      if ((c['strides'] as number[])[0] === 2) expect(l.name).toMatch(/s[23]b1_(conv1|proj)$/);
    }
    expect(m.getLayer('resnet/s3b1_add').outputShape).toEqual([null, 8, 8, 64]);
    m.dispose();
    const deep = buildModel(spec('resnet', [28, 28, 1], { blocksPerStage: 2 }));
    expect(deep.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(6);
    expect(deep.countParams()).toBe(paramCount(spec('resnet', [28, 28, 1], { blocksPerStage: 2 })));
    deep.dispose();
  });

  it('width scales channels and units (rounded, at least 1)', () => {
    const half = buildModel(spec('vgg', [28, 28, 1], { width: 0.5 }));
    expect(half.getLayer('vgg/block2_conv1').getConfig()['filters']).toBe(32);
    expect(half.getLayer('vgg/fc1').getConfig()['units']).toBe(64);
    expect(half.getLayer('vgg/logits').getConfig()['units']).toBe(10);
    half.dispose();
    for (const arch of ARCH_IDS) {
      const tiny = buildModel(spec(arch, [28, 28, 1], { width: 0.01 }));
      expect(tiny.countParams()).toBe(paramCount(spec(arch, [28, 28, 1], { width: 0.01 })));
      tiny.dispose();
    }
  });
});

describe('seeded initialisation', () => {
  for (const arch of ARCH_IDS) {
    it(`${arch}: same seed gives identical weights, another seed different ones`, () => {
      const a = buildModel(spec(arch));
      const b = buildModel(spec(arch));
      const c = buildModel({ ...spec(arch), seed: 43 });
      const [wa, wb, wc] = [a, b, c].map(weightBytes);
      expect([...wa.keys()]).toEqual([...wb.keys()]);
      for (const [name, v] of wa) {
        expect(Buffer.from(v.buffer).equals(Buffer.from(wb.get(name)!.buffer)), name).toBe(true);
        if (name.endsWith('/kernel')) expect(Buffer.from(v.buffer).equals(Buffer.from(wc.get(name)!.buffer)), name).toBe(false);
      }
      // layers of the same shape get different initial values (per-layer seeds)
      if (arch === 'resnet') expect(wa.get('resnet/s1b1_conv2/kernel')).not.toEqual(wa.get('resnet/s1b1_conv1/kernel'));
      [a, b, c].forEach((m) => m.dispose());
    });
  }

  it('layerSeed is deterministic, distinct per index and per seed, and a uint32', () => {
    const seeds = new Set<number>();
    for (const s of [0, 1, 2, -1, 2 ** 40]) for (let i = 0; i < 50; i++) seeds.add(layerSeed(s, i));
    expect(seeds.size).toBe(250);
    expect(layerSeed(7, 3)).toBe(layerSeed(7, 3));
    for (const v of seeds) expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
  });
});

describe('seeded dropout (vgg dropout option)', () => {
  it('is the identity at inference and draws a fresh, reproducible mask per training call', () => {
    const make = () => new SeededDropout({ rate: 0.5, seed: 9, name: 'd' });
    const [d1, d2] = [make(), make()];
    const x = tf.ones([1, 64]);
    const run = (d: SeededDropout, training: boolean) => {
      const y = d.apply(x, { training }) as tf.Tensor;
      const v = [...y.dataSync()];
      if (y !== x) y.dispose();
      return v;
    };
    expect(run(d1, false)).toEqual(new Array(64).fill(1));
    const m1 = [run(d1, true), run(d1, true)];
    const m2 = [run(d2, true), run(d2, true)];
    expect(m1[0]).not.toEqual(m1[1]);
    expect(m1).toEqual(m2);
    expect(new Set(m1[0])).toEqual(new Set([0, 2]));
    x.dispose();
  });

  it('adds a dropout layer to vgg only when asked', () => {
    const plain = buildModel(spec('vgg'));
    const dropped = buildModel(spec('vgg', [28, 28, 1], { dropout: 0.3 }));
    expect(plain.layers.some((l) => l.getClassName() === 'SeededDropout')).toBe(false);
    expect(dropped.getLayer('vgg/dropout').getConfig()['rate']).toBe(0.3);
    expect(dropped.countParams()).toBe(plain.countParams());
    plain.dispose();
    dropped.dispose();
  });
});

describe('spec validation', () => {
  const bad: [string, unknown, RegExp][] = [
    ['unknown arch', { ...spec('cnn'), arch: 'alexnet' }, /unknown architecture "alexnet"; choose one of mlp, lenet, cnn, vgg, resnet/],
    ['too small for cnn', spec('cnn', [8, 8, 1]), /8×8 is too small for cnn; it needs at least 10×10/],
    ['too small for lenet', spec('lenet', [28, 11, 1]), /too small for lenet; it needs at least 12×12/],
    ['too small for vgg', spec('vgg', [3, 3, 3]), /too small for vgg; it needs at least 4×4/],
    ['one class', { ...spec('mlp'), numClasses: 1 }, /numClasses: expected an integer >= 2, got 1/],
    ['bad input shape', { ...spec('mlp'), inputShape: [28, 28] }, /inputShape: expected \[height, width, channels\]/],
    ['fractional input side', { ...spec('mlp'), inputShape: [28.5, 28, 1] }, /inputShape/],
    ['non-integer seed', { ...spec('mlp'), seed: 0.5 }, /seed: expected an integer/],
    ['zero width', { ...spec('mlp'), width: 0 }, /width: expected a positive number/],
    ['blocksPerStage on cnn', spec('cnn', [28, 28, 1], { blocksPerStage: 2 }), /blocksPerStage applies to resnet only/],
    ['dropout on mlp', spec('mlp', [28, 28, 1], { dropout: 0.3 }), /dropout applies to vgg only/],
    ['dropout of 1', spec('vgg', [28, 28, 1], { dropout: 1 }), /dropout: expected a rate in \[0, 1\)/],
  ];
  for (const [what, s, re] of bad) {
    it(`rejects ${what}`, () => {
      const before = tf.memory().numTensors;
      expect(() => buildModel(s as ArchSpec)).toThrow(re);
      expect(() => paramCount(s as ArchSpec)).toThrow(re);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('reports each family minimum input side', () => {
    expect(Object.fromEntries(ARCHITECTURES.map((a) => [a.id, a.minInputSide]))).toEqual({ mlp: 1, lenet: 12, cnn: 10, vgg: 4, resnet: 1 });
    for (const a of ARCHITECTURES) {
      const m = buildModel(spec(a.id, [a.minInputSide, a.minInputSide, 1]));
      const y = m.predict(tf.zeros([1, a.minInputSide, a.minInputSide, 1])) as tf.Tensor;
      expect(y.shape).toEqual([1, 10]);
      m.dispose();
    }
  });
});
