/**
 * Tile for the wasm backend. Its own kernel computes every output element's source index with
 * divisions and was the largest kernel of a resnet train step (≈210 ms of ≈830 ms at batch 64:
 * tfjs's batch-norm gradient tiles the [C] inverse std-dev to the whole [N,H,W,C] activation).
 * Ours (kernels.c tile32) builds the output depth-first with block copies. 4-byte dtypes
 * (float32, int32) only; bool and string go to the backend's kernel.
 */
import { Tile, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, type WasmBackend } from './wasm-heap.ts';
import { MAX_TILE_RANK, nativeKernels } from '../native/native-kernels.ts';

export function wrapTile(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const { reps } = args.attrs as { reps: number[] };
    const rank = x.shape.length;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || rank === 0 || rank > MAX_TILE_RANK || reps.length !== rank) {
      return fallback(args);
    }
    const backend = args.backend as unknown as WasmBackend;
    const outShape = x.shape.map((s, i) => s * reps[i]);
    const out = alloc(backend, outShape, x.dtype);
    if (outShape.every((s) => s > 0)) nativeKernels(backend).tile32(x, out, x.shape, reps);
    return out;
  };
  return { ...original, kernelFunc };
}

export { Tile };
