/**
 * The shape plumbing PyTorch emits — Shape, Gather, Unsqueeze, Squeeze, Cast, ConstantOfShape,
 * Constant — plus Identity and Dropout.
 *
 * Shape of a tensor is a constant (tfjs is eager: every shape is known when the op runs), and every
 * op here folds constants in JS, so `x.view(x.size(0), -1)` becomes a reshape to a known shape
 * without one tensor op on the gradient tape. On tensors, Gather with constant indices is slices
 * (tfjs's gather has no gradient kernel on the wasm backend), Unsqueeze/Squeeze are reshapes.
 */
import * as tf from '@tensorflow/tfjs';
import { DataType, dataTypeName } from '../onnx-proto.ts';
import type { OpContext, OpRegistry, OpSpec, TensorData, Value } from './types.ts';
import { castData, gatherData, reshapeData } from './const-fold.ts';
import { asNchw, axis, constValue, ints, logicalShape, staticInput, tensorValue } from './values.ts';

const CAST_TARGETS: Record<number, TensorData['dtype']> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.INT64]: 'int64', [DataType.INT32]: 'int32',
  [DataType.INT8]: 'int8', [DataType.UINT8]: 'uint8', [DataType.BOOL]: 'bool',
};

const int64 = (values: number[], shape = [values.length]): TensorData => ({ dtype: 'int64', shape, data: Float64Array.from(values) });

function first(inputs: (Value | undefined)[], ctx: OpContext): Value {
  return inputs[0] ?? ctx.fail('input is missing');
}

const shapeOp: OpSpec = {
  attributes: ['start', 'end'],
  run(inputs, ctx) {
    const dims = logicalShape(first(inputs, ctx));
    const r = dims.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    return [constValue(int64(dims.slice(clamp(ctx.attr.int('start', 0)), clamp(ctx.attr.int('end', r)))))];
  },
};

/** Indices of a Gather, normalised against the gathered axis. */
function gatherIndices(v: Value | undefined, dim: number, ctx: OpContext): { list: number[]; shape: number[] } {
  const c = staticInput(v, ctx, 'indices');
  const list = ints(c).map((i) => {
    if (i < -dim || i >= dim) ctx.fail(`index ${i} is out of range for a dimension of ${dim}`);
    return i < 0 ? i + dim : i;
  });
  return { list, shape: c.shape };
}

const gather: OpSpec = {
  attributes: ['axis'],
  staticInputs: [1],
  fold([data, indices], ctx) {
    if (!data || !indices) return ctx.fail('input is missing');
    const a = axis(ctx.attr.int('axis', 0), data.shape.length, ctx);
    const { list, shape } = gatherIndices(constValue(indices), data.shape[a], ctx);
    return [gatherData(data, list, shape, a)];
  },
  run(inputs, ctx) {
    const data = first(inputs, ctx);
    const dims = logicalShape(data);
    const a = axis(ctx.attr.int('axis', 0), dims.length, ctx);
    const { list, shape } = gatherIndices(inputs[1], dims[a], ctx);
    const t = asNchw(data);
    const size = [...dims];
    size[a] = 1;
    const begin = dims.map(() => 0);
    const pieces = list.map((i) => {
      begin[a] = i;
      return tf.slice(t, begin, size);
    });
    const joined = pieces.length === 1 ? pieces[0] : tf.concat(pieces, a);
    return [tensorValue(tf.reshape(joined, [...dims.slice(0, a), ...shape, ...dims.slice(a + 1)]))];
  },
};

/** Unsqueeze/Squeeze axes: an attribute before opset 13, an input from 13. */
function axesOf(inputs: (Value | undefined)[], ctx: OpContext): number[] | undefined {
  if (ctx.opset < 13) return ctx.attr.ints('axes');
  return inputs[1] ? ints(staticInput(inputs[1], ctx, 'axes')) : undefined;
}

function unsqueezedShape(dims: number[], axes: number[] | undefined, ctx: OpContext): number[] {
  if (!axes || axes.length === 0) return ctx.fail('axes are missing');
  const rank = dims.length + axes.length;
  const at = new Set(axes.map((a) => axis(a, rank, ctx, 'axis')));
  if (at.size !== axes.length) ctx.fail(`repeated axes [${axes.join(',')}]`);
  const out: number[] = [];
  for (let i = 0, j = 0; i < rank; i++) out.push(at.has(i) ? 1 : dims[j++]);
  return out;
}

