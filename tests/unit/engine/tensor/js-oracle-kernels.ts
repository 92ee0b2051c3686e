/**
 * The JavaScript kernels that native/kernels.c replaced, kept only as test oracles and as the
 * "before" side of bench/native-kernels.ts. Same logic as the engine had before the native module
 * (commit 32c8ccf and successors); not used by the engine.
 */
import {
  backend_util, BatchMatMul, Conv2DBackpropFilter, Conv2DBackpropInput, getKernel, MaxPoolGrad, util,
  type KernelConfig, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs';
import { alloc, free, type WasmBackend } from '../../../../src/main/engine/tensor/kernels/wasm-heap.ts';
import { convGeometry, type ConvGeometry } from '../../../../src/main/engine/tensor/kernels/conv-geometry.ts';
import { wrapBatchMatMul } from '../../../../src/main/engine/tensor/kernels/batch-matmul.ts';

/** out = a @ b (rank 3, untransposed) with whichever BatchMatMul is registered (XNNPACK's path). */
function matmul(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  const k = getKernel(BatchMatMul, 'wasm')!;
  return k.kernelFunc({ inputs: { a, b }, backend: backend as never, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
}

/** A Float32Array view of a tensor's data on the wasm heap (take it after the last allocation). */
export function heapF32(backend: WasmBackend, t: TensorInfo): Float32Array {
  const offset = backend.dataIdMap.get(t.dataId)!.memoryOffset;
  const heap = (backend.wasm as { HEAPF32: Float32Array }).HEAPF32;
  return new Float32Array(heap.buffer, offset, t.shape.reduce((a, b) => a * b, 1));
}

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

export function col2im(dcol: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  const { N, H, W, CI, KH, KW, OH, OW, SH, SW, padTop, padLeft } = g;
  const K = KH * KW * CI;
  dx.fill(0);
  let row = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row += K) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * SH + kh - padTop;
          if (ih < 0 || ih >= H) continue;
          const rowBase = (n * H + ih) * W;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * SW + kw - padLeft;
            if (iw < 0 || iw >= W) continue;
            const d = (rowBase + iw) * CI;
            const s = row + (kh * KW + kw) * CI;
            for (let ci = 0; ci < CI; ci++) dx[d + ci] += dcol[s + ci];
          }
        }
      }
    }
  }
}

export interface PoolArgs { N: number; H: number; W: number; C: number; OH: number; OW: number; SH: number; SW: number; FH: number; FW: number; padTop: number; padLeft: number }

export function maxPoolGradLoop(x: Float32Array, g: Float32Array, dx: Float32Array, p: PoolArgs): void {
  const { N, H, W, C, OH, OW, SH, SW, FH, FW, padTop, padLeft } = p;
  dx.fill(0);
  const offsets = new Int32Array(FH * FW);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * SH - padTop;
      for (let ow = 0; ow < OW; ow++, o += C) {
        const w0 = ow * SW - padLeft;
        let count = 0;
        for (let fh = 0; fh < FH; fh++) {
          const ih = h0 + fh;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < FW; fw++) {
            const iw = w0 + fw;
            if (iw >= 0 && iw < W) offsets[count++] = ((n * H + ih) * W + iw) * C;
          }
        }
        if (count === 0) continue;
        for (let c = 0; c < C; c++) {
          let at = offsets[0] + c;
          let best = x[at];
          for (let k = 1; k < count; k++) {
            const i = offsets[k] + c;
            if (x[i] > best) {
              best = x[i];
              at = i;
            }
          }
          dx[at] += g[o + c];
        }
      }
    }
  }
}

export function reduceLeadingLoop(src: Float32Array, dst: Float32Array, outer: number, inner: number, scale: number): void {
  const acc = new Float64Array(inner);
  for (let i = 0, o = 0; i < outer; i++, o += inner) {
    for (let j = 0; j < inner; j++) acc[j] += src[o + j];
  }
  for (let j = 0; j < inner; j++) dst[j] = acc[j] * scale;
}

