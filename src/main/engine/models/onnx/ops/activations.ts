/**
 * Relu, LeakyRelu, Sigmoid, Tanh, Clip (element-wise: they keep the input's layout) and Softmax
 * (along a logical axis, mapped to the stored layout; opsets below 13 flatten to 2-D first, as the
 * operator was defined then).
 */
import * as tf from '@tensorflow/tfjs';
import type { OpContext, OpRegistry, OpSpec, Value } from './types.ts';
import { asNchw, axis, NHWC_AXIS, rankOf, size, staticInput, tensorValue } from './values.ts';

function input(inputs: (Value | undefined)[], ctx: OpContext): Value {
  return inputs[0] ?? ctx.fail('input is missing');
}

/** An element-wise op: applied to the stored tensor, whatever its layout. */
function unary(attributes: readonly string[], f: (t: tf.Tensor, ctx: OpContext) => tf.Tensor): OpSpec {
  return {
    attributes,
    run(inputs, ctx) {
      const x = input(inputs, ctx);
      if (x.kind === 'const') return [tensorValue(f(asNchw(x), ctx))];
      return [tensorValue(f(x.t, ctx), x.layout)];
    },
  };
}

function clipBound(v: Value | undefined, ctx: OpContext, what: string, fallback: number): number {
  if (!v) return fallback;
  const c = staticInput(v, ctx, what);
  if (c.data.length !== 1) ctx.fail(`${what} must be a scalar, has shape [${c.shape.join(',')}]`);
  return c.data[0];
}

const clip: OpSpec = {
  attributes: ['min', 'max'],
  staticInputs: [1, 2],
  run(inputs, ctx) {
    const x = input(inputs, ctx);
    // Opset < 11: bounds are attributes; from 11: optional inputs.
    const lo = ctx.opset < 11 ? ctx.attr.float('min', -Infinity) : clipBound(inputs[1], ctx, 'min', -Infinity);
    const hi = ctx.opset < 11 ? ctx.attr.float('max', Infinity) : clipBound(inputs[2], ctx, 'max', Infinity);
    if (lo > hi) ctx.fail(`min ${lo} is above max ${hi}`);
    const f = (t: tf.Tensor) => tf.clipByValue(t, lo, hi);
    return x.kind === 'const' ? [tensorValue(f(asNchw(x)))] : [tensorValue(f(x.t), x.layout)];
  },
};

/** Softmax along the last axis of `t` after moving `physical` there (and back). */
function softmaxAlong(t: tf.Tensor, physical: number): tf.Tensor {
  const last = t.rank - 1;
  if (physical === last) return tf.softmax(t);
  const perm = [...Array(t.rank).keys()];
  perm[physical] = last;
  perm[last] = physical;
  return tf.transpose(tf.softmax(tf.transpose(t, perm)), perm);
}

const softmax: OpSpec = {
  attributes: ['axis'],
  run(inputs, ctx) {
    const x = input(inputs, ctx);
    const rank = rankOf(x);
    if (ctx.opset < 13) {
      // Opset 1–12: softmax of the 2-D [prod(dims before axis), prod(dims from axis)] view.
      const a = axis(ctx.attr.int('axis', 1), rank, ctx);
      const t = asNchw(x);
      if (a === rank - 1) return [tensorValue(tf.softmax(t))];
      const flat = tf.reshape(t, [size(t.shape.slice(0, a)), size(t.shape.slice(a))]);
      return [tensorValue(tf.reshape(tf.softmax(flat), t.shape))];
    }
    const a = axis(ctx.attr.int('axis', -1), rank, ctx);
    if (x.kind === 'tensor' && x.layout === 'nhwc') return [tensorValue(softmaxAlong(x.t, NHWC_AXIS[a]), 'nhwc')];
    return [tensorValue(softmaxAlong(asNchw(x), a))];
  },
};

export const activationOps: OpRegistry = {
  Relu: unary([], (t) => tf.relu(t)),
  LeakyRelu: unary(['alpha'], (t, ctx) => tf.leakyRelu(t, ctx.attr.float('alpha', 0.01))),
  Sigmoid: unary([], (t) => tf.sigmoid(t)),
  Tanh: unary([], (t) => tf.tanh(t)),
  Clip: clip,
  Softmax: softmax,
};