function squeezedShape(dims: number[], axes: number[] | undefined, ctx: OpContext): number[] {
  const at = new Set((axes ?? dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axis(a, dims.length, ctx, 'axis')));
  for (const a of at) if (dims[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${dims[a]}`);
  return dims.filter((_, i) => !at.has(i));
}

/** An op whose output is its input reshaped: folded on constants, a tf.reshape on tensors. */
function reshapeLike(attributes: readonly string[], staticInputs: readonly number[], outShape: (dims: number[], inputs: (Value | undefined)[], ctx: OpContext) => number[]): OpSpec {
  return {
    attributes,
    staticInputs,
    fold(consts, ctx) {
      const c = consts[0] ?? ctx.fail('input is missing');
      return [reshapeData(c, outShape(c.shape, consts.map((k) => k && constValue(k)), ctx))];
    },
    run(inputs, ctx) {
      const x = first(inputs, ctx);
      return [tensorValue(tf.reshape(asNchw(x), outShape(logicalShape(x), inputs, ctx)))];
    },
  };
}

const cast: OpSpec = {
  attributes: ['to', 'saturate'],
  fold([c], ctx) {
    return [castData(c ?? ctx.fail('input is missing'), castTarget(ctx))];
  },
  run(inputs, ctx) {
    const x = first(inputs, ctx);
    const to = castTarget(ctx);
    const dtype = to === 'float32' || to === 'float64' ? 'float32' : to === 'bool' ? 'bool' : 'int32';
    if (x.kind === 'const') return [tensorValue(tf.cast(asNchw(x), dtype))];
    return [tensorValue(x.t.dtype === dtype ? x.t : tf.cast(x.t, dtype), x.layout)];
  },
};

function castTarget(ctx: OpContext): TensorData['dtype'] {
  const code = ctx.attr.int('to', 0);
  return CAST_TARGETS[code] ?? ctx.fail(`cast to ${dataTypeName(code)} is not supported`);
}

const constantOfShape: OpSpec = {
  attributes: ['value'],
  staticInputs: [0],
  fold([shapeData], ctx) {
    const shape = ints(shapeData ?? ctx.fail('input is missing'));
    const value = ctx.attr.tensor('value', 'attribute "value"') ?? { dtype: 'float32', shape: [1], data: new Float32Array([0]) };
    if (value.data.length !== 1) ctx.fail('value must hold one element');
    const n = shape.reduce((a, b) => a * b, 1);
    const data = value.dtype === 'float32' ? new Float32Array(n).fill(value.data[0]) : new Float64Array(n).fill(value.data[0]);
    return [{ dtype: value.dtype, shape, data }];
  },
  run(inputs, ctx) {
    return this.fold!([staticInput(inputs[0], ctx, 'shape')], ctx).map((c) => constValue(c));
  },
};

const constant: OpSpec = {
  attributes: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'],
  fold(_inputs, ctx) {
    const t = ctx.attr.tensor('value', 'attribute "value"');
    if (t) return [t];
    const f = ctx.attr.floats('value_floats');
    if (f) return [{ dtype: 'float32', shape: [f.length], data: Float32Array.from(f) }];
    const i = ctx.attr.ints('value_ints');
    if (i) return [int64(i)];
    if (ctx.attr.has('value_float')) return [{ dtype: 'float32', shape: [], data: new Float32Array([ctx.attr.float('value_float', 0)]) }];
    if (ctx.attr.has('value_int')) return [int64([ctx.attr.int('value_int', 0)], [])];
    return ctx.fail('has no value');
  },
  run(_inputs, ctx) {
    return this.fold!([], ctx).map((c) => constValue(c));
  },
};

const identity: OpSpec = {
  attributes: [],
  fold: ([c], ctx) => [c ?? ctx.fail('input is missing')],
  run: (inputs, ctx) => [first(inputs, ctx)],
};

const dropout: OpSpec = {
  attributes: ['ratio', 'seed'],
  staticInputs: [1, 2],
  run(inputs, ctx) {
    const x = first(inputs, ctx);
    if (!ctx.training) return [x];
    const ratio = ctx.opset < 12 ? ctx.attr.float('ratio', 0.5) : inputs[1] ? staticInput(inputs[1], ctx, 'ratio').data[0] : 0.5;
    if (ctx.seed === undefined) ctx.fail('apply({ training: true }) needs a seed when the model has Dropout');
    if (x.kind === 'const' || ratio === 0) return [x];
    return [tensorValue(tf.dropout(x.t, ratio, undefined, ctx.seed), x.layout)];
  },
};

export const shapeOps: OpRegistry = {
  Shape: shapeOp,
  Gather: gather,
  Unsqueeze: reshapeLike(['axes'], [1], (dims, inputs, ctx) => unsqueezedShape(dims, axesOf(inputs, ctx), ctx)),
  Squeeze: reshapeLike(['axes'], [1], (dims, inputs, ctx) => squeezedShape(dims, axesOf(inputs, ctx), ctx)),
  Cast: cast,
  ConstantOfShape: constantOfShape,
  Constant: constant,
  Identity: identity,
  Dropout: dropout,
};

export { reshapeLike };
