/**
 * MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool: 2-D, computed NHWC.
 *
 * MaxPool pads natively (padding never wins a max). AveragePool zero-pads explicitly and pools
 * 'valid', so the divisor is always the full window (count_include_pad = 1); for
 * count_include_pad = 0 (the ONNX default) the result is rescaled by window size / real taps per
 * output position, a constant map. This does not depend on how a backend counts padding.
 * ceil_mode = 1 is accepted where it gives the same output size as floor; otherwise refused.
 */
import * as tf from '@tensorflow/tfjs';
import type { OpContext, OpRegistry, OpSpec, Value } from './types.ts';
import { asNhwc, logicalShape, spatialOut } from './values.ts';
import { tfPadding, windowGeometry, type Geometry2d } from './conv.ts';

function pooledInput(inputs: (Value | undefined)[], ctx: OpContext): { x: Value; h: number; w: number } {
  const x = inputs[0] ?? ctx.fail('input is missing');
  const shape = logicalShape(x);
  if (shape.length !== 4) ctx.fail(`input of rank ${shape.length}: only 2-D pools (rank-4 NCHW inputs) are supported`);
  return { x, h: shape[2], w: shape[3] };
}

function poolGeometry(ctx: OpContext, h: number, w: number): Geometry2d & { out: [number, number] } {
  const ks = ctx.attr.ints('kernel_shape') ?? ctx.fail('kernel_shape is missing');
  if (ks.length !== 2) ctx.fail(`kernel_shape has ${ks.length} values; only 2-D pools are supported`);
  const g = windowGeometry(ctx, [ks[0], ks[1]], [h, w]);
  if (g.dilations.some((d) => d !== 1)) ctx.fail(`dilations [${g.dilations.join(',')}] are not supported in pools`);
  const span = [h + g.pads[0] + g.pads[2] - ks[0], w + g.pads[1] + g.pads[3] - ks[1]];
  if (span.some((s) => s < 0)) ctx.fail(`kernel [${ks.join(',')}] is larger than the padded input`);
  const out: [number, number] = [Math.floor(span[0] / g.strides[0]) + 1, Math.floor(span[1] / g.strides[1]) + 1];
  if (ctx.attr.int('ceil_mode', 0) !== 0) {
    // PyTorch's and ONNX's rule: a last window that would start in the end padding is dropped.
    const ceil = [0, 1].map((i) => {
      let o = Math.ceil(span[i] / g.strides[i]) + 1;
      if ((o - 1) * g.strides[i] >= [h, w][i] + g.pads[i]) o--;
      return o;
    });
    if (ceil[0] !== out[0] || ceil[1] !== out[1]) ctx.fail(`ceil_mode = 1 changes the output size here (${ceil.join('×')} instead of ${out.join('×')}), which is not supported`);
  }
  return { ...g, out };
}

/** Window size / real (non-padding) taps, per output position: [1, oh, ow, 1]. */
function excludePadScale(g: Geometry2d & { out: [number, number] }, h: number, w: number): tf.Tensor {
  const taps = (o: number, axis: 0 | 1, size: number) => {
    const start = o * g.strides[axis] - g.pads[axis];
    return Math.min(start + g.kernel[axis], size) - Math.max(start, 0);
  };
  const [oh, ow] = g.out;
  const scale = new Float32Array(oh * ow);
  for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) scale[i * ow + j] = (g.kernel[0] * g.kernel[1]) / (taps(i, 0, h) * taps(j, 1, w));
  return tf.tensor4d(scale, [1, oh, ow, 1]);
}

const maxPool: OpSpec = {
  attributes: ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides'],
  run(inputs, ctx) {
    const { x, h, w } = pooledInput(inputs, ctx);
    if (ctx.attr.int('storage_order', 0) !== 0) ctx.fail('storage_order = 1 is not supported');
    const g = poolGeometry(ctx, h, w);
    const y = tf.maxPool(asNhwc(x) as tf.Tensor4D, g.kernel, g.strides, tfPadding(g.pads));
    return [spatialOut(y, ctx)];
  },
};

const averagePool: OpSpec = {
  attributes: ['auto_pad', 'ceil_mode', 'count_include_pad', 'kernel_shape', 'pads', 'strides'],
  run(inputs, ctx) {
    const { x, h, w } = pooledInput(inputs, ctx);
    const g = poolGeometry(ctx, h, w);
    const [top, left, bottom, right] = g.pads;
    let xs = asNhwc(x) as tf.Tensor4D;
    const padded = top || left || bottom || right;
    if (padded) xs = tf.pad(xs, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    let y: tf.Tensor = tf.avgPool(xs, g.kernel, g.strides, 'valid');
    if (padded && ctx.attr.int('count_include_pad', 0) === 0) y = tf.mul(y, excludePadScale(g, h, w));
    return [spatialOut(y, ctx)];
  },
};

function globalPool(reduce: (x: tf.Tensor) => tf.Tensor): OpSpec {
  return {
    attributes: [],
    run(inputs, ctx) {
      const { x } = pooledInput(inputs, ctx);
      return [spatialOut(reduce(asNhwc(x)), ctx)];
    },
  };
}

export const poolOps: OpRegistry = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool((x) => tf.mean(x, [1, 2], true)),
  GlobalMaxPool: globalPool((x) => tf.max(x, [1, 2], true)),
};
