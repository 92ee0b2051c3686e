/** The NHWC convolution geometry our im2col/col2im kernels need, derived by tfjs's own helper. */
import { backend_util } from '@tensorflow/tfjs';

export interface ConvGeometry {
  N: number; H: number; W: number; CI: number;
  KH: number; KW: number; CO: number;
  OH: number; OW: number;
  SH: number; SW: number;
  padTop: number; padLeft: number;
}

export function convGeometry(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: string,
): ConvGeometry {
  if (dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`our wasm conv gradient kernels support NHWC only, got ${dataFormat}`);
  }
  const c = backend_util.computeConv2DInfo(inShape, filterShape, strides, 1, pad as never, dimRoundingMode, false, 'channelsLast');
  return {
    N: c.batchSize, H: c.inHeight, W: c.inWidth, CI: c.inChannels,
    KH: c.filterHeight, KW: c.filterWidth, CO: c.outChannels,
    OH: c.outHeight, OW: c.outWidth,
    SH: c.strideHeight, SW: c.strideWidth,
    padTop: c.padInfo.top, padLeft: c.padInfo.left,
  };
}
