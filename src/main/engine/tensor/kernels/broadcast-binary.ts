/**
 * Add, Sub, Multiply and RealDiv of a float32 tensor with a per-channel vector ([C] or
 * [1,…,1,C], broadcast over all leading axes), in either order: the batch-norm forward and
 * gradient ops and bias adds. The wasm backend's broadcasting path takes ≈4× as long as a plain
 * elementwise op (0.57 vs 0.14 ms on [64,28,28,16]); ours (kernels.c bcast_binary) is one pass.
 * Every other case (same shapes, scalars, other broadcasts, other dtypes) goes to the backend's
 * own kernel.
 */
import { Add, Multiply, RealDiv, Sub, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, type WasmBackend } from './wasm-heap.ts';
import { nativeKernels } from '../native/native-kernels.ts';

const OPS: Record<string, number> = { [Add]: 0, [Multiply]: 1, [Sub]: 2, [RealDiv]: 3 };

const size = (shape: number[]) => shape.reduce((p, q) => p * q, 1);

/** True when `vec` is [C] or [1,…,1,C] with C the last axis of `full` and rank(vec) ≤ rank(full). */
function isChannelVector(vec: TensorInfo, full: TensorInfo): boolean {
  const r = full.shape.length;
  const C = full.shape[r - 1];
  const v = vec.shape;
  if (r < 2 || v.length === 0 || v.length > r || v[v.length - 1] !== C || C < 2) return false;
  return v.slice(0, -1).every((d) => d === 1) && size(full.shape) > C;
}

export function wrapBroadcastBinary(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const op = OPS[original.kernelName];
  if (op === undefined) throw new Error(`no native broadcast for ${original.kernelName}`);
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const swap = isChannelVector(a, b);
    if (!swap && !isChannelVector(b, a)) return fallback(args);
    const [full, vec] = swap ? [b, a] : [a, b];
    const backend = args.backend as unknown as WasmBackend;
    const C = full.shape[full.shape.length - 1];
    const out = alloc(backend, full.shape);
    nativeKernels(backend).broadcastBinary(full, vec, out, size(full.shape) / C, C, op, swap);
    return out;
  };
  return { ...original, kernelFunc };
}

export { Add, Multiply, RealDiv, Sub };
