import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../../../../src/main/engine/data/types.ts';
import type { Classifier } from '../../../../../src/main/engine/lab/types.ts';
import { centralCropResize } from '../../../../../src/main/engine/lab/wrappers/crop-resize.ts';
import { flipImages } from '../../../../../src/main/engine/lab/wrappers/flip.ts';
import { rotateImages } from '../../../../../src/main/engine/lab/wrappers/rotate.ts';
import { addClippedGaussian } from '../../../../../src/main/engine/lab/wrappers/common.ts';
import { gaussianBlurImages, gaussianTaps, opencvSigma } from '../../../../../src/main/engine/lab/wrappers/gaussian-blur.ts';
import { getWrapper } from '../../../../../src/main/engine/lab/wrappers/index.ts';
import { images, maxAbsDiff, setup, spread, untrained } from './fixtures.ts';

let data: Dataset;
let x: tf.Tensor4D;
let model: tf.LayersModel;
let base: Classifier;

beforeAll(async () => {
  data = await setup();
  x = images(data, spread(16, 611));
  ({ model, clf: base } = untrained('cnn'));
});
afterAll(() => {
  x.dispose();
  model.dispose();
});

const constant = (v: number): tf.Tensor4D => tf.fill([2, 28, 28, 1], v) as tf.Tensor4D;

