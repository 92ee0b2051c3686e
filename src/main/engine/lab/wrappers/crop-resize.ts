/**
 * Central crop, then bilinear resize back to the input size: the attacker's "crop 24/32 → resize"
 * input processing (MFUE / METHODS.md). `keep` is the kept fraction of each side (0.75 = 24 of 32;
 * on 28×28 it keeps round(21) pixels), so one setting means the same thing for every input size.
 */
import * as tf from '@tensorflow/tfjs';
import { fmtParam, inputWrapped, numberCheck, resolveParams, wrapperSeed, type TypedWrapper } from './common.ts';

export interface CropResizeParams {
  /** Fraction of each side kept by the central crop, in (0, 1]; 1 = identity. */
  keep: number;
}

const DEFAULTS: CropResizeParams = { keep: 0.75 };

/**
 * Keeps the central round(keep·side) pixels of each side and resizes them back with half-pixel
 * centres (the torchvision / PIL convention; with keep = 1 this is exactly the identity).
 */
export function centralCropResize(x: tf.Tensor4D, keep: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const ch = Math.max(1, Math.round(keep * h));
    const cw = Math.max(1, Math.round(keep * w));
    const top = Math.floor((h - ch) / 2);
    const left = Math.floor((w - cw) / 2);
    const crop = tf.slice(x, [0, top, left, 0], [-1, ch, cw, -1]);
    return tf.image.resizeBilinear(crop, [h, w], false, true);
  });
}

export const cropResize: TypedWrapper<CropResizeParams> = {
  id: 'crop-resize',
  description: 'central crop of a fraction of each side, bilinear resize back to the input size',
  defaults: DEFAULTS,
  wrap(base, params, seed) {
    const p = resolveParams('crop-resize', DEFAULTS, params, { keep: numberCheck({ min: 0, max: 1, exclusiveMin: true }) });
    return inputWrapped('crop-resize', base, { ...p }, wrapperSeed('crop-resize', seed), `crop-resize(keep=${fmtParam(p.keep)})`, (x) =>
      centralCropResize(x, p.keep),
    );
  },
};
