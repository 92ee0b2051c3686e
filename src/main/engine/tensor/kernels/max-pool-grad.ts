/**
 * MaxPoolGrad for the wasm backend, replacing its kernel that dominated a small CNN's train step
 * (13 ms of 35 ms at batch 64). For each output pixel we find, per channel, the first strict
 * maximum of the input window in row-major order — the same tie rule as tfjs's cpu backend and
 * PyTorch, which matters after ReLU, where whole windows are 0 — and route dy there.
 */
import { backend_util, MaxPoolGrad, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, heapF32, type WasmBackend } from './wasm-heap.ts';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs;
  const a = args.attrs as Attrs;
  const info = backend_util.computePool2DInfo(input.shape as never, a.filterSize, a.strides, 1, a.pad as never, a.dimRoundingMode);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: SH, strideWidth: SW, filterHeight: FH, filterWidth: FW } = info;
  const { top: padTop, left: padLeft } = info.padInfo;
  const dxInfo = alloc(backend, input.shape);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  const dx = heapF32(backend, dxInfo);
  dx.fill(0);
  // Offsets of the in-bounds window positions of the current output pixel, in row-major order.
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
  return dxInfo;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as never,
};
