/**
 * Conv2DBackpropInput for the wasm backend, replacing its naive nested-loop kernel (≈9× slower
 * than the forward conv). dx[n, oh·SH+kh−padTop, ow·SW+kw−padLeft, ci] += Σ_co dy[n,oh,ow,co] ·
 * W[kh,kw,ci,co] is computed by our native module (kernels.c conv2d_backprop_input) from dy and Wᵀ
 * (a small native transpose of the filter): register tiles of 4 output pixels × 8 input positions
 * summed over co, added straight into a padded gradient image, so the [N·OH·OW, KH·KW·CI] dcol
 * matrix of the former matmul + col2im is never written. Any stride and padding.
 */
import { Conv2DBackpropInput, type KernelConfig, type TensorInfo, type backend_util } from '@tensorflow/tfjs';
import { alloc, free, type WasmBackend } from './wasm-heap.ts';
import { convGeometry } from './conv-geometry.ts';
import { nativeKernels } from '../native/native-kernels.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs;
  const a = args.attrs as Attrs;
  const g = convGeometry(a.inputShape, filter.shape as never, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
  const K = g.KH * g.KW * g.CI;
  const native = nativeKernels(backend);
  const wT = alloc(backend, [g.CO * K + 4]); // [CO, K] + the slack the kernel's masked tail reads
  native.transposeLast2(filter, wT, 1, K, g.CO);
  const scratch = alloc(backend, [native.dxScratchSize(g)]);
  const dx = alloc(backend, a.inputShape);
  native.conv2dBackpropInput(dy, wT, dx, scratch, g);
  free(backend, wT, scratch);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as never,
};
