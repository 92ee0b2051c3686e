/**
 * Values and layouts: making tensors of constants, and moving rank-4 tensors between the file's
 * NCHW and the NHWC that tfjs's convolutions and pools run in.
 *
 * The strategy (docs/decisions/onnx-import.md): a convolution, pool or batch norm leaves its output
 * NHWC, tagged as such; element-wise ops, Concat, Pad, Slice, Softmax and Transpose work on the
 * tagged tensor directly (their axes mapped); any other op asks for NCHW, and gets it from one
 * transpose, remembered for the rest of the call. So a conv → bn → relu → pool → add chain costs
 * one transpose at the input and one where the features are flattened, not two per conv.
 * A transpose that only moves size-1 axes is a reshape (free): GlobalAveragePool's [N,1,1,C]
 * output, a one-channel input.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConstValue, Layout, OpContext, TensorData, TensorValue, Value } from './types.ts';

/** Logical axis (NCHW) → physical axis of an NHWC-stored rank-4 tensor. */
export const NHWC_AXIS = [0, 3, 1, 2] as const;
const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

export const tensorValue = (t: tf.Tensor, layout: Layout = 'nchw'): TensorValue => ({ kind: 'tensor', t, layout });
export const constValue = (c: TensorData, persistent = false): ConstValue => ({ kind: 'const', c, persistent });

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Shape in the file's layout. */
export function logicalShape(v: Value): number[] {
  if (v.kind === 'const') return v.c.shape;
  const s = v.t.shape as number[];
  return v.layout === 'nhwc' ? [s[0], s[3], s[1], s[2]] : s;
}

export function rankOf(v: Value): number {
  return v.kind === 'const' ? v.c.shape.length : v.t.rank;
}

/** tfjs has float32, int32 and bool: float64 computes in float32, every integer type in int32. */
function tfDtype(c: TensorData): 'float32' | 'int32' | 'bool' {
  if (c.dtype === 'float32' || c.dtype === 'float64') return 'float32';
  return c.dtype === 'bool' ? 'bool' : 'int32';
}

/** A transpose, or a reshape when the permutation only moves axes of size 1 (same memory order). */
export function permute(t: tf.Tensor, perm: readonly number[]): tf.Tensor {
  const moved = perm.filter((axis) => t.shape[axis] !== 1);
  if (moved.every((axis, i) => i === 0 || axis > moved[i - 1])) return tf.reshape(t, perm.map((axis) => t.shape[axis]));
  return tf.transpose(t, [...perm]);
}

function materialise(v: ConstValue, key: string, make: () => tf.Tensor): tf.Tensor {
  const cached = v.tensors?.get(key);
  if (cached) return cached;
  const t = make();
  if (v.persistent) {
    // Made during some call (inside its tidy) but owned by the graph: kept until graph.dispose().
    tf.keep(t);
    (v.tensors ??= new Map()).set(key, t);
  }
  return t;
}

export function constTensor(v: ConstValue): tf.Tensor {
  return materialise(v, 'nchw', () => {
    const dtype = tfDtype(v.c);
    const data = dtype === 'float32' ? Float32Array.from(v.c.data) : dtype === 'int32' ? Int32Array.from(v.c.data) : Uint8Array.from(v.c.data);
    return tf.tensor(data, v.c.shape, dtype);
  });
}

/** The value as a tensor in the file's layout (NCHW for rank 4). */
export function asNchw(v: Value): tf.Tensor {
  if (v.kind === 'const') return constTensor(v);
  if (v.layout === 'nchw') return v.t;
  v.other ??= permute(v.t, TO_NCHW);
  return v.other;
}

/**
 * The value as a rank-4 NHWC tensor. A value of lower rank (a broadcast operand such as a bias of
 * shape [C,1,1]) is first given leading 1s, as broadcasting would, then permuted.
 */
export function asNhwc(v: Value): tf.Tensor {
  if (v.kind === 'tensor' && v.layout === 'nhwc') return v.t;
  if (rankOf(v) > 4) throw new Error('asNhwc: rank above 4');
  const toRank4 = (t: tf.Tensor) => (t.rank === 4 ? t : tf.reshape(t, [...Array(4 - t.rank).fill(1), ...t.shape]));
  if (v.kind === 'const') return materialise(v, 'nhwc', () => tf.tidy(() => permute(toRank4(constTensor(v)), TO_NHWC)));
  if (v.t.rank === 4) {
    v.other ??= permute(v.t, TO_NHWC);
    return v.other;
  }
  return permute(toRank4(v.t), TO_NHWC);
}

/** The output of a convolution, pool or batch norm (computed NHWC): kept NHWC unless the baseline was asked for. */
export function spatialOut(t: tf.Tensor, ctx: OpContext): TensorValue {
  return ctx.keepNhwc ? tensorValue(t, 'nhwc') : tensorValue(permute(t, TO_NCHW), 'nchw');
}

export function isNhwc(v: Value | undefined): boolean {
  return v?.kind === 'tensor' && v.layout === 'nhwc';
}

/** Reads an input that must be known without running the model; a weight variable is read as it is now. */
export function staticInput(v: Value | undefined, ctx: OpContext, what: string): TensorData {
  if (!v) return ctx.fail(`input "${what}" is missing`);
  if (v.kind === 'const') return v.c;
  if (v.t instanceof tf.Variable) return { dtype: 'float32', shape: v.t.shape, data: v.t.dataSync() as Float32Array };
  return ctx.fail(`input "${what}" must be a constant (computed from initializers and shapes only), but it depends on the model input`);
}

/** A tensor's values as TensorData (used when constant inputs went through a tensor op at import). */
export function readBack(t: tf.Tensor): TensorData {
  const data = t.dataSync();
  if (t.dtype === 'float32') return { dtype: 'float32', shape: t.shape, data: Float32Array.from(data as Float32Array) };
  return { dtype: t.dtype === 'bool' ? 'bool' : 'int64', shape: t.shape, data: Float64Array.from(data as Int32Array) };
}

/** Normalises a possibly negative axis of a rank-r tensor, refusing one out of range. */
export function axis(a: number, rank: number, ctx: OpContext, what = 'axis'): number {
  if (a < -rank || a >= rank) ctx.fail(`${what} ${a} is out of range for rank ${rank}`);
  return a < 0 ? a + rank : a;
}

/** Integer values of a static input (axes, shapes, pads). */
export function ints(c: TensorData): number[] {
  return Array.from(c.data, (x) => Math.trunc(x));
}

export const isFloat = (c: TensorData): boolean => c.dtype === 'float32' || c.dtype === 'float64';
