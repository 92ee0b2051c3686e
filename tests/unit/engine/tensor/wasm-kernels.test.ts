/**
 * Our wasm kernels against tfjs's reference cpu backend on random inputs: every stride/padding
 * shape our architectures use (valid, same with odd/even sizes and so asymmetric padding, explicit,
 * 1×1 projections, rectangular strides), batched transposed matmuls, and a whole gradient.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { CASES, compareWithCpu, expectClose, onBackend, rand } from './cpu-compare.ts';

beforeAll(async () => {
  await initBackend('wasm');
  await tf.setBackend('cpu'); // registers and initialises cpu too
});

describe('Conv2DBackpropFilter (ours, wasm) vs cpu', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const xv = rand(c.x, 1);
      const yShape = await onBackend('cpu', () => tf.conv2d(tf.tensor4d(xv, c.x), tf.zeros(c.f) as tf.Tensor4D, c.s, c.pad));
      const outShape = tf.tidy(() => tf.conv2d(tf.tensor4d(xv, c.x), tf.zeros(c.f) as tf.Tensor4D, c.s, c.pad).shape);
      expect(yShape.length).toBeGreaterThan(0);
      const dyv = rand(outShape, 2);
      const run = () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(xv, c.x), dy: tf.tensor(dyv, outShape) }, {
          strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f,
        } as never) as tf.Tensor;
      const expected = await onBackend('cpu', run);
      const actual = await onBackend('wasm', run);
      expectClose(actual, expected);
    });
  }
});

describe('Conv2DBackpropInput (ours, wasm) vs cpu', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const fv = rand(c.f, 3);
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.s, c.pad).shape);
      const dyv = rand(outShape, 4);
      const run = () =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor(dyv, outShape), filter: tf.tensor4d(fv, c.f) }, {
          strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x,
        } as never) as tf.Tensor;
      const expected = await onBackend('cpu', run);
      const actual = await onBackend('wasm', run);
      expectClose(actual, expected);
    });
  }
});

describe('BatchMatMul with transposes (ours, wasm) vs cpu', () => {
  const shapes: [number[], number[], boolean, boolean][] = [
    [[37, 19], [19, 23], false, false],
    [[19, 37], [19, 23], true, false],
    [[37, 19], [23, 19], false, true],
    [[19, 37], [23, 19], true, true],
    [[3, 5, 4], [3, 5, 6], true, false],
    [[3, 4, 5], [1, 6, 5], false, true],
  ];
  for (const [as, bs, ta, tb] of shapes) {
    it(`${as} x ${bs} tA=${ta} tB=${tb}`, async () => {
      const av = rand(as, 5);
      const bv = rand(bs, 6);
      const run = () => tf.matMul(tf.tensor(av, as), tf.tensor(bv, bs), ta, tb);
      expectClose(await onBackend('wasm', run), await onBackend('cpu', run));
    });
  }
});

describe('whole gradient of a small conv net', () => {
  it('matches cpu for every parameter and the input', async () => {
    const xv = rand([4, 10, 10, 2], 7);
    const w1v = rand([3, 3, 2, 4], 8);
    const w2v = rand([3, 3, 4, 6], 9);
    const w3v = rand([3 * 3 * 6, 3], 10);
    const grads = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const out = tf.tidy(() => {
        const f = (x: tf.Tensor4D, w1: tf.Tensor4D, w2: tf.Tensor4D, w3: tf.Tensor2D) => {
          let h = tf.relu(tf.conv2d(x, w1, 1, 'same'));
          h = tf.maxPool(h, 2, 2, 'valid');
          h = tf.relu(tf.conv2d(h, w2, 2, 'same'));
          return tf.matMul(h.reshape([4, -1]), w3).square().sum();
        };
        const g = tf.grads(f as never);
        return g([tf.tensor4d(xv, [4, 10, 10, 2]), tf.tensor4d(w1v, [3, 3, 2, 4]), tf.tensor4d(w2v, [3, 3, 4, 6]), tf.tensor2d(w3v, [54, 3])]);
      });
      const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(out);
      return data;
    };
    const expected = await grads('cpu');
    const actual = await grads('wasm');
    for (let i = 0; i < expected.length; i++) expectClose(actual[i], expected[i]);
  });
});

describe('MaxPoolGrad (ours, wasm) vs cpu, including ties after ReLU', () => {
  const pools: { name: string; x: [number, number, number, number]; f: [number, number]; s: [number, number]; pad: 'valid' | 'same' }[] = [
    { name: '2x2 s2 valid', x: [2, 8, 8, 3], f: [2, 2], s: [2, 2], pad: 'valid' },
    { name: '2x2 s2 valid odd size', x: [2, 9, 7, 2], f: [2, 2], s: [2, 2], pad: 'valid' },
    { name: '3x3 s2 same', x: [2, 7, 7, 4], f: [3, 3], s: [2, 2], pad: 'same' },
    { name: '3x3 s1 same (overlapping)', x: [1, 6, 6, 3], f: [3, 3], s: [1, 1], pad: 'same' },
  ];
  for (const p of pools) {
    it(p.name, async () => {
      // ReLU'd values: about half are exact zeros, so many windows tie.
      const xv = rand(p.x, 11).map((v) => Math.max(0, v));
      const outShape = tf.tidy(() => tf.maxPool(tf.zeros(p.x) as tf.Tensor4D, p.f, p.s, p.pad).shape);
      const dyv = rand(outShape, 12);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, p.x);
          const g = tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, p.f, p.s, p.pad).mul(tf.tensor(dyv, outShape)).sum());
          return g(x);
        });
      expectClose(await onBackend('wasm', run), await onBackend('cpu', run));
    });
  }
});

describe('Sum and Mean over leading axes (ours, wasm) vs cpu; other axes fall through', () => {
  const cases: { shape: number[]; axis: number[]; keepDims: boolean }[] = [
    { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: false },
    { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: true },
    { shape: [9, 3], axis: [0], keepDims: false },
    { shape: [4, 5, 6], axis: [1, 2], keepDims: false }, // not leading: the backend's kernel
    { shape: [4, 5, 6], axis: [0, 2], keepDims: false }, // not leading: the backend's kernel
  ];
  for (const c of cases) {
    for (const op of ['sum', 'mean'] as const) {
      it(`${op} ${c.shape} axis=${c.axis} keepDims=${c.keepDims}`, async () => {
        const xv = rand(c.shape, 13);
        const run = () => tf.tidy(() => tf[op](tf.tensor(xv, c.shape), c.axis, c.keepDims));
        await tf.setBackend('wasm');
        const shapeWasm = tf.tidy(() => run().shape);
        await tf.setBackend('cpu');
        const shapeCpu = tf.tidy(() => run().shape);
        expect(shapeWasm).toEqual(shapeCpu);
        expectClose(await onBackend('wasm', run), await onBackend('cpu', run));
      });
    }
  }
});

describe('accuracy on training-sized reductions (~43k rows, mean-1 data)', () => {
  it('Sum over [64,26,26] rows of 16 channels', async () => {
    const v = rand([64, 26, 26, 16], 14, 1);
    await compareWithCpu(() => tf.sum(tf.tensor(v, [64, 26, 26, 16]), [0, 1, 2]));
  });

  it('Conv2DBackpropFilter of the first conv of the cnn (M = 43264)', async () => {
    const xv = rand([64, 28, 28, 1], 15, 1);
    const dyv = rand([64, 26, 26, 16], 16, 1);
    const run = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(xv, [64, 28, 28, 1]), dy: tf.tensor(dyv, [64, 26, 26, 16]) }, {
        strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 1, 16],
      } as never) as tf.Tensor;
    await compareWithCpu(run, 2e-6);
  });
});
