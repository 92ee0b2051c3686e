/**
 * Conv and ConvTranspose, 2-D (inputs of rank 4), computed NHWC with tfjs's conv2d /
 * conv2dTranspose. Weights stay in the file's layout ([out, in/group, kh, kw] for Conv,
 * [in, out/group, kh, kw] for ConvTranspose) so that the variables are the initializers; each call
 * transposes them to HWIO (weights are small next to the activations; see the decision note).
 *
 * groups > 1: the input channels and the filters are split into groups, one conv2d each, then
 * concatenated (tfjs's depthwise conv has no gradient kernels on the wasm backend).
 * dilations > 1: tfjs's conv2d has no gradient for dilated convolutions, so inside a gradient tape
 * the kernel is dilated instead (zeros inserted between its taps: the same sums); outside a tape
 * the native dilated conv runs. ConvTranspose always uses the dilated kernel.
 * Asymmetric pads are explicit paddings; auto_pad SAME_UPPER / SAME_LOWER / VALID are supported.
 */
import * as tf from '@tensorflow/tfjs';
import type { OpContext, OpRegistry, OpSpec, Value } from './types.ts';
import { asNchw, asNhwc, logicalShape, spatialOut } from './values.ts';

export function inGradientTape(): boolean {
  return ((tf.engine().state as unknown as { gradientDepth?: number }).gradientDepth ?? 0) > 0;
}

export interface Geometry2d {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right], as ONNX orders them ([x1_begin, x2_begin, x1_end, x2_end]). */
  pads: [number, number, number, number];
}

const pair = (v: number[] | undefined, fallback: number, what: string, ctx: OpContext): [number, number] => {
  if (!v) return [fallback, fallback];
  if (v.length !== 2) ctx.fail(`${what} has ${v.length} values; only 2-D operators are supported`);
  if (v.some((x) => x < 1)) ctx.fail(`${what} [${v.join(',')}] must be positive`);
  return [v[0], v[1]];
};

/** Reads kernel_shape/strides/dilations/pads/auto_pad for a 2-D window over input [h, w]. */
export function windowGeometry(ctx: OpContext, kernel: [number, number], hw: [number, number], allowSame = true): Geometry2d {
  const strides = pair(ctx.attr.ints('strides'), 1, 'strides', ctx);
  const dilations = pair(ctx.attr.ints('dilations'), 1, 'dilations', ctx);
  const autoPad = ctx.attr.string('auto_pad', 'NOTSET');
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (autoPad === 'NOTSET') {
    const p = ctx.attr.ints('pads') ?? [0, 0, 0, 0];
    if (p.length !== 4) ctx.fail(`pads has ${p.length} values; only 2-D operators are supported`);
    if (p.some((x) => x < 0)) ctx.fail(`negative pads [${p.join(',')}] are not supported`);
    pads = [p[0], p[1], p[2], p[3]];
  } else if ((autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') && allowSame) {
    if (ctx.attr.has('pads')) ctx.fail('auto_pad and pads are both set');
    const total = [0, 1].map((i) => Math.max((Math.ceil(hw[i] / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - hw[i], 0));
    const small = total.map((t) => Math.floor(t / 2));
    const large = total.map((t, i) => t - small[i]);
    pads = autoPad === 'SAME_UPPER' ? [small[0], small[1], large[0], large[1]] : [large[0], large[1], small[0], small[1]];
  } else if (autoPad !== 'VALID') {
    ctx.fail(`auto_pad "${autoPad}" is not supported`);
  }
  return { kernel, strides, dilations, pads };
}

/** tfjs's padding argument for [top, left, bottom, right]. */
export function tfPadding(p: Geometry2d['pads']): 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  return p.every((x) => x === 0) ? 'valid' : [[0, 0], [p[0], p[2]], [p[1], p[3]], [0, 0]];
}

/** A kernel [a, b, kh, kw] with (d - 1) zeros between taps: the dense equivalent of a dilated kernel. */
export function dilateKernel(w: tf.Tensor, [dh, dw]: [number, number]): tf.Tensor {
  const spread = (t: tf.Tensor, ax: 2 | 3, d: number): tf.Tensor => {
    if (d === 1) return t;
    const [a, b, h, w2] = t.shape;
    const k = ax === 2 ? h : w2;
    // [a,b,k,1,...] padded to [a,b,k,d,...] then read as k*d taps, of which the first (k-1)d+1 are kept.
    const withUnit = ax === 2 ? tf.reshape(t, [a, b, h, 1, w2]) : tf.reshape(t, [a, b, h, w2, 1]);
    const pads: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]];
    pads[ax + 1] = [0, d - 1];
    const spreadOut = tf.reshape(tf.pad(withUnit, pads), ax === 2 ? [a, b, h * d, w2] : [a, b, h, w2 * d]);
    return ax === 2 ? tf.slice(spreadOut, [0, 0, 0, 0], [a, b, (k - 1) * d + 1, w2]) : tf.slice(spreadOut, [0, 0, 0, 0], [a, b, h, (k - 1) * d + 1]);
  };
  return spread(spread(w, 2, dh), 3, dw);
}

function operands(inputs: (Value | undefined)[], ctx: OpContext): { x: Value; w: Value; b?: Value } {
  const [x, w, b] = inputs;
  if (!x || !w) return ctx.fail('input X or W is missing');
  if (logicalShape(x).length !== 4) ctx.fail(`input of rank ${logicalShape(x).length}: only 2-D convolutions (rank-4 NCHW inputs) are supported`);
  if (logicalShape(w).length !== 4) ctx.fail(`weight of rank ${logicalShape(w).length}: expected [out, in/group, kh, kw]`);
  return { x, w, b };
}

