import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { buildModel } from '../../../../src/main/engine/models/architectures.ts';
import { conv2d } from '../../../../src/main/engine/models/tape-aware-conv2d.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const kernelsOf = async (f: () => void) => (await tf.profile(f)).kernels.map((k) => k.name);

describe('TapeAwareConv2D', () => {
  it('computes what the library layer computes: outputs, input and weight gradients', () => {
    for (const useBias of [false, true]) {
      const args = { filters: 5, kernelSize: 3, strides: 2, padding: 'same' as const, useBias, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) };
      const ours = conv2d(args);
      const lib = tf.layers.conv2d(args);
      const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      ours.build(x.shape);
      lib.build(x.shape);
      lib.setWeights(ours.getWeights());
      const loss = (layer: tf.layers.Layer) => (xi: tf.Tensor) => (layer.apply(xi) as tf.Tensor).square().sum();
      expect(Array.from((ours.apply(x) as tf.Tensor).dataSync())).toEqual(Array.from((lib.apply(x) as tf.Tensor).dataSync()));
      const gOurs = tf.grad(loss(ours))(x).dataSync();
      const gLib = tf.grad(loss(lib))(x).dataSync();
      gOurs.forEach((v, i) => expect(v).toBeCloseTo(gLib[i], 4));
      const wOurs = tf.variableGrads(() => loss(ours)(x) as tf.Scalar).grads;
      const wLib = tf.variableGrads(() => loss(lib)(x) as tf.Scalar).grads;
      expect(Object.keys(wOurs)).toHaveLength(useBias ? 2 : 1);
      Object.values(wOurs).forEach((g, i) => g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(Object.values(wLib)[i].dataSync()[j], 3)));
      tf.dispose([x, ...Object.values(wOurs), ...Object.values(wLib)]);
    }
  });

  it('an input gradient of the resnet computes no filter gradients', async () => {
    const model = buildModel({ arch: 'resnet', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 1);
    const g = tf.grad((xi: tf.Tensor) => (model.apply(xi, { training: false }) as tf.Tensor).sum());
    const names = await kernelsOf(() => void tf.tidy(() => g(x).dataSync()));
    expect(names).toContain('Conv2DBackpropInput');
    expect(names).not.toContain('Conv2DBackpropFilter');
    tf.dispose(x);
    model.dispose();
  });

  it('saves as the standard Conv2D class, so plain tfjs can load our models', () => {
    const model = buildModel({ arch: 'resnet', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const topology = JSON.stringify(model.toJSON(null, false));
    expect(topology).toContain('"class_name":"Conv2D"');
    expect(topology).not.toContain('TapeAware');
    model.dispose();
  });
});
