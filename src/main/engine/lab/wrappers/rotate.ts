/**
 * Rotate the query image about its centre before the base sees it. Bilinear sampling with zero fill
 * through tf.image.transform: tf.image.rotateWithOffset works on wasm but samples nearest-neighbour,
 * which moves pixels rather than interpolating them (the papers use torchvision's bilinear rotate).
 */
import * as tf from '@tensorflow/tfjs';
import { fmtParam, inputWrapped, numberCheck, resolveParams, wrapperSeed, type TypedWrapper } from './common.ts';

export interface RotateParams {
  /** Angle in degrees, counter-clockwise as displayed (rows top to bottom). */
  degrees: number;
}

const DEFAULTS: RotateParams = { degrees: 15 };

/**
 * Rotates by `degrees` counter-clockwise about the pixel-grid centre ((w−1)/2, (h−1)/2); pixels
 * that come from outside the image are 0.
 */
export function rotateImages(x: tf.Tensor4D, degrees: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    if (degrees === 0 || n === 0) return x.clone();
    const t = (degrees * Math.PI) / 180;
    const cos = Math.cos(t);
    const sin = Math.sin(t);
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    // tf.image.transform maps each OUTPUT pixel (x, y) to the INPUT point it samples, so this is
    // the inverse rotation: input = R(−θ)·(output − c) + c in screen coordinates (y down).
    const row = [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, 0, 0];
    const m = tf.tensor2d(Array.from({ length: n }, () => row), [n, 8], 'float32');
    return tf.image.transform(x, m, 'bilinear', 'constant', 0);
  });
}

export const rotate: TypedWrapper<RotateParams> = {
  id: 'rotate',
  description: 'rotate about the centre (bilinear, zero fill)',
  defaults: DEFAULTS,
  wrap(base, params, seed) {
    const p = resolveParams('rotate', DEFAULTS, params, { degrees: numberCheck({ min: -360, max: 360 }) });
    return inputWrapped('rotate', base, { ...p }, wrapperSeed('rotate', seed), `rotate(${fmtParam(p.degrees)}°)`, (x) =>
      rotateImages(x, p.degrees),
    );
  },
};
