/**
 * ReduceMean (what `x.mean(dim, keepdim)` exports): axes as an attribute up to opset 17, as an
 * optional constant input from 18. Reduces the stored tensor directly when it is NHWC.
 */
import * as tf from '@tensorflow/tfjs';
import type { OpRegistry, OpSpec } from './types.ts';
import { axis, ints, isNhwc, NHWC_AXIS, rankOf, staticInput, tensorValue, asNchw } from './values.ts';

const reduceMean: OpSpec = {
  attributes: ['axes', 'keepdims', 'noop_with_empty_axes'],
  staticInputs: [1],
  run(inputs, ctx) {
    const x = inputs[0] ?? ctx.fail('input is missing');
    const rank = rankOf(x);
    const given = ctx.opset < 18 ? ctx.attr.ints('axes') : inputs[1] ? ints(staticInput(inputs[1], ctx, 'axes')) : undefined;
    if (ctx.attr.int('noop_with_empty_axes', 0) !== 0 && (!given || given.length === 0)) return [x];
    const axes = (given && given.length > 0 ? given : [...Array(rank).keys()]).map((a) => axis(a, rank, ctx));
    const keep = ctx.attr.int('keepdims', 1) !== 0;
    if (isNhwc(x) && keep && x.kind === 'tensor') return [tensorValue(tf.mean(x.t, axes.map((a) => NHWC_AXIS[a]), true), 'nhwc')];
    return [tensorValue(tf.mean(asNchw(x), axes, keep))];
  },
};

export const reduceOps: OpRegistry = { ReduceMean: reduceMean };
