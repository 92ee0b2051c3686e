/**
 * What our kernels use of the tfjs wasm backend: its tensor table (where each tensor lives on the
 * heap) and output allocation. The loops themselves run in our native module
 * (../native/native-kernels.ts), directly on the heap.
 */
import type { TensorInfo, DataType } from '@tensorflow/tfjs';

export interface WasmBackend {
  /** The backend's Emscripten module; only native-kernels.ts looks inside. */
  wasm: unknown;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Allocates an output/intermediate on the heap (contents undefined). */
export function alloc(backend: WasmBackend, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  return backend.makeOutput(shape, dtype);
}

export function free(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}
