/**
 * Reshape, Flatten, Transpose, Concat, Slice, Pad.
 *
 * Reshape and Flatten read the NCHW tensor (their meaning depends on memory order). Transpose of an
 * NHWC-stored tensor is one composed transpose. Concat, Slice and Pad map their logical axes onto
 * the stored layout, so a crop, a pad or a channel concat between convolutions costs no layout
 * change. On constants Concat and Slice fold in JS (shape vectors).
 */
import * as tf from '@tensorflow/tfjs';
import type { OpContext, OpRegistry, OpSpec, Value } from './types.ts';
import { concatData, sliceData, sliceParams } from './const-fold.ts';
import { reshapeLike } from './shape-ops.ts';
import { asNchw, asNhwc, axis, constTensor, ints, isNhwc, logicalShape, NHWC_AXIS, permute, size, staticInput, tensorValue } from './values.ts';

function reshapeTarget(dims: number[], inputs: (Value | undefined)[], ctx: OpContext): number[] {
  const target = ints(staticInput(inputs[1], ctx, 'shape'));
  const allowZero = ctx.attr.int('allowzero', 0) !== 0;
  // 0 copies the input's dimension (unless allowzero); one -1 takes what is left.
  const out = target.map((d, i) => (d === 0 && !allowZero ? (dims[i] ?? ctx.fail(`shape [${target.join(',')}] copies dimension ${i}, which the input does not have`)) : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d < -1)) ctx.fail(`invalid shape [${target.join(',')}]`);
  const known = size(out.filter((d) => d !== -1));
  const total = size(dims);
  if (unknown === 1) {
    if (known === 0 || total % known !== 0) ctx.fail(`cannot reshape [${dims.join(',')}] to [${target.join(',')}]`);
    out[out.indexOf(-1)] = total / known;
  } else if (known !== total) {
    ctx.fail(`cannot reshape [${dims.join(',')}] (${total} elements) to [${target.join(',')}]`);
  }
  return out;
}

function flattenTarget(dims: number[], _inputs: (Value | undefined)[], ctx: OpContext): number[] {
  const a = ctx.attr.int('axis', 1);
  const at = a < 0 ? a + dims.length : a;
  if (at < 0 || at > dims.length) ctx.fail(`axis ${a} is out of range for rank ${dims.length}`);
  return [size(dims.slice(0, at)), size(dims.slice(at))];
}

const transpose: OpSpec = {
  attributes: ['perm'],
  run(inputs, ctx) {
    const x = inputs[0] ?? ctx.fail('input is missing');
    const rank = logicalShape(x).length;
    const perm = ctx.attr.ints('perm') ?? [...Array(rank).keys()].reverse();
    if (perm.length !== rank || new Set(perm.map((p) => axis(p, rank, ctx, 'perm entry'))).size !== rank) ctx.fail(`perm [${perm.join(',')}] is not a permutation of ${rank} axes`);
    // Logical axis k of an NHWC-stored tensor is physical axis NHWC_AXIS[k]: one transpose, not two.
    if (isNhwc(x) && x.kind === 'tensor') return [tensorValue(permute(x.t, perm.map((k) => NHWC_AXIS[k])))];
    return [tensorValue(permute(asNchw(x), perm))];
  },
};

/**
 * tfjs-backend-wasm's Concat copies in a JS loop over every row before the concat axis: a channel
 * concat of NHWC tensors is N·H·W rows of a few channels each (3.7 ms for [64,28,28,4] + [64,28,28,1],
 * against 0.35 ms NCHW, where a row is a whole image). Below this many channels in some input, the
 * concat runs NCHW (native transposes in, the next conv transposes back).
 */
const CHANNEL_CONCAT_MIN = 16;

const concat: OpSpec = {
  attributes: ['axis'],
  fold(parts, ctx) {
    const present = parts.filter((p) => p !== undefined);
    if (present.length === 0) return ctx.fail('no inputs');
    const a = axis(ctx.attr.int('axis', 0), present[0].shape.length, ctx);
    return [concatData(present, a)];
  },
  run(inputs, ctx) {
    const parts = inputs.filter((v): v is Value => v !== undefined);
    if (parts.length === 0) return ctx.fail('no inputs');
    const shapes = parts.map(logicalShape);
    const rank = shapes[0].length;
    const a = axis(ctx.attr.int('axis', 0), rank, ctx);
    if (shapes.some((s) => s.length !== rank || s.some((d, i) => i !== a && d !== shapes[0][i]))) ctx.fail(`inputs [${shapes.map((s) => s.join(',')).join('], [')}] do not concatenate on axis ${a}`);
    if (rank === 4 && parts.some(isNhwc) && !(a === 1 && shapes.some((sh) => sh[1] < CHANNEL_CONCAT_MIN))) {
      return [tensorValue(tf.concat(parts.map(asNhwc), NHWC_AXIS[a]), 'nhwc')];
    }
    return [tensorValue(tf.concat(parts.map(asNchw), a))];
  },
};

