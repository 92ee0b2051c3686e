/**
 * Direct access to the tfjs wasm backend's heap for our kernels. Our kernels do their data
 * movement (im2col, col2im, transposes) in JavaScript on the heap and leave the arithmetic to the
 * backend's own XNNPACK matrix multiply, which is fast only for untransposed operands.
 *
 * Heap views must be taken after the last allocation of a step: allocating may grow the wasm
 * memory and detach earlier views.
 */
import type { KernelFunc, TensorInfo, NamedAttrMap, DataType } from '@tensorflow/tfjs';

export interface WasmBackend {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** A Float32Array view of a tensor's data on the wasm heap. */
export function heapF32(backend: WasmBackend, t: TensorInfo): Float32Array {
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
  const size = t.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(backend.wasm.HEAPF32.buffer, offset, size);
}

/** Allocates an output/intermediate on the heap (contents undefined). */
export function alloc(backend: WasmBackend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function free(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** The untransposed XNNPACK matmul kernel of the wasm backend, captured before we wrap it. */
let fastBatchMatMul: KernelFunc | null = null;
export function setFastBatchMatMul(f: KernelFunc): void {
  fastBatchMatMul = f;
}

/** out[b] = a[b] @ b[b] for rank-3 a [B,M,K] and b [B,K,N]; the result is a new heap tensor. */
export function matmul(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  if (!fastBatchMatMul) throw new Error('wasm kernels are not registered (registerWasmKernels)');
  const attrs: NamedAttrMap = { transposeA: false, transposeB: false };
  return fastBatchMatMul({ inputs: { a, b }, backend: backend as never, attrs }) as TensorInfo;
}

/** Writes the per-batch transpose of src [B,R,C] into dst [B,C,R]. Blocked for cache locality. */
export function transposeLast2(src: Float32Array, dst: Float32Array, B: number, R: number, C: number): void {
  const BS = 32;
  for (let b = 0; b < B; b++) {
    const base = b * R * C;
    for (let r0 = 0; r0 < R; r0 += BS) {
      const r1 = Math.min(R, r0 + BS);
      for (let c0 = 0; c0 < C; c0 += BS) {
        const c1 = Math.min(C, c0 + BS);
        for (let r = r0; r < r1; r++) {
          const s = base + r * C;
          for (let c = c0; c < c1; c++) dst[base + c * R + r] = src[s + c];
        }
      }
    }
  }
}
