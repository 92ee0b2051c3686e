/**
 * Running nodes: each node is prepared once at import (operator looked up, attributes checked
 * against the operator's list, an error function that names the node), then either folded at
 * import (every input a constant: its outputs become constants of the graph) or run on every call.
 */
import * as tf from '@tensorflow/tfjs';
import type { NodeProto } from './onnx-proto.ts';
import { OnnxImportError } from './errors.ts';
import { Attributes } from './ops/attributes.ts';
import { lookupOp } from './ops/index.ts';
import type { OpContext, OpSpec, TensorData, Value } from './ops/types.ts';
import { constValue, readBack } from './ops/values.ts';

export interface PreparedNode {
  node: NodeProto;
  /** The node's name, or "<op>#<index>" for an unnamed node. */
  name: string;
  spec: OpSpec;
  attr: Attributes;
  fail: (detail: string) => never;
  /** Per output: whether a later node or the graph output reads it. */
  used: boolean[];
  /** Seed offset for random ops (the node's index). */
  index: number;
}

export interface RunOptions {
  training: boolean;
  seed: number | undefined;
  keepNhwc: boolean;
}

/** Looks the node's operator up and checks its attributes; throws OnnxImportError naming node, op, opset. */
export function prepareNode(node: NodeProto, index: number, opset: number, file: string, used: ReadonlySet<string>): PreparedNode {
  const name = node.name || `${node.op_type}#${index}`;
  const fail = (detail: string): never => {
    throw new OnnxImportError(file, detail, { name, op: node.domain ? `${node.domain}:${node.op_type}` : node.op_type, opset });
  };
  if (node.domain !== '' && node.domain !== 'ai.onnx') fail(`operators of domain "${node.domain}" are not supported`);
  const spec = lookupOp(node.op_type) ?? fail('operator not supported');
  const attr = new Attributes(node, spec.attributes, fail);
  return { node, name, spec, attr, fail, used: node.output.map((o) => o !== '' && used.has(o)), index };
}

function context(p: PreparedNode, opset: number, run: RunOptions): OpContext {
  return {
    opset,
    training: run.training,
    seed: run.seed === undefined ? undefined : run.seed + 7919 * p.index,
    keepNhwc: run.keepNhwc,
    attr: p.attr,
    fail: p.fail,
  };
}

function inputsOf(p: PreparedNode, values: ReadonlyMap<string, Value>): (Value | undefined)[] {
  return p.node.input.map((name) => {
    if (name === '') return undefined;
    return values.get(name) ?? p.fail(`input "${name}" is not a graph input, an initializer, or an output of an earlier node`);
  });
}

function store(p: PreparedNode, outs: Value[], values: Map<string, Value>): void {
  p.node.output.forEach((name, i) => {
    if (name === '') return;
    if (i >= outs.length) {
      if (p.used[i]) p.fail(`output ${i} ("${name}") is not supported`);
      return;
    }
    values.set(name, outs[i]);
  });
}

const allConst = (inputs: (Value | undefined)[]): boolean => inputs.every((v) => v === undefined || v.kind === 'const');

/** Runs a node on the values so far and stores its outputs (constants fold in JS where the op can). */
export function runNode(p: PreparedNode, opset: number, values: Map<string, Value>, run: RunOptions): void {
  const inputs = inputsOf(p, values);
  const ctx = context(p, opset, run);
  const outs =
    p.spec.fold && allConst(inputs)
      ? p.spec.fold(inputs.map((v) => (v?.kind === 'const' ? v.c : undefined)), ctx).map((c) => constValue(c))
      : p.spec.run(inputs, ctx);
  store(p, outs, values);
}

/**
 * At import: a node whose inputs are all constants is computed now, once, and its outputs become
 * constants of the graph. Returns false (and computes nothing) when some input is not constant.
 */
export function foldAtImport(p: PreparedNode, opset: number, values: Map<string, Value>): boolean {
  const inputs = inputsOf(p, values);
  if (!allConst(inputs)) return false;
  const ctx = context(p, opset, { training: false, seed: undefined, keepNhwc: false });
  let outs: TensorData[] = [];
  if (p.spec.fold) {
    outs = p.spec.fold(inputs.map((v) => (v?.kind === 'const' ? v.c : undefined)), ctx);
  } else {
    // No JS version: the tensor op runs once on the constants and its results are read back.
    tf.tidy(() => {
      outs = p.spec.run(inputs, ctx).map((v) => (v.kind === 'const' ? v.c : readBack(v.layout === 'nhwc' ? tf.transpose(v.t, [0, 3, 1, 2]) : v.t)));
    });
  }
  store(p, outs.map((c) => constValue(c, true)), values);
  return true;
}
