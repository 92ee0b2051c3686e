/**
 * Conv2D and FusedConv2D (bias, ReLU) for the wasm backend. XNNPACK's convolution reaches
 * ≈32 GFLOPS on our shapes; our native kernel (kernels.c conv2d: 4 pixels × 8 channels register
 * tiles over k = (kh, kw, ci), the sum in order in float32, then + bias, then ReLU) ≈45. Cases it
 * does not cover — dilation > 1, NCHW, other fused activations (relu6, elu, prelu, leakyrelu,
 * sigmoid), a bias that is not [outChannels] — go to the backend's own kernel unchanged.
 */
import { Conv2D, FusedConv2D, type KernelConfig, type KernelFunc, type TensorInfo, type backend_util } from '@tensorflow/tfjs';
import { alloc, free, type WasmBackend } from './wasm-heap.ts';
import { convGeometry } from './conv-geometry.ts';
import { nativeKernels } from '../native/native-kernels.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

interface Inputs { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo }

function nativeConv(backend: WasmBackend, inputs: Inputs, a: Attrs): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const dil = a.dilations ?? 1;
  if (x.dtype !== 'float32' || !(dil === 1 || (Array.isArray(dil) && dil.every((d) => d === 1)))) return null;
  if (a.dataFormat !== 'NHWC' && a.dataFormat !== 'channelsLast') return null;
  const activation = a.activation ?? 'linear';
  if ((activation !== 'linear' && activation !== 'relu') || preluActivationWeights != null) return null;
  const CO = filter.shape[3];
  if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== CO)) return null;
  const g = convGeometry(x.shape as never, filter.shape as never, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
  const native = nativeKernels(backend);
  const y = alloc(backend, [g.N, g.OH, g.OW, g.CO]);
  const scratch = alloc(backend, [native.paddedImageSize(g)]);
  native.conv2d(x, filter, bias ?? null, y, scratch, activation === 'relu', g);
  free(backend, scratch);
  return y;
}

export function wrapConv2D(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) =>
    nativeConv(args.backend as unknown as WasmBackend, args.inputs as unknown as Inputs, args.attrs as unknown as Attrs) ?? fallback(args);
  return { ...original, kernelFunc };
}

export { Conv2D, FusedConv2D };
