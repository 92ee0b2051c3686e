/**
 * Sum and Mean over the leading axes (NHWC → C), the reductions of every bias gradient and of
 * batch-norm statistics. The wasm backend first transposes the whole input so that the reduced
 * axes come last, then reduces; we reduce in place with one native pass over the data (float64
 * accumulators in row order, so at least as accurate as the reference). Other reductions go to the backend.
 */
import { Mean, Sum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, type WasmBackend } from './wasm-heap.ts';
import { nativeKernels } from '../native/native-kernels.ts';

/** The number of leading axes reduced when `axis` is exactly [0..k-1] with k < rank, else 0. */
function leadingAxes(shape: number[], axis: number | number[]): number {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

function wrap(original: KernelConfig, mean: boolean): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const k = x.dtype === 'float32' ? leadingAxes(x.shape, axis) : 0;
    if (k === 0) return fallback(args);
    const backend = args.backend as unknown as WasmBackend;
    const outer = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const innerShape = x.shape.slice(k);
    const inner = innerShape.reduce((a, b) => a * b, 1);
    const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...innerShape] : innerShape;
    const out = alloc(backend, outShape);
    nativeKernels(backend).reduceLeading(x, out, outer, inner, mean ? 1 / outer : 1);
    return out;
  };
  return { ...original, kernelFunc };
}

export const wrapSum = (original: KernelConfig) => wrap(original, false);
export const wrapMean = (original: KernelConfig) => wrap(original, true);
export { Mean, Sum };
