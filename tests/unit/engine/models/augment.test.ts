import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../src/main/engine/data/random.ts';
import { makeAugmenter } from '../../../../src/main/engine/models/augment.ts';

const image = (h: number, w: number) => Float32Array.from({ length: h * w }, (_, i) => i + 1);

describe('augmentation', () => {
  it('shifts each image by a seeded offset within ±shift, filling with zeros, preserving pixels', () => {
    const batch = new Float32Array([...image(6, 6), ...image(6, 6), ...image(6, 6)]);
    makeAugmenter({ shift: 2 }, [6, 6, 1], createRng(7))(batch);
    for (let i = 0; i < 3; i++) {
      const img = batch.subarray(i * 36, (i + 1) * 36);
      const kept = Array.from(img).filter((v) => v > 0);
      expect(kept.length).toBeGreaterThanOrEqual(16); // at most 2 rows and 2 columns lost
      // Every surviving pixel is an original value: a translation, not a blend.
      for (const v of kept) expect(Number.isInteger(v) && v >= 1 && v <= 36).toBe(true);
    }
  });

  it('is reproducible from the seed and varies with it', () => {
    const run = (seed: number) => {
      const b = new Float32Array([...image(8, 8), ...image(8, 8)]);
      makeAugmenter({ shift: 3 }, [8, 8, 1], createRng(seed))(b);
      return Array.from(b);
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('flip mirrors rows; shift 0 without flip is the identity', () => {
    const b = image(2, 3);
    makeAugmenter({ shift: 0 }, [2, 3, 1], createRng(1))(b);
    expect(Array.from(b)).toEqual([1, 2, 3, 4, 5, 6]);
    const seen = new Set<string>();
    for (let s = 0; s < 8; s++) {
      const f = image(2, 3);
      makeAugmenter({ flip: true }, [2, 3, 1], createRng(s))(f);
      seen.add(Array.from(f).join(','));
    }
    expect(seen).toEqual(new Set(['1,2,3,4,5,6', '3,2,1,6,5,4']));
  });

  it('rejects a shift as large as the image', () => {
    expect(() => makeAugmenter({ shift: 6 }, [6, 6, 1], createRng(1))).toThrow(/augment.shift: expected an integer in \[0, 5\]/);
  });
});
