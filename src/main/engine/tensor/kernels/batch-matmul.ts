/**
 * BatchMatMul for the wasm backend with transposed operands made fast. The backend's own kernel
 * runs XNNPACK only when neither operand is transposed and falls back to a loop ≈10× slower
 * otherwise — and every dense layer's gradient asks for a transposed product. We materialise the
 * transpose on the heap (a cheap native copy next to the multiply) and call the untransposed kernel.
 */
import { BatchMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, free, type WasmBackend } from './wasm-heap.ts';
import { nativeKernels } from '../native/native-kernels.ts';

/** Writes the batched transpose of src [B, R, C] into dst [B, C, R] (both heap tensors). */
export type TransposeLast2 = (backend: WasmBackend, src: TensorInfo, dst: TensorInfo, B: number, R: number, C: number) => void;

const nativeTranspose: TransposeLast2 = (backend, src, dst, B, R, C) => nativeKernels(backend).transposeLast2(src, dst, B, R, C);

/** Wraps the backend's BatchMatMul; `transpose` is injectable so a benchmark can time older loops. */
export function wrapBatchMatMul(original: KernelConfig, transpose: TransposeLast2 = nativeTranspose): KernelConfig {
  const fast = original.kernelFunc;
  const transposed = (backend: WasmBackend, t: TensorInfo): TensorInfo => {
    const r = t.shape.length;
    const R = t.shape[r - 2];
    const C = t.shape[r - 1];
    const B = t.shape.slice(0, -2).reduce((p, q) => p * q, 1);
    const out = alloc(backend, [...t.shape.slice(0, -2), C, R]);
    transpose(backend, t, out, B, R, C);
    return out;
  };
  const kernelFunc: KernelFunc = (args) => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return fast(args);
    const backend = args.backend as unknown as WasmBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const ta = transposeA ? transposed(backend, a) : a;
    const tb = transposeB ? transposed(backend, b) : b;
    const out = fast({ ...args, inputs: { a: ta, b: tb }, attrs: { transposeA: false, transposeB: false } });
    if (transposeA) free(backend, ta);
    if (transposeB) free(backend, tb);
    return out;
  };
  return { ...original, kernelFunc };
}

export { BatchMatMul };
