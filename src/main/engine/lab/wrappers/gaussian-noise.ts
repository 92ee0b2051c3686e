/**
 * Add Gaussian pixel noise to each query, clipped to [0, 1] (METHODS.md: σ = 16/255). The noise is
 * seeded: the i-th call to predictProbs (0-based, counted per wrapped classifier) draws from
 * querySeed(seed, i), so the same seed and the same sequence of query batches give the same answers,
 * while repeating one query gives fresh noise, as a real noisy deployment would.
 */
import { addClippedGaussian, fmtParam, inputWrapped, numberCheck, querySeed, resolveParams, wrapperSeed, type TypedWrapper } from './common.ts';

export interface GaussianNoiseParams {
  /** Standard deviation of the pixel noise, on the [0, 1] scale. */
  sigma: number;
}

const DEFAULTS: GaussianNoiseParams = { sigma: 16 / 255 };

export const gaussianNoise: TypedWrapper<GaussianNoiseParams> = {
  id: 'gaussian-noise',
  description: 'add clipped Gaussian pixel noise (seeded per query batch)',
  defaults: DEFAULTS,
  wrap(base, params, seed) {
    const p = resolveParams('gaussian-noise', DEFAULTS, params, { sigma: numberCheck({ min: 0 }) });
    const s = wrapperSeed('gaussian-noise', seed);
    return inputWrapped('gaussian-noise', base, { ...p }, s, `noise(σ=${fmtParam(p.sigma)})`, (x, counter) =>
      addClippedGaussian(x, p.sigma, querySeed(s, counter)),
    );
  },
};
