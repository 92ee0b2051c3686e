/**
 * Conv2DBackpropFilter for the wasm backend, which has none. dW[k][co] = Σ_m col[m][k]·dy[m][co]
 * (k = (kh·KW+kw)·CI+ci, m = (n·OH+oh)·OW+ow, col the im2col matrix of x) is computed by our
 * native module straight from x and dy (kernels.c conv2d_backprop_filter): no im2col matrix and no
 * XNNPACK weight packing, which cost more than the multiply for these shapes. The sum over m runs
 * in order in float32, as the GEMM did (results are bit-identical to im2col + XNNPACK). Any stride
 * and padding (valid, same, explicit); tfjs's conv gradients reject dilation > 1.
 */
import { Conv2DBackpropFilter, type KernelConfig, type TensorInfo, type backend_util } from '@tensorflow/tfjs';
import { alloc, free, type WasmBackend } from './wasm-heap.ts';
import { convGeometry } from './conv-geometry.ts';
import { nativeKernels } from '../native/native-kernels.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs;
  const a = args.attrs as Attrs;
  const g = convGeometry(x.shape as never, a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
  const native = nativeKernels(backend);
  const dw = alloc(backend, a.filterShape);
  const scratch = alloc(backend, [native.paddedImageSize(g)]);
  native.conv2dBackpropFilter(x, dy, dw, scratch, g);
  free(backend, scratch);
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as never,
};
