/**
 * What an operator implementation sees and returns.
 *
 * A value in the executor is either a tensor (computed from the model input or a weight variable:
 * it is on the gradient tape) or a constant (known without running the model: initializers that
 * are not weights, Constant nodes, and everything computed from them and from tensor shapes — the
 * shape plumbing PyTorch exports). Constants are plain JS arrays, so shape plumbing never puts an op
 * on the tape: what tf.grad sees is the model's tensor ops only.
 *
 * Layout: the file is NCHW. A rank-4 tensor value may be stored NHWC (layout 'nhwc'), because
 * tfjs's convolutions and pools want NHWC; its logical (file) shape is still NCHW and every op that
 * is not layout-aware asks for the NCHW tensor (see layout.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { TensorData } from '../onnx-proto.ts';
import type { Attributes } from './attributes.ts';

export type { TensorData };
export type Layout = 'nchw' | 'nhwc';

export interface TensorValue {
  kind: 'tensor';
  /** The stored tensor: for layout 'nhwc', the logical NCHW tensor transposed by [0, 2, 3, 1]. */
  t: tf.Tensor;
  layout: Layout;
  /** The same value in the other layout, once some op asked for it (during one call). */
  other?: tf.Tensor;
}

export interface ConstValue {
  kind: 'const';
  c: TensorData;
  /** Made at import and alive as long as the graph: its tensors (below) are kept, not per call. */
  persistent: boolean;
  /** Materialised tensors by layout key ('nchw', 'nhwc'). */
  tensors?: Map<string, tf.Tensor>;
}

export type Value = TensorValue | ConstValue;

/** What a weight (a float initializer that became a variable) is, from the node that consumes it. */
export type WeightRole = 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance' | 'scale' | 'other';

export interface OpContext {
  readonly opset: number;
  /** apply({ training: true }): Dropout drops; batch norm stays in inference form regardless. */
  readonly training: boolean;
  /** Seed for random ops (Dropout in training): derived per node from apply's seed. */
  readonly seed: number | undefined;
  /** false: convolutions and pools return NCHW (a transpose after each), the unoptimised baseline. */
  readonly keepNhwc: boolean;
  /** The node's attributes, already checked against the op's list. */
  readonly attr: Attributes;
  /** Throws an OnnxImportError naming this node, its op type and the opset. */
  fail(detail: string): never;
}

export interface OpSpec {
  /** Every attribute this op understands; a node with any other attribute is refused. */
  attributes: readonly string[];
  /** Inputs that must be constants (shapes, axes, pads, clip bounds): read with staticInput(). */
  staticInputs?: readonly number[];
  /** Roles of weights feeding each input (for `OnnxGraph.weights`); unlisted inputs: 'other'. */
  weightRoles?: Readonly<Record<number, WeightRole>>;
  /** Evaluates the op on constant inputs in JS. Without it, an all-constant node runs through `run` once, at import. */
  fold?(inputs: (TensorData | undefined)[], ctx: OpContext): TensorData[];
  run(inputs: (Value | undefined)[], ctx: OpContext): Value[];
}

export type OpRegistry = Readonly<Record<string, OpSpec>>;
