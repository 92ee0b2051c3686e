/**
 * Our forward-pass and elementwise wasm kernels (native conv2d, batch norm, per-channel
 * broadcasts, Tile, copy-free Identity) against tfjs's reference cpu backend, including the cases
 * that must fall through to the backend's own kernels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { CASES, compareWithCpu, rand } from './cpu-compare.ts';

beforeAll(async () => {
  await initBackend('wasm');
  await tf.setBackend('cpu');
});

describe('Conv2D (ours, wasm) vs cpu', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const xv = rand(c.x, 21);
      const fv = rand(c.f, 22);
      await compareWithCpu(() => tf.conv2d(tf.tensor4d(xv, c.x), tf.tensor4d(fv, c.f), c.s, c.pad));
    });
  }
});

describe('FusedConv2D (ours for linear/relu with a [C] bias) vs cpu', () => {
  const variants: { name: string; activation: 'linear' | 'relu' | 'relu6' | 'elu'; bias: boolean; dilation?: number }[] = [
    { name: 'bias + relu', activation: 'relu', bias: true },
    { name: 'bias, linear', activation: 'linear', bias: true },
    { name: 'relu, no bias', activation: 'relu', bias: false },
    { name: 'relu6 (backend kernel)', activation: 'relu6', bias: true },
    { name: 'elu (backend kernel)', activation: 'elu', bias: true },
  ];
  for (const v of variants) {
    for (const c of [CASES[1], CASES[3], CASES[10], CASES[11]]) {
      it(`${v.name}: ${c.name}`, async () => {
        const xv = rand(c.x, 23);
        const fv = rand(c.f, 24);
        const bv = rand([c.f[3]], 25);
        await compareWithCpu(() =>
          tf.fused.conv2d({
            x: tf.tensor4d(xv, c.x), filter: tf.tensor4d(fv, c.f), strides: c.s, pad: c.pad,
            bias: v.bias ? tf.tensor1d(bv) : undefined, activation: v.activation,
          }),
        );
      });
    }
  }

  it('dilation 2 goes to the backend kernel', async () => {
    const xv = rand([2, 9, 9, 3], 26);
    const fv = rand([3, 3, 3, 4], 27);
    await compareWithCpu(() => tf.conv2d(tf.tensor4d(xv, [2, 9, 9, 3]), tf.tensor4d(fv, [3, 3, 3, 4]), 1, 'same', 'NHWC', 2));
  });
});

describe('per-channel broadcast Add/Sub/Multiply/RealDiv vs cpu', () => {
  const ops = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div } as const;
  const shapes: [number[], number[]][] = [
    [[4, 5, 6, 16], [16]],
    [[4, 5, 6, 16], [1, 1, 1, 16]],
    [[3, 7, 5], [5]], // channel tail (5 = 4 + 1)
    [[10, 3], [1, 3]],
    [[4, 5], [4, 1]], // not a channel vector: backend kernel
    [[4, 5, 6], [5, 6]], // not a channel vector: backend kernel
    [[4, 5], [4, 5]], // same shape: backend kernel
  ];
  for (const [name, op] of Object.entries(ops)) {
    for (const [full, vec] of shapes) {
      it(`${name} ${full} with ${vec}, both orders`, async () => {
        const fv = rand(full, 28);
        const vv = rand(vec, 29).map((x) => x + 3); // away from 0 for div
        await compareWithCpu(() => op(tf.tensor(fv, full), tf.tensor(vv, vec)));
        await compareWithCpu(() => op(tf.tensor(vv, vec), tf.tensor(fv, full)));
      });
    }
  }

  it('int32 goes to the backend kernel', async () => {
    await tf.setBackend('wasm');
    const r = tf.tidy(() => tf.add(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), tf.tensor([10, 20], [2], 'int32')));
    expect(r.dtype).toBe('int32');
    expect(Array.from(r.dataSync())).toEqual([11, 22, 13, 24]);
    r.dispose();
  });
});

describe('FusedBatchNorm (per-channel) vs cpu', () => {
  for (const [shape, withScale, withOffset] of [
    [[4, 5, 6, 16], true, true],
    [[4, 5, 6, 16], false, true],
    [[4, 5, 6, 16], true, false],
    [[50, 7], true, true],
  ] as [number[], boolean, boolean][]) {
    it(`${shape} scale=${withScale} offset=${withOffset}`, async () => {
      const C = shape[shape.length - 1];
      const xv = rand(shape, 30, 2);
      const mv = rand([C], 31);
      const vv = rand([C], 32).map((x) => x * x + 0.1);
      const sv = rand([C], 33);
      const ov = rand([C], 34);
      await compareWithCpu(() =>
        tf.batchNorm(tf.tensor(xv, shape), tf.tensor1d(mv), tf.tensor1d(vv),
          withOffset ? tf.tensor1d(ov) : undefined, withScale ? tf.tensor1d(sv) : undefined, 1e-5),
      );
    });
  }
});

describe('Tile vs cpu', () => {
  const cases: [number[], number[], 'float32' | 'int32'][] = [
    [[1, 1, 1, 16], [4, 5, 6, 1], 'float32'], // the batch-norm gradient's pattern
    [[2, 3], [3, 2], 'float32'],
    [[2, 1, 3], [1, 4, 2], 'int32'],
    [[1, 2, 1, 2, 3], [2, 1, 3, 1, 2], 'float32'],
    [[5], [7], 'float32'],
    [[300], [3], 'float32'], // large blocks (memory.copy)
  ];
  for (const [shape, reps, dtype] of cases) {
    it(`${shape} × ${reps} ${dtype}`, async () => {
      const v = rand(shape, 35).map((x) => (dtype === 'int32' ? Math.round(x * 100) : x));
      await compareWithCpu(() => tf.tile(tf.tensor(v, shape, dtype), reps).toFloat());
    });
  }

  it('bool goes to the backend kernel', async () => {
    await tf.setBackend('wasm');
    const r = tf.tidy(() => tf.tile(tf.tensor([true, false], [2], 'bool'), [2]));
    expect(Array.from(r.dataSync())).toEqual([1, 0, 1, 0]);
    r.dispose();
  });
});

describe('Identity without a copy', () => {
  it('a clone survives its source and is freed with its last reference', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numBytes;
    const a = tf.tensor([1, 2, 3, 4]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
});
