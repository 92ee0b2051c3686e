import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../../../src/main/engine/lab/types.ts';
import { gaussianArray, laplaceArray } from '../../../../../src/main/engine/lab/wrappers/common.ts';
import { getWrapper } from '../../../../../src/main/engine/lab/wrappers/index.ts';
import { images, maxAbsDiff, setup, spread, untrained } from './fixtures.ts';

let x: tf.Tensor4D;
let model: tf.LayersModel;
let base: Classifier;

beforeAll(async () => {
  const data = await setup();
  x = images(data, spread(32, 307));
  ({ model, clf: base } = untrained('mlp', 4));
});
afterAll(() => {
  x.dispose();
  model.dispose();
});

const dp = (params: Record<string, unknown>, seed = 1) => getWrapper('dp-logits').wrap(base, params, seed);

describe('dp-logits', () => {
  it('scale 0 answers exactly the base', () => {
    tf.tidy(() => {
      expect(maxAbsDiff(dp({ scale: 0 }).predictProbs(x), base.predictProbs(x))).toBe(0);
    });
  });

  it('with noise, answers differ from the base and rows still sum to 1 (both distributions)', () => {
    for (const distribution of ['laplace', 'gaussian']) {
      tf.tidy(() => {
        const p = dp({ distribution, scale: 1 }).predictProbs(x);
        expect(maxAbsDiff(p, base.predictProbs(x))).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(tf.sum(p, 1), tf.onesLike(tf.sum(p, 1)))).toBeLessThan(1e-5);
        expect(tf.min(p).dataSync()[0]).toBeGreaterThanOrEqual(0);
      });
    }
  });

  it('same seed + same query sequence → same answers; another seed or the next query differs', () => {
    const a = dp({ distribution: 'gaussian' }, 5);
    const b = dp({ distribution: 'gaussian' }, 5);
    tf.tidy(() => {
      const a1 = a.predictProbs(x);
      const a2 = a.predictProbs(x);
      expect(maxAbsDiff(a1, b.predictProbs(x))).toBe(0);
      expect(maxAbsDiff(a2, b.predictProbs(x))).toBe(0);
      expect(maxAbsDiff(a1, a2)).toBeGreaterThan(0);
      expect(maxAbsDiff(a1, dp({ distribution: 'gaussian' }, 6).predictProbs(x))).toBeGreaterThan(0);
    });
  });

  it('noise is log-space additive: log-ratio changes have the requested spread', () => {
    // With an untrained base the probabilities are far from 0, so log(p_dp) − log(p) = noise − (row constant).
    tf.tidy(() => {
      const p = base.predictProbs(x);
      const q = dp({ distribution: 'gaussian', scale: 0.5 }).predictProbs(x);
      const d = tf.sub(tf.log(q), tf.log(p));
      const centred = tf.sub(d, tf.mean(d, 1, true));
      // Centring 10 iid N(0, s²) draws leaves variance s²·9/10.
      const sd = Math.sqrt(tf.mean(tf.square(centred)).dataSync()[0] / 0.9);
      expect(sd).toBeGreaterThan(0.4);
      expect(sd).toBeLessThan(0.6);
    });
  });

  it('the noise streams have the right moments', () => {
    const g = gaussianArray(20001, 3);
    const l = laplaceArray(20000, 3);
    const m = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const v = (a: Float32Array) => a.reduce((s, x) => s + x * x, 0) / a.length - m(a) ** 2;
    expect(Math.abs(m(g))).toBeLessThan(0.03);
    expect(v(g)).toBeCloseTo(1, 1);
    expect(Math.abs(m(l))).toBeLessThan(0.04);
    expect(v(l)).toBeGreaterThan(1.85); // Laplace(1): variance 2
    expect(v(l)).toBeLessThan(2.15);
  });
});