describe('input transforms', () => {
  it('flip: mirrors columns, and twice is the identity', () => {
    tf.tidy(() => {
      const f = flipImages(x, 'horizontal');
      expect(maxAbsDiff(f.slice([0, 0, 0, 0], [-1, -1, 1, -1]), x.slice([0, 0, 27, 0], [-1, -1, 1, -1]))).toBe(0);
      expect(maxAbsDiff(flipImages(f, 'horizontal'), x)).toBe(0);
      expect(maxAbsDiff(flipImages(flipImages(x, 'vertical'), 'vertical'), x)).toBe(0);
      expect(maxAbsDiff(f, x)).toBeGreaterThan(0.5);
    });
  });

  it('rotate: 0° is the identity, 90° maps in[x][W-1-y] to out[y][x], 15° changes the image and stays in [0,1]', () => {
    tf.tidy(() => {
      expect(maxAbsDiff(rotateImages(x, 0), x)).toBe(0);
      const expected = tf.transpose(tf.reverse(x, 2), [0, 2, 1, 3]);
      expect(maxAbsDiff(rotateImages(x, 90), expected)).toBeLessThan(1e-5);
      expect(maxAbsDiff(rotateImages(rotateImages(x, 90), -90), x)).toBeLessThan(1e-5);
      const r = rotateImages(x, 15);
      expect(maxAbsDiff(r, x)).toBeGreaterThan(0.3);
      expect(tf.min(r).dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(tf.max(r).dataSync()[0]).toBeLessThanOrEqual(1 + 1e-6);
      // Zero fill: a constant image loses its corners but keeps its centre.
      const c = rotateImages(constant(0.5), 45).arraySync() as number[][][][];
      expect(c[0][0][0][0]).toBe(0);
      expect(c[0][14][14][0]).toBeCloseTo(0.5, 5);
    });
  });

  it('crop-resize: keep=1 is the identity, a constant stays constant, the centre is magnified', () => {
    tf.tidy(() => {
      expect(maxAbsDiff(centralCropResize(x, 1), x)).toBeLessThan(1e-6);
      expect(maxAbsDiff(centralCropResize(constant(0.3), 0.75), constant(0.3))).toBeLessThan(1e-6);
      // A centred square of side 8 becomes a square of side ≈ 8/0.75 after magnification.
      const sq = tf.pad(tf.ones([1, 8, 8, 1]), [[0, 0], [10, 10], [10, 10], [0, 0]]) as tf.Tensor4D;
      const mass = tf.sum(centralCropResize(sq, 0.75)).dataSync()[0];
      expect(mass).toBeGreaterThan(64 / 0.75 ** 2 - 12);
      expect(mass).toBeLessThan(64 / 0.75 ** 2 + 12);
    });
  });

  it('gaussian-blur: taps follow OpenCV (σ=1.1 for k=5, sum 1), a constant image stays constant, mass is kept, edges soften', () => {
    expect(opencvSigma(5)).toBeCloseTo(1.1, 10);
    const taps = gaussianTaps(5, 1.1);
    expect(taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(taps[0]).toBeCloseTo(taps[4], 7);
    tf.tidy(() => {
      expect(maxAbsDiff(gaussianBlurImages(constant(0.7), 5, 1.1), constant(0.7))).toBeLessThan(1e-6);
      expect(maxAbsDiff(gaussianBlurImages(x, 1, 1), x)).toBe(0);
      const b = gaussianBlurImages(x, 5, 1.1);
      // The kernel sums to 1, so total ink is kept up to what reflection adds at the (nearly empty) border.
      const ink = tf.sum(x).dataSync()[0];
      expect(Math.abs(tf.sum(b).dataSync()[0] - ink)).toBeLessThan(0.005 * ink);
      // Blurring removes high frequencies: the energy of neighbouring-pixel differences drops.
      const tv = (t: tf.Tensor4D) => tf.sum(tf.square(tf.sub(t.slice([0, 0, 1, 0], [-1, -1, 27, -1]), t.slice([0, 0, 0, 0], [-1, -1, 27, -1])))).dataSync()[0];
      expect(tv(b)).toBeLessThan(0.5 * tv(x));
    });
  });

  it('gaussian noise: std ≈ σ on a mid-grey image, clipped to [0,1], deterministic for a seed', () => {
    tf.tidy(() => {
      const grey = tf.fill([8, 28, 28, 1], 0.5) as tf.Tensor4D;
      const n = addClippedGaussian(grey, 16 / 255, 42);
      const d = tf.sub(n, grey);
      const { mean, variance } = tf.moments(d);
      expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.003);
      expect(Math.sqrt(variance.dataSync()[0])).toBeCloseTo(16 / 255, 2);
      expect(maxAbsDiff(addClippedGaussian(grey, 16 / 255, 42), n)).toBe(0);
      expect(maxAbsDiff(addClippedGaussian(grey, 16 / 255, 43), n)).toBeGreaterThan(0);
      const big = addClippedGaussian(x, 0.5, 1);
      expect(tf.min(big).dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(tf.max(big).dataSync()[0]).toBeLessThanOrEqual(1);
    });
  });
});

describe('input-processing wrappers', () => {
  const cases: Array<[string, Record<string, unknown>, (t: tf.Tensor4D) => tf.Tensor4D]> = [
    ['flip', {}, (t) => flipImages(t, 'horizontal')],
    ['rotate', {}, (t) => rotateImages(t, 15)],
    ['crop-resize', {}, (t) => centralCropResize(t, 0.75)],
    ['gaussian-blur', {}, (t) => gaussianBlurImages(t, 5, 1.1)],
  ];
  for (const [id, params, transform] of cases) {
    it(`${id}: answers exactly what the base answers on the transformed input, which differs from the base's answer`, () => {
      const wrapped = getWrapper(id).wrap(base, params, 0);
      tf.tidy(() => {
        const got = wrapped.predictProbs(x);
        expect(maxAbsDiff(got, base.predictProbs(transform(x)))).toBeLessThan(1e-6);
        expect(maxAbsDiff(got, base.predictProbs(x))).toBeGreaterThan(1e-4);
      });
    });
  }

  it('gaussian-noise: seeded per query batch: same seed + same query sequence → same answers; repeats differ', () => {
    const make = (seed: number) => getWrapper('gaussian-noise').wrap(base, {}, seed);
    const a = make(9);
    const b = make(9);
    tf.tidy(() => {
      const a1 = a.predictProbs(x);
      const a2 = a.predictProbs(x);
      expect(maxAbsDiff(a1, b.predictProbs(x))).toBe(0);
      expect(maxAbsDiff(a2, b.predictProbs(x))).toBe(0);
      expect(maxAbsDiff(a1, a2)).toBeGreaterThan(0);
      expect(maxAbsDiff(a1, make(10).predictProbs(x))).toBeGreaterThan(0);
      expect(maxAbsDiff(getWrapper('gaussian-noise').wrap(base, { sigma: 0 }, 9).predictProbs(x), base.predictProbs(x))).toBe(0);
    });
  });
});
