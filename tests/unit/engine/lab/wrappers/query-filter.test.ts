import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../../../../src/main/engine/data/types.ts';
import type { Classifier } from '../../../../../src/main/engine/lab/types.ts';
import { queryFilter, shiftImages } from '../../../../../src/main/engine/lab/wrappers/query-filter.ts';
import { applyWrappers, filterStats } from '../../../../../src/main/engine/lab/wrappers/index.ts';
import { images, maxAbsDiff, setup, spread, trained } from './fixtures.ts';

let data: Dataset;
let model: tf.LayersModel;
let base: Classifier;
let clean: tf.Tensor4D;
let boundary: tf.Tensor4D;

const labelsOf = (c: Classifier, x: tf.Tensor4D): number[] => tf.tidy(() => Array.from(tf.argMax(c.predictProbs(x), 1).dataSync()));

/**
 * Points on the base's decision boundary: for pairs of clean digits the base labels differently,
 * bisect the straight line between them to where the label flips and keep the point just before it.
 */
function boundaryPoints(x: tf.Tensor4D, labels: number[], count: number): tf.Tensor4D {
  const pts: tf.Tensor4D[] = [];
  // Pair each digit with one half the list away: the data are stored class by class, so the pair
  // is usually of two different classes.
  const half = Math.floor(labels.length / 2);
  for (let i = 0; i < half && pts.length < count; i++) {
    const j = i + half;
    if (labels[i] === labels[j]) continue;
    const a = x.slice([i, 0, 0, 0], [1, -1, -1, -1]);
    const b = x.slice([j, 0, 0, 0], [1, -1, -1, -1]);
    const mix = (t: number) => tf.tidy(() => tf.add(tf.mul(a, 1 - t), tf.mul(b, t)) as tf.Tensor4D);
    let lo = 0;
    let hi = 1;
    for (let s = 0; s < 14; s++) {
      const mid = (lo + hi) / 2;
      const m = mix(mid);
      if (labelsOf(base, m)[0] === labels[i]) lo = mid;
      else hi = mid;
      m.dispose();
    }
    pts.push(mix(lo));
    a.dispose();
    b.dispose();
  }
  const out = tf.concat(pts, 0) as tf.Tensor4D;
  tf.dispose(pts);
  return out;
}

beforeAll(async () => {
  data = await setup();
  ({ model, clf: base } = await trained(data, spread(5000, 2), 4, 2));
  clean = images(data, spread(200, 50, 1));
  boundary = boundaryPoints(clean, labelsOf(base, clean), 40);
});
afterAll(() => {
  tf.dispose([clean, boundary]);
  model.dispose();
});

describe('query-filter', () => {
  it('shiftImages translates with zero fill', () => {
    tf.tidy(() => {
      const x = clean.slice([0, 0, 0, 0], [2, -1, -1, -1]);
      const s = shiftImages(x, 1, -2);
      expect(maxAbsDiff(s.slice([0, 1, 0, 0], [-1, 27, 26, -1]), x.slice([0, 0, 2, 0], [-1, 27, 26, -1]))).toBe(0);
      expect(tf.sum(s.slice([0, 0, 0, 0], [-1, 1, -1, -1])).dataSync()[0]).toBe(0);
      expect(tf.sum(s.slice([0, 0, 26, 0], [-1, -1, 2, -1])).dataSync()[0]).toBe(0);
    });
  });

  it('flags most decision-boundary queries and few clean digits (MFUE Table 2 style)', () => {
    const f = queryFilter.wrap(base, {}, 11);
    f.predictProbs(clean).dispose();
    const cleanRate = f.stats().flagged / f.stats().queries;
    f.resetStats();
    f.predictProbs(boundary).dispose();
    const boundaryRate = f.stats().flagged / f.stats().queries;
    console.log(`query-filter: ${boundary.shape[0]} boundary points, flagged ${(100 * boundaryRate).toFixed(0)}%; clean flagged ${(100 * cleanRate).toFixed(1)}% of ${clean.shape[0]}`);
    expect(boundary.shape[0]).toBeGreaterThanOrEqual(20);
    expect(boundaryRate).toBeGreaterThan(0.6);
    expect(cleanRate).toBeLessThan(0.1);
  });

  it('answers flagged queries with the runner-up label and unflagged ones with the base probabilities', () => {
    const before = tf.tidy(() => base.predictProbs(boundary).arraySync());
    for (const respond of ['one-hot', 'swap'] as const) {
      const f = queryFilter.wrap(base, { respond }, 11);
      tf.tidy(() => {
        const x = tf.concat([boundary, clean.slice([0, 0, 0, 0], [20, -1, -1, -1])], 0) as tf.Tensor4D;
        const got = f.predictProbs(x).arraySync();
        const flags = f.lastFlags();
        const probs = base.predictProbs(x).arraySync();
        expect(flags.length).toBe(x.shape[0]);
        for (let i = 0; i < flags.length; i++) {
          const order = probs[i].map((p, c) => [p, c]).sort((a, b) => b[0] - a[0]).map((pc) => pc[1]);
          const label = got[i].indexOf(Math.max(...got[i]));
          if (flags[i]) {
            expect(label).not.toBe(order[0]);
            expect(label).toBe(order[1]);
            expect(got[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
            if (respond === 'one-hot') expect(got[i][order[1]]).toBe(1);
          } else {
            expect(got[i]).toEqual(probs[i]);
          }
        }
      });
    }
    expect(tf.tidy(() => base.predictProbs(boundary).arraySync())).toEqual(before);
  });

  it('is deterministic for a seed, counts rows across calls, and is found through a chain', () => {
    const run = (seed: number) => {
      const f = queryFilter.wrap(base, {}, seed);
      const flags = [0, 1].map(() => {
        f.predictProbs(boundary).dispose();
        return Array.from(f.lastFlags());
      });
      return { flags, stats: f.stats() };
    };
    const a = run(4);
    expect(run(4)).toEqual(a);
    expect(a.stats.queries).toBe(2 * boundary.shape[0]);
    expect(a.stats.flagged).toBe(a.flags.flat().reduce((s, v) => s + v, 0));

    const chain = applyWrappers(base, [
      { wrapper: 'query-filter', params: { threshold: 0.75 }, seed: 1 },
      { wrapper: 'gaussian-blur', params: { k: 3 }, seed: 0 },
    ]);
    expect(chain.describe()).toMatch(/^blur\(k=3, σ=0\.8\) ∘ query-filter\(k=4, σ=0\.0314, shift=1, threshold=0\.75\) ∘ cnn$/);
    chain.predictProbs(clean).dispose();
    expect(filterStats(chain)?.queries).toBe(clean.shape[0]);
  });

  it('keeps numTensors flat and a lower threshold flags no more than a stricter one', () => {
    const strict = queryFilter.wrap(base, { threshold: 1 }, 2);
    const lax = queryFilter.wrap(base, { threshold: 0.5 }, 2);
    strict.predictProbs(boundary).dispose();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) strict.predictProbs(boundary).dispose();
    expect(tf.memory().numTensors).toBe(n0);
    lax.predictProbs(boundary).dispose();
    // Same seed and counter → same copies, so the lax filter's flags are a subset of the strict one's.
    const s = queryFilter.wrap(base, { threshold: 1 }, 2);
    s.predictProbs(boundary).dispose();
    expect(lax.stats().flagged).toBeLessThanOrEqual(s.stats().flagged);
  });
});
