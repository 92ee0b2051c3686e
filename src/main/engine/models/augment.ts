/**
 * Training-time augmentation: seeded random translations (and optional horizontal flips) applied to
 * a batch's pixels before they become a tensor. Small data sets such as the 10k embedded MNIST
 * digits gain most of a percentage point from ±2-pixel shifts. Every draw comes from one seeded
 * stream per epoch, consumed in batch order, so a run is reproducible from its recorded seed.
 */
import type { Rng } from '../data/random.ts';

export interface AugmentConfig {
  /** Maximum translation in pixels along each axis (uniform integer in [-shift, shift]); 0 = none. */
  shift?: number;
  /** Mirror left-right with probability 0.5 (not for digits; for natural images). */
  flip?: boolean;
}

/** Returns an in-place transform for batches of NHWC images of the given shape. */
export function makeAugmenter(config: AugmentConfig, [h, w, c]: [number, number, number], rng: Rng): (images: Float32Array) => void {
  const shift = config.shift ?? 0;
  if (!Number.isInteger(shift) || shift < 0 || shift >= Math.min(h, w)) {
    throw new Error(`augment.shift: expected an integer in [0, ${Math.min(h, w) - 1}], got ${shift}`);
  }
  const size = h * w * c;
  const tmp = new Float32Array(size);
  return (images) => {
    const n = images.length / size;
    for (let i = 0; i < n; i++) {
      const dy = shift ? rng.int(2 * shift + 1) - shift : 0;
      const dx = shift ? rng.int(2 * shift + 1) - shift : 0;
      const flip = config.flip ? rng.int(2) === 1 : false;
      if (dx === 0 && dy === 0 && !flip) continue;
      const img = images.subarray(i * size, (i + 1) * size);
      tmp.fill(0);
      for (let y = 0; y < h; y++) {
        const sy = y - dy;
        if (sy < 0 || sy >= h) continue;
        for (let x = 0; x < w; x++) {
          const sx0 = x - dx;
          const sx = flip ? w - 1 - sx0 : sx0;
          if (sx0 < 0 || sx0 >= w) continue;
          const d = (y * w + x) * c;
          const s = (sy * w + sx) * c;
          for (let k = 0; k < c; k++) tmp[d + k] = img[s + k];
        }
      }
      img.set(tmp);
    }
  };
}
