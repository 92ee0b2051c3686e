/**
 * The shape plumbing on constants, in plain JS: gather, concat, slice, cast. These run on shape
 * vectors and small constants (a few elements), never on activations, so clarity beats speed.
 */
import type { TensorData } from './types.ts';
import { size } from './values.ts';

function withData(c: TensorData, shape: number[], data: ArrayLike<number>): TensorData {
  return { dtype: c.dtype, shape, data: c.dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data) };
}

export function reshapeData(c: TensorData, shape: number[]): TensorData {
  return { ...c, shape };
}

/** numpy.take(c, indices, axis) with indices already in range. */
export function gatherData(c: TensorData, indices: number[], indicesShape: number[], axis: number): TensorData {
  const outer = size(c.shape.slice(0, axis));
  const inner = size(c.shape.slice(axis + 1));
  const dim = c.shape[axis];
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const i of indices) for (let k = 0; k < inner; k++) out.push(c.data[(o * dim + i) * inner + k]);
  return withData(c, [...c.shape.slice(0, axis), ...indicesShape, ...c.shape.slice(axis + 1)], out);
}

export function concatData(parts: TensorData[], axis: number): TensorData {
  const first = parts[0];
  const outer = size(first.shape.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = size(p.shape.slice(axis));
      for (let k = 0; k < chunk; k++) out.push(p.data[o * chunk + k]);
    }
  }
  const shape = [...first.shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  return withData(first, shape, out);
}

export interface SliceParams {
  begin: number[];
  step: number[];
  /** Elements taken along each axis. */
  count: number[];
}

/**
 * ONNX Slice semantics for every axis of `shape`: starts/ends clamped (ends of ±2^63 mean "to the
 * end"), negative values counted from the end, negative steps walking backwards.
 */
export function sliceParams(shape: number[], starts: number[], ends: number[], axes: number[], steps: number[]): SliceParams {
  const begin = shape.map(() => 0);
  const step = shape.map(() => 1);
  const count = [...shape];
  axes.forEach((ax, i) => {
    const dim = shape[ax];
    const s = steps[i];
    const norm = (v: number) => (v < 0 ? v + dim : v);
    let b = norm(starts[i]);
    let e = norm(ends[i]);
    if (s > 0) {
      b = Math.min(Math.max(b, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      count[ax] = Math.max(0, Math.ceil((e - b) / s));
    } else {
      b = Math.min(Math.max(b, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      count[ax] = Math.max(0, Math.ceil((b - e) / -s));
    }
    begin[ax] = b;
    step[ax] = s;
  });
  return { begin, step, count };
}

export function sliceData(c: TensorData, p: SliceParams): TensorData {
  const rank = c.shape.length;
  const strides = c.shape.map((_, i) => size(c.shape.slice(i + 1)));
  const n = size(p.count);
  const out = new Array<number>(n);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += (p.begin[a] + idx[a] * p.step[a]) * strides[a];
    out[k] = c.data[src];
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < p.count[a]) break;
      idx[a] = 0;
    }
  }
  return withData(c, [...p.count], out);
}

/** ONNX Cast on constants: to float (rounded to float32), to integers (truncated), to bool. */
export function castData(c: TensorData, to: TensorData['dtype']): TensorData {
  if (to === 'float32') return { dtype: to, shape: c.shape, data: Float32Array.from(c.data) };
  if (to === 'float64') return { dtype: to, shape: c.shape, data: Float64Array.from(c.data) };
  if (to === 'bool') return { dtype: to, shape: c.shape, data: Float64Array.from(c.data, (x) => (x !== 0 ? 1 : 0)) };
  return { dtype: to, shape: c.shape, data: Float64Array.from(c.data, (x) => Math.trunc(x)) };
}
