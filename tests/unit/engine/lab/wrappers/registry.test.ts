import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { WRAPPER_IDS, type Classifier, type WrapperSpec } from '../../../../../src/main/engine/lab/types.ts';
import { applyWrappers, filterStats, getWrapper, WRAPPERS, wrapperRecords } from '../../../../../src/main/engine/lab/wrappers/index.ts';
import { flipImages } from '../../../../../src/main/engine/lab/wrappers/flip.ts';
import { gaussianBlurImages } from '../../../../../src/main/engine/lab/wrappers/gaussian-blur.ts';
import { images, maxAbsDiff, setup, spread, untrained } from './fixtures.ts';

let x: tf.Tensor4D;
let model: tf.LayersModel;
let base: Classifier;

beforeAll(async () => {
  const data = await setup();
  x = images(data, spread(8, 1201));
  ({ model, clf: base } = untrained('cnn', 2));
});
afterAll(() => {
  x.dispose();
  model.dispose();
});

describe('registry', () => {
  it('has every wrapper id, each with its own id and defaults', () => {
    expect(Object.keys(WRAPPERS).sort()).toEqual([...WRAPPER_IDS].sort());
    for (const id of WRAPPER_IDS) expect(getWrapper(id).id).toBe(id);
    expect(() => getWrapper('jpeg')).toThrow(/unknown wrapper "jpeg".*crop-resize/);
  });

  it('records every parameter with defaults filled (blur σ resolved from k)', () => {
    const c = applyWrappers(base, [
      { wrapper: 'gaussian-blur', params: {}, seed: 0 },
      { wrapper: 'gaussian-noise', params: {}, seed: 3 },
    ]);
    expect(wrapperRecords(c)).toEqual([
      { wrapper: 'gaussian-blur', params: { k: 5, sigma: 0.3 * (2 - 1) + 0.8 }, seed: 0 },
      { wrapper: 'gaussian-noise', params: { sigma: 16 / 255 }, seed: 3 },
    ]);
  });

  it('rejects bad params with errors naming the field', () => {
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['gaussian-noise', { sigma: -1 }, /^gaussian-noise\.sigma: expected a number >= 0, got -1$/],
      ['gaussian-blur', { k: 4 }, /^gaussian-blur\.k: expected an odd integer >= 1, got 4$/],
      ['gaussian-blur', { sigma: 0 }, /^gaussian-blur\.sigma: .*> 0.*got 0$/],
      ['gaussian-blur', { k: 61 }, /^gaussian-blur\.k: /],
      ['crop-resize', { keep: 0 }, /^crop-resize\.keep: expected a number > 0 and <= 1, got 0$/],
      ['crop-resize', { keep: '0.5' }, /^crop-resize\.keep: .*got "0.5"$/],
      ['rotate', { degrees: Number.NaN }, /^rotate\.degrees: /],
      ['flip', { direction: 'diagonal' }, /^flip\.direction: expected one of "horizontal", "vertical", got "diagonal"$/],
      ['dp-logits', { distribution: 'cauchy' }, /^dp-logits\.distribution: /],
      ['dp-logits', { scale: -0.1 }, /^dp-logits\.scale: /],
      ['query-filter', { k: 2.5 }, /^query-filter\.k: expected an integer >= 1, got 2.5$/],
      ['query-filter', { threshold: 0 }, /^query-filter\.threshold: /],
      ['query-filter', { shift: 28 }, /^query-filter\.shift: /],
      ['query-filter', { respond: 'random' }, /^query-filter\.respond: /],
      ['flip', { degrees: 3 }, /^flip\.degrees: unknown parameter \(known: direction\)$/],
    ];
    for (const [id, params, re] of bad) expect(() => getWrapper(id).wrap(base, params, 0), `${id} ${JSON.stringify(params)}`).toThrow(re);
    expect(() => getWrapper('gaussian-noise').wrap(base, {}, -1)).toThrow(/^gaussian-noise\.seed: /);
    expect(() => getWrapper('flip').wrap(base, {}, 0).predictProbs(tf.zeros([1, 32, 32, 1]) as tf.Tensor4D)).toThrow(/flip: expected input \[\*,28,28,1\]/);
  });
});

describe('applyWrappers', () => {
  it('wraps in list order (first spec innermost) and describe() reads as composition', () => {
    const specs: WrapperSpec[] = [
      { wrapper: 'gaussian-blur', params: { k: 3, sigma: 0.8 }, seed: 0 },
      { wrapper: 'flip', params: {}, seed: 0 },
    ];
    const c = applyWrappers(base, specs);
    expect(c.describe()).toBe('flip(horizontal) ∘ blur(k=3, σ=0.8) ∘ cnn');
    expect(applyWrappers(base, [])).toBe(base);
    tf.tidy(() => {
      // The outer (flip) transform reaches the input first.
      const expected = base.predictProbs(gaussianBlurImages(flipImages(x, 'horizontal'), 3, 0.8));
      expect(maxAbsDiff(c.predictProbs(x), expected)).toBeLessThan(1e-6);
    });
    expect(() => applyWrappers(base, [{ wrapper: 'nope' as never, params: {}, seed: 0 }])).toThrow(/unknown wrapper "nope"/);
  });

  it('every wrapper leaves the base untouched, keeps numTensors flat, and answers row-stochastic probabilities', () => {
    const before = tf.tidy(() => base.predictProbs(x).arraySync());
    const all = applyWrappers(base, WRAPPER_IDS.map((wrapper, i) => ({ wrapper, params: {}, seed: i })));
    expect(all.describe().split(' ∘ ')).toHaveLength(WRAPPER_IDS.length + 1);
    for (const id of WRAPPER_IDS) {
      const c = getWrapper(id).wrap(base, {}, 1);
      c.predictProbs(x).dispose(); // warm-up: kernels and backend caches
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const p = c.predictProbs(x);
        expect(p.shape).toEqual([8, 10]);
        const sums = tf.tidy(() => p.sum(1).dataSync());
        for (const s of sums) expect(s).toBeCloseTo(1, 4);
        p.dispose();
      }
      expect(tf.memory().numTensors, id).toBe(n0);
    }
    const n0 = tf.memory().numTensors;
    all.predictProbs(x).dispose();
    expect(tf.memory().numTensors).toBe(n0);
    expect(filterStats(all)).toEqual({ queries: 8, flagged: expect.any(Number) });
    expect(filterStats(base)).toBeUndefined();
    const after = tf.tidy(() => base.predictProbs(x).arraySync());
    expect(after).toEqual(before);
  });

  it('an empty query batch gives an empty answer through every wrapper', () => {
    const all = applyWrappers(base, WRAPPER_IDS.map((wrapper, i) => ({ wrapper, params: {}, seed: i })));
    const p = all.predictProbs(tf.zeros([0, 28, 28, 1]) as tf.Tensor4D);
    expect(p.shape).toEqual([0, 10]);
    p.dispose();
  });
});