export function poolArgs(inShape: number[], a: { filterSize: number | [number, number]; strides: number | [number, number]; pad: unknown; dimRoundingMode?: 'floor' | 'round' | 'ceil' }): PoolArgs {
  const i = backend_util.computePool2DInfo(inShape as never, a.filterSize, a.strides, 1, a.pad as never, a.dimRoundingMode);
  return {
    N: i.batchSize, H: i.inHeight, W: i.inWidth, C: i.inChannels, OH: i.outHeight, OW: i.outWidth,
    SH: i.strideHeight, SW: i.strideWidth, FH: i.filterHeight, FW: i.filterWidth, padTop: i.padInfo.top, padLeft: i.padInfo.left,
  };
}

// ---- the whole former kernels, for same-process before/after timings ----

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: Record<string, never> };

const jsConv2DBackpropFilter = (args: Args): TensorInfo => {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs;
  const a = args.attrs;
  const g = convGeometry(x.shape as never, a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
  const K = g.KH * g.KW * g.CI;
  const M = g.N * g.OH * g.OW;
  const colT = alloc(backend, [1, K, M]);
  im2colTransposed(heapF32(backend, x), heapF32(backend, colT), g);
  const dw = matmul(backend, colT, { dataId: dy.dataId, shape: [1, M, g.CO], dtype: 'float32' });
  free(backend, colT);
  return { dataId: dw.dataId, shape: a.filterShape, dtype: 'float32' };
};

const jsConv2DBackpropInput = (args: Args): TensorInfo => {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs;
  const a = args.attrs;
  const g = convGeometry(a.inputShape, filter.shape as never, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
  const K = g.KH * g.KW * g.CI;
  const M = g.N * g.OH * g.OW;
  const wT = alloc(backend, [1, g.CO, K]);
  transposeLast2(heapF32(backend, filter), heapF32(backend, wT), 1, K, g.CO);
  const dcol = matmul(backend, { dataId: dy.dataId, shape: [1, M, g.CO], dtype: 'float32' }, wT);
  free(backend, wT);
  const direct = g.KH === 1 && g.KW === 1 && g.SH === 1 && g.SW === 1 && g.padTop === 0 && g.padLeft === 0;
  if (direct) return { dataId: dcol.dataId, shape: a.inputShape, dtype: 'float32' };
  const dx = alloc(backend, a.inputShape);
  col2im(heapF32(backend, dcol), heapF32(backend, dx), g);
  free(backend, dcol);
  return dx;
};

const jsMaxPoolGrad = (args: Args): TensorInfo => {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs;
  const p = poolArgs(input.shape, args.attrs as never);
  const dx = alloc(backend, input.shape);
  maxPoolGradLoop(heapF32(backend, input), heapF32(backend, dy), heapF32(backend, dx), p);
  return dx;
};

export const jsConfigs: KernelConfig[] = [
  { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: jsConv2DBackpropFilter as never },
  { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: jsConv2DBackpropInput as never },
  { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: jsMaxPoolGrad as never },
];

/** The former BatchMatMul wrapper: the engine's wrapper with the JS transpose loop. */
export function jsWrapBatchMatMul(original: KernelConfig): KernelConfig {
  return wrapBatchMatMul(original, (backend, src, dst, B, R, C) => transposeLast2(heapF32(backend, src), heapF32(backend, dst), B, R, C));
}

/** The former Sum/Mean wrapper (JS float64 loop over leading axes). */
export function jsWrapReduce(original: KernelConfig, mean: boolean): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((v, i) => v === i);
    if (x.dtype !== 'float32' || !leading) return fallback(args);
    const k = axes.length;
    const backend = args.backend as unknown as WasmBackend;
    const outer = x.shape.slice(0, k).reduce((p, q) => p * q, 1);
    const innerShape = x.shape.slice(k);
    const inner = innerShape.reduce((p, q) => p * q, 1);
    const out = alloc(backend, keepDims ? [...x.shape.slice(0, k).map(() => 1), ...innerShape] : innerShape);
    const src = heapF32(backend, x);
    reduceLeadingLoop(src, heapF32(backend, out), outer, inner, mean ? 1 / outer : 1);
    return out;
  };
  return { ...original, kernelFunc };
}
