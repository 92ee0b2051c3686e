import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchCount, batchIterator, gather, toTensors } from '../../../../src/main/engine/data/batches.ts';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { syntheticDataset } from './fixtures.ts';

const ds = syntheticDataset([4, 3, 3], [2, 2, 1]); // 10 samples; pixel value = index / 10

beforeAll(async () => {
  await initBackend('cpu');
});

describe('batches', () => {
  it('gathers samples in the order given', () => {
    const g = gather(ds, [9, 0, 4]);
    expect(Array.from(g.labels)).toEqual([2, 0, 1]);
    expect(g.images[0]).toBeCloseTo(0.9, 6);
    expect(g.images[4]).toBe(0);
    expect(() => gather(ds, [10])).toThrow(/sample index 10 .* outside \[0, 10\)/);
  });

  it('yields one-hot or index batches with the right shapes and values', () => {
    const order = [3, 1, 4, 1, 5, 9, 2];
    const seen: number[] = [];
    for (const b of batchIterator(ds, order, { batchSize: 3 })) {
      expect(b.x.shape.slice(1)).toEqual([2, 2, 1]);
      expect(b.y.shape).toEqual([b.indices.length, 3]);
      expect(b.y.dtype).toBe('float32');
      const xs = b.x.dataSync();
      const ys = b.y.arraySync();
      b.indices.forEach((i, k) => {
        expect(xs[k * 4]).toBeCloseTo(i / 10, 6);
        expect(ys[k][ds.labels[i]]).toBe(1);
      });
      seen.push(...b.indices);
    }
    expect(seen).toEqual(order);
    const sizes = [...batchIterator(ds, order, { batchSize: 3, labels: 'index', dropRemainder: true })].map((b) => b.indices.length);
    expect(sizes).toEqual([3, 3]);
    expect(batchCount(7, 3)).toBe(3);
    expect(batchCount(7, 3, true)).toBe(2);
    // Driven by hand, an iterator must be finished with return() to free its live batch.
    const it = batchIterator(ds, [0, 5], { batchSize: 2, labels: 'index' });
    expect(it.next().done).toBe(false);
    it.return();
  });

  it('leaves tf.memory().numTensors unchanged: full loop, early break, and a throwing body', () => {
    const before = tf.memory().numTensors;
    expect(before).toBe(0); // the earlier tests in this file leaked nothing either
    const order = Array.from({ length: 10 }, (_, i) => i);
    for (const b of batchIterator(ds, order, { batchSize: 4 })) b.x.mean().dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const b of batchIterator(ds, order, { batchSize: 4, labels: 'index' })) {
      if (b.indices[0] === 4) break;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => {
      for (const _ of batchIterator(ds, order, { batchSize: 2 })) throw new Error('consumer failed');
    }).toThrow('consumer failed');
    expect(tf.memory().numTensors).toBe(before);
    const { x, y } = toTensors(ds, [1, 2]);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad batch size when called, not on the first next()', () => {
    expect(() => batchIterator(ds, [0], { batchSize: 0 })).toThrow(/batchSize/);
  });
});
