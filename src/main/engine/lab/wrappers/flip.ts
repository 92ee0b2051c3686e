/** Mirror the query image before the base sees it (METHODS.md "flip"; horizontal by default). */
import * as tf from '@tensorflow/tfjs';
import { inputWrapped, oneOfCheck, resolveParams, wrapperSeed, type TypedWrapper } from './common.ts';

export interface FlipParams {
  /** 'horizontal' mirrors left↔right (the papers' flip); 'vertical' top↔bottom. */
  direction: 'horizontal' | 'vertical';
}

const DEFAULTS: FlipParams = { direction: 'horizontal' };

export function flipImages(x: tf.Tensor4D, direction: FlipParams['direction']): tf.Tensor4D {
  return tf.tidy(() => tf.reverse(x, direction === 'horizontal' ? 2 : 1));
}

export const flip: TypedWrapper<FlipParams> = {
  id: 'flip',
  description: 'mirror the image (horizontal by default)',
  defaults: DEFAULTS,
  wrap(base, params, seed) {
    const p = resolveParams('flip', DEFAULTS, params, { direction: oneOfCheck(['horizontal', 'vertical']) });
    return inputWrapped('flip', base, { ...p }, wrapperSeed('flip', seed), `flip(${p.direction})`, (x) => flipImages(x, p.direction));
  },
};