function sliceSpec(dims: number[], inputs: (Value | undefined)[], ctx: OpContext) {
  const starts = ints(staticInput(inputs[1], ctx, 'starts'));
  const ends = ints(staticInput(inputs[2], ctx, 'ends'));
  const axes = inputs[3] ? ints(staticInput(inputs[3], ctx, 'axes')).map((a) => axis(a, dims.length, ctx)) : starts.map((_, i) => i);
  const steps = inputs[4] ? ints(staticInput(inputs[4], ctx, 'steps')) : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) ctx.fail('starts, ends, axes and steps differ in length');
  if (steps.some((s) => s === 0)) ctx.fail('a step of 0');
  return sliceParams(dims, starts, ends, axes, steps);
}

const slice: OpSpec = {
  attributes: [],
  staticInputs: [1, 2, 3, 4],
  fold(consts, ctx) {
    const data = consts[0] ?? ctx.fail('input is missing');
    const asValues = consts.map((c) => c && ({ kind: 'const', c, persistent: false }) as Value);
    return [sliceData(data, sliceSpec(data.shape, asValues, ctx))];
  },
  run(inputs, ctx) {
    if (ctx.opset < 10) ctx.fail('Slice with attributes (opset < 10) is not supported');
    const x = inputs[0] ?? ctx.fail('input is missing');
    const p = sliceSpec(logicalShape(x), inputs, ctx);
    const nhwc = isNhwc(x) && x.kind === 'tensor';
    // Physical order: logical axis k is stored at NHWC_AXIS[k].
    const order = (v: number[]) => (nhwc ? [v[0], v[2], v[3], v[1]] : v);
    const t = nhwc ? (x as { t: tf.Tensor }).t : asNchw(x);
    const begin = order(p.begin);
    const count = order(p.count);
    const step = order(p.step);
    let y: tf.Tensor;
    if (step.every((s) => s === 1)) y = tf.slice(t, begin, count);
    else {
      // A backwards walk to the very start ends at -1, which stridedSlice would read as "from the
      // end": such axes get their end bit set instead.
      const end = begin.map((b, i) => b + step[i] * count[i]);
      const endMask = end.reduce((m, e, i) => (e < 0 ? m | (1 << i) : m), 0);
      y = tf.stridedSlice(t, begin, end.map((e) => Math.max(e, 0)), step, 0, endMask);
    }
    return [tensorValue(y, nhwc ? 'nhwc' : 'nchw')];
  },
};

/**
 * Reflect padding from slices, reverses and a concat per axis. Not tf.mirrorPad: its registered
 * gradient (tfjs-core 4.22) only slices the centre out of dy, dropping what flowed into the
 * mirrored border, so input gradients came out wrong near the edges.
 */
function reflectPad(t: tf.Tensor, paddings: [number, number][]): tf.Tensor {
  let y = t;
  paddings.forEach(([before, after], ax) => {
    if (before === 0 && after === 0) return;
    const n = y.shape[ax];
    const part = (from: number, count: number) => {
      const begin = y.shape.map(() => 0);
      const size = [...y.shape];
      begin[ax] = from;
      size[ax] = count;
      return tf.reverse(tf.slice(y, begin, size), ax);
    };
    const pieces = [...(before ? [part(1, before)] : []), y, ...(after ? [part(n - 1 - after, after)] : [])];
    y = tf.concat(pieces, ax);
  });
  return y;
}

const pad: OpSpec = {
  attributes: ['mode', 'pads', 'value'],
  staticInputs: [1, 2],
  weightRoles: {},
  run(inputs, ctx) {
    const x = inputs[0] ?? ctx.fail('input is missing');
    const rank = logicalShape(x).length;
    if (inputs[3]) ctx.fail('the axes input (opset 18) is not supported');
    const pads = ctx.opset < 11 ? (ctx.attr.ints('pads') ?? ctx.fail('pads are missing')) : ints(staticInput(inputs[1], ctx, 'pads'));
    if (pads.length !== 2 * rank) ctx.fail(`${pads.length} pads for rank ${rank}`);
    if (pads.some((p) => p < 0)) ctx.fail(`negative pads [${pads.join(',')}] are not supported`);
    const value = ctx.opset < 11 ? ctx.attr.float('value', 0) : inputs[2] ? staticInput(inputs[2], ctx, 'constant_value').data[0] : 0;
    const mode = ctx.attr.string('mode', 'constant');
    const nhwc = isNhwc(x) && x.kind === 'tensor';
    let paddings = [...Array(rank).keys()].map((i) => [pads[i], pads[i + rank]] as [number, number]);
    if (nhwc) paddings = [paddings[0], paddings[2], paddings[3], paddings[1]];
    const t = nhwc ? asNhwc(x) : x.kind === 'const' ? constTensor(x) : asNchw(x);
    if (mode === 'constant') return [tensorValue(tf.pad(t, paddings, value), nhwc ? 'nhwc' : 'nchw')];
    if (mode === 'reflect') {
      if (paddings.some(([b, e], i) => b >= t.shape[i] || e >= t.shape[i])) ctx.fail('reflect pads must be smaller than the padded dimension');
      return [tensorValue(reflectPad(t, paddings), nhwc ? 'nhwc' : 'nchw')];
    }
    return ctx.fail(`mode "${mode}" is not supported (constant and reflect are)`);
  },
};

export const reshapeOps: OpRegistry = {
  Reshape: reshapeLike(['allowzero'], [1], reshapeTarget),
  Flatten: reshapeLike(['axis'], [], flattenTarget),
  Transpose: transpose,
  Concat: concat,
  Slice: slice,
  Pad: pad,
};
