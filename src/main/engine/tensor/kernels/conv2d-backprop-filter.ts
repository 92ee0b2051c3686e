/**
 * Conv2DBackpropFilter for the wasm backend, which has none. dW = colᵀ · dy, where colᵀ [K, M]
 * (K = KH·KW·CI, M = N·OH·OW) is the transposed im2col of x, written by us straight into the wasm
 * heap, and the product is XNNPACK's untransposed matmul. The [K, CO] result already has the
 * [KH, KW, CI, CO] filter layout. Any stride and padding (valid, same, explicit); tfjs's conv
 * gradients reject dilation > 1, so this kernel does not take it.
 */
import { Conv2DBackpropFilter, type KernelConfig, type TensorInfo, type backend_util } from '@tensorflow/tfjs';
import { alloc, free, heapF32, matmul, type WasmBackend } from './wasm-heap.ts';
import { convGeometry, type ConvGeometry } from './conv-geometry.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** colT[(kh·KW+kw)·CI+ci][(n·OH+oh)·OW+ow] = x[n, oh·SH+kh−padTop, ow·SW+kw−padLeft, ci] (0 outside). */
export function im2colTransposed(x: Float32Array, colT: Float32Array, g: ConvGeometry): void {
  const { N, H, W, CI, KH, KW, OH, OW, SH, SW, padTop, padLeft } = g;
  const M = N * OH * OW;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < CI; ci++) {
        let dst = ((kh * KW + kw) * CI + ci) * M;
        for (let n = 0; n < N; n++) {
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * SH + kh - padTop;
            if (ih < 0 || ih >= H) {
              colT.fill(0, dst, dst + OW);
              dst += OW;
              continue;
            }
            const rowBase = (n * H + ih) * W;
            for (let ow = 0; ow < OW; ow++) {
              const iw = ow * SW + kw - padLeft;
              colT[dst++] = iw >= 0 && iw < W ? x[(rowBase + iw) * CI + ci] : 0;
            }
          }
        }
      }
    }
  }
}

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs;
  const a = args.attrs as Attrs;
  const g = convGeometry(x.shape as never, a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
  const K = g.KH * g.KW * g.CI;
  const M = g.N * g.OH * g.OW;
  const colT = alloc(backend, [1, K, M]);
  im2colTransposed(heapF32(backend, x), heapF32(backend, colT), g);
  const dy3 = { dataId: dy.dataId, shape: [1, M, g.CO], dtype: 'float32' as const };
  const dw = matmul(backend, colT, dy3);
  free(backend, colT);
  return { dataId: dw.dataId, shape: a.filterShape, dtype: 'float32' };
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as never,
};
