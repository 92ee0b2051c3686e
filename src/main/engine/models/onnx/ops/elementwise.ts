/**
 * Add, Sub, Mul, Div (numpy broadcasting). On tensors: the tfjs op, in NHWC when either operand is
 * an NHWC-stored rank-4 tensor (the other, e.g. a [C,1,1] bias, is permuted to match). On constants
 * (shape arithmetic such as `x.size(1) * x.size(2)`): evaluated in JS, integer division truncating
 * as ONNX's integer Div does.
 */
import * as tf from '@tensorflow/tfjs';
import type { OpContext, OpRegistry, OpSpec, TensorData, Value } from './types.ts';
import { asNchw, asNhwc, isNhwc, rankOf, size, tensorValue } from './values.ts';

/** Output shape of numpy broadcasting, or a failure naming both shapes. */
export function broadcastShape(a: readonly number[], b: readonly number[], ctx: OpContext): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) ctx.fail(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element index in a broadcast operand for each output element. */
function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = size(out);
  const idx = new Int32Array(n);
  const rank = out.length;
  const padded = [...Array(rank - shape.length).fill(1), ...shape];
  const strides = new Array(rank).fill(0);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : s;
    s *= padded[i];
  }
  for (let k = 0; k < n; k++) {
    let rest = k;
    let j = 0;
    for (let i = rank - 1; i >= 0; i--) {
      const coord = rest % out[i];
      rest = (rest - coord) / out[i];
      j += coord * strides[i];
    }
    idx[k] = j;
  }
  return idx;
}

function foldBinary(f: (x: number, y: number) => number, intDiv = false) {
  return (inputs: (TensorData | undefined)[], ctx: OpContext): TensorData[] => {
    const [a, b] = inputs;
    if (!a || !b) return ctx.fail('needs two inputs');
    const shape = broadcastShape(a.shape, b.shape, ctx);
    const ia = broadcastIndex(a.shape, shape);
    const ib = broadcastIndex(b.shape, shape);
    const isFloat = a.dtype === 'float32' || a.dtype === 'float64';
    const data = a.dtype === 'float32' ? new Float32Array(ia.length) : new Float64Array(ia.length);
    for (let k = 0; k < ia.length; k++) {
      const r = f(a.data[ia[k]], b.data[ib[k]]);
      data[k] = !isFloat && intDiv ? Math.trunc(r) : r;
    }
    return [{ dtype: a.dtype, shape, data }];
  };
}

function binary(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, f: (x: number, y: number) => number, intDiv = false): OpSpec {
  return {
    attributes: [],
    weightRoles: { 0: 'bias', 1: 'bias' },
    fold: foldBinary(f, intDiv),
    run(inputs: (Value | undefined)[], ctx: OpContext): Value[] {
      const [a, b] = inputs;
      if (!a || !b) return ctx.fail('needs two inputs');
      if ((isNhwc(a) || isNhwc(b)) && rankOf(a) <= 4 && rankOf(b) <= 4) return [tensorValue(op(asNhwc(a), asNhwc(b)), 'nhwc')];
      return [tensorValue(op(asNchw(a), asNchw(b)))];
    },
  };
}

export const elementwiseOps: OpRegistry = {
  Add: binary(tf.add, (x, y) => x + y),
  Sub: binary(tf.sub, (x, y) => x - y),
  Mul: { ...binary(tf.mul, (x, y) => x * y), weightRoles: { 0: 'scale', 1: 'scale' } },
  Div: { ...binary(tf.div, (x, y) => x / y, true), weightRoles: { 0: 'other', 1: 'scale' } },
};
