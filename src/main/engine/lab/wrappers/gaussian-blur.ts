/**
 * Gaussian blur of each query (METHODS.md: kernel 5). When sigma is not given it is derived from k
 * as OpenCV's getGaussianKernel does (σ = 0.3·((k−1)/2 − 1) + 0.8, 1.1 for k = 5). Borders are
 * reflected without repeating the edge pixel (tf.mirrorPad 'reflect' = OpenCV's default
 * BORDER_REFLECT_101), so a constant image stays constant, unlike zero padding which darkens edges.
 */
import * as tf from '@tensorflow/tfjs';
import { fmtParam, inputWrapped, nullableCheck, numberCheck, resolveParams, wrapperSeed, type TypedWrapper } from './common.ts';

export interface GaussianBlurParams {
  /** Kernel size, odd. */
  k: number;
  /** Standard deviation in pixels; null derives it from k (OpenCV). The recorded params hold the value used. */
  sigma: number | null;
}

const DEFAULTS: GaussianBlurParams = { k: 5, sigma: null };

export const opencvSigma = (k: number): number => 0.3 * ((k - 1) / 2 - 1) + 0.8;

/** The normalised 1-D Gaussian taps (the 2-D kernel is their outer product: the blur is separable). */
export function gaussianTaps(k: number, sigma: number): Float32Array {
  const r = (k - 1) / 2;
  const taps = Array.from({ length: k }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  return Float32Array.from(taps, (t) => t / sum);
}

export function gaussianBlurImages(x: tf.Tensor4D, k: number, sigma: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const r = (k - 1) / 2;
    if (r === 0 || n === 0) return x.clone();
    if (r >= h || r >= w) throw new Error(`gaussian-blur.k: a ${k}×${k} kernel does not fit a ${h}×${w} image`);
    const taps = gaussianTaps(k, sigma);
    // Two 1-D depthwise passes (rows, then columns) equal the 2-D kernel and cost 2k, not k², per pixel.
    const col = tf.tile(tf.tensor4d(taps, [k, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const row = tf.tile(tf.tensor4d(taps, [1, k, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const padded = tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect');
    return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, col, 1, 'valid'), row, 1, 'valid');
  });
}

export const gaussianBlur: TypedWrapper<GaussianBlurParams> = {
  id: 'gaussian-blur',
  description: 'Gaussian blur (odd kernel k, σ from k like OpenCV unless given, reflect borders)',
  defaults: DEFAULTS,
  wrap(base, params, seed) {
    const p = resolveParams('gaussian-blur', DEFAULTS, params, {
      k: numberCheck({ min: 1, odd: true }),
      sigma: nullableCheck(numberCheck({ min: 0, exclusiveMin: true }), 'derive it from k like OpenCV'),
    });
    const sigma = p.sigma ?? opencvSigma(p.k);
    const [h, w] = base.inputShape;
    if ((p.k - 1) / 2 >= Math.min(h, w)) {
      throw new Error(`gaussian-blur.k: expected a kernel smaller than twice the image side (${h}×${w}), got ${p.k}`);
    }
    return inputWrapped('gaussian-blur', base, { k: p.k, sigma }, wrapperSeed('gaussian-blur', seed), `blur(k=${p.k}, σ=${fmtParam(sigma)})`, (x) =>
      gaussianBlurImages(x, p.k, sigma),
    );
  },
};