function checkKernelShape(ctx: OpContext, w: number[]): [number, number] {
  const ks = ctx.attr.ints('kernel_shape');
  if (ks && (ks.length !== 2 || ks[0] !== w[2] || ks[1] !== w[3])) ctx.fail(`kernel_shape [${ks.join(',')}] does not match the weight's [${w.slice(2).join(',')}]`);
  return [w[2], w[3]];
}

/** One conv per group (input channels and filters split alike on their last axis), concatenated. */
function grouped(x: tf.Tensor4D, filter: tf.Tensor4D, group: number, one: (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor): tf.Tensor {
  if (group === 1) return one(x, filter);
  const xs = tf.split(x, group, 3);
  const fs = tf.split(filter, group, 3);
  return tf.concat(xs.map((xi, i) => one(xi as tf.Tensor4D, fs[i] as tf.Tensor4D)), 3);
}

const conv: OpSpec = {
  attributes: ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'],
  weightRoles: { 1: 'kernel', 2: 'bias' },
  run(inputs, ctx) {
    const { x, w, b } = operands(inputs, ctx);
    const [, c, h, wd] = logicalShape(x);
    const ws = logicalShape(w);
    const group = ctx.attr.int('group', 1);
    if (group < 1 || c !== ws[1] * group || ws[0] % group !== 0) ctx.fail(`input channels ${c}, weight [${ws.join(',')}] and group ${group} do not fit together`);
    const g = windowGeometry(ctx, checkKernelShape(ctx, ws), [h, wd]);
    const dilated = g.dilations.some((d) => d > 1);
    const dilateHere = dilated && inGradientTape();
    const oihw = dilateHere ? dilateKernel(asNchw(w), g.dilations) : asNchw(w);
    const filter = tf.transpose(oihw, [2, 3, 1, 0]) as tf.Tensor4D;
    const dil = dilateHere ? ([1, 1] as [number, number]) : g.dilations;
    const pad = tfPadding(g.pads);
    const xs = asNhwc(x) as tf.Tensor4D;
    const bias = b ? (asNchw(b) as tf.Tensor1D) : undefined;
    if (group === 1 && !inGradientTape()) {
      // One fused kernel (conv + bias) where no gradient is recorded; inside a tape the plain op's
      // gradient is pruned per input (the fused one always computes the filter gradient too).
      return [spatialOut(tf.fused.conv2d({ x: xs, filter, strides: g.strides, pad, dataFormat: 'NHWC', dilations: dil, bias }), ctx)];
    }
    const one = (xi: tf.Tensor4D, fi: tf.Tensor4D) => tf.conv2d(xi, fi, g.strides, pad, 'NHWC', dil);
    let y = grouped(xs, filter, group, one);
    if (bias) y = tf.add(y, bias);
    return [spatialOut(y, ctx)];
  },
};

const convTranspose: OpSpec = {
  attributes: ['auto_pad', 'dilations', 'group', 'kernel_shape', 'output_padding', 'pads', 'strides'],
  weightRoles: { 1: 'kernel', 2: 'bias' },
  run(inputs, ctx) {
    const { x, w, b } = operands(inputs, ctx);
    const [n, c, h, wd] = logicalShape(x);
    const ws = logicalShape(w);
    const group = ctx.attr.int('group', 1);
    if (group < 1 || c !== ws[0] || c % group !== 0) ctx.fail(`input channels ${c}, weight [${ws.join(',')}] and group ${group} do not fit together`);
    // SAME_* for a transposed conv pads the output, not the input: not supported (PyTorch never emits it).
    const g = windowGeometry(ctx, checkKernelShape(ctx, ws), [h, wd], false);
    const op = ctx.attr.ints('output_padding') ?? [0, 0];
    if (op.length !== 2 || op.some((p, i) => p < 0 || p >= Math.max(g.strides[i], g.dilations[i]))) ctx.fail(`output_padding [${op.join(',')}] must be 2 values below the stride or dilation`);
    const oihw = dilateKernel(asNchw(w), g.dilations);
    const [kh, kw] = [oihw.shape[2] as number, oihw.shape[3] as number];
    const filter = tf.transpose(oihw, [2, 3, 1, 0]) as tf.Tensor4D; // [kh, kw, out/group, in]
    const full = [(h - 1) * g.strides[0] + kh, (wd - 1) * g.strides[1] + kw];
    const outPerGroup = ws[1];
    const one = (xi: tf.Tensor4D, fi: tf.Tensor4D) => tf.conv2dTranspose(xi, fi, [n, full[0], full[1], outPerGroup], g.strides, 'valid');
    const xs = asNhwc(x) as tf.Tensor4D;
    let y = grouped(xs, filter, group, one);
    // output_padding appends rows/cols at the far end; then the pads are cropped from both ends.
    if (op[0] > 0 || op[1] > 0) y = tf.pad(y, [[0, 0], [0, op[0]], [0, op[1]], [0, 0]]);
    const [top, left, bottom, right] = g.pads;
    const out = [full[0] + op[0] - top - bottom, full[1] + op[1] - left - right];
    if (out[0] < 1 || out[1] < 1) ctx.fail(`pads [${g.pads.join(',')}] leave no output`);
    if (top || left || bottom || right) y = tf.slice(y, [0, top, left, 0], [n, out[0], out[1], y.shape[3] as number]);
    if (b) y = tf.add(y, asNchw(b));
    return [spatialOut(y, ctx)];
  },
};

export const convOps: OpRegistry = { Conv: conv, ConvTranspose: convTranspose };
