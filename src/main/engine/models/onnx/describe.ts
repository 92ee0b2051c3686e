/**
 * What `provenant info model.onnx` shows: the model's interface (inputs, outputs, class count),
 * its operators with counts (and which of them the importer cannot run), opset, producer, SHA-256.
 * Reads the file only: no backend, no session, no import.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dataTypeName, decodeModel, standardOpset, toNumber, type ModelProto, type ValueInfoProto } from './onnx-proto.ts';
import { lookupOp } from './ops/index.ts';

export interface OnnxTensorInfo {
  name: string;
  /** Element type ('float32', 'int64', ...). */
  dtype: string;
  /** Dimensions as declared: numbers, or names for symbolic ones (e.g. "batch"); null: unknown rank. */
  dims: (number | string)[] | null;
}

export interface OnnxDescription {
  file: string;
  bytes: number;
  sha256: string;
  irVersion: number;
  /** Version of the standard ONNX operator set. */
  opset: number;
  producer: { name: string; version: string };
  /** Graph inputs that are not initializers: what a caller feeds. */
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** Last dimension of the first output when it is a number (the class count of a classifier). */
  classes: number | null;
  /** Operator type → node count, in first-use order. */
  operators: Record<string, number>;
  /** Operator types (of the standard domain, or "domain:op") the importer does not support. */
  unsupported: string[];
  /** Number of initializers and of their elements (parameters and constants). */
  initializers: { count: number; elements: number };
}

export function tensorInfo(v: ValueInfoProto): OnnxTensorInfo {
  const t = v.type?.tensor_type;
  const dims = t?.shape ? t.shape.dim.map((d) => (d.dim_param ? d.dim_param : d.dim_value !== undefined ? toNumber(d.dim_value) : '?')) : null;
  return { name: v.name, dtype: t ? dataTypeName(t.elem_type) : 'not a tensor', dims };
}

/** The description of a decoded model (the file's bytes give its size and hash). */
export function describeModel(model: ModelProto, bytes: Uint8Array, file: string): OnnxDescription {
  const graph = model.graph!;
  const initNames = new Set(graph.initializer.map((t) => t.name));
  const operators: Record<string, number> = {};
  const unsupported = new Set<string>();
  for (const node of graph.node) {
    const standard = node.domain === '' || node.domain === 'ai.onnx';
    const key = standard ? node.op_type : `${node.domain}:${node.op_type}`;
    operators[key] = (operators[key] ?? 0) + 1;
    if (!standard || !lookupOp(node.op_type)) unsupported.add(key);
  }
  const outputs = graph.output.map(tensorInfo);
  const last = outputs[0]?.dims?.at(-1);
  return {
    file,
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    irVersion: toNumber(model.ir_version),
    opset: standardOpset(model, file),
    producer: { name: model.producer_name, version: model.producer_version },
    inputs: graph.input.filter((i) => !initNames.has(i.name)).map(tensorInfo),
    outputs,
    classes: typeof last === 'number' ? last : null,
    operators,
    unsupported: [...unsupported],
    initializers: {
      count: graph.initializer.length,
      elements: graph.initializer.reduce((n, t) => n + t.dims.map(toNumber).reduce((a, b) => a * b, 1), 0),
    },
  };
}

/** Reads and describes an ONNX file; errors name the file. */
export async function describeOnnx(file: string): Promise<OnnxDescription> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file}: not found` : `${file}: cannot read (${(err as Error).message})`);
  }
  return describeModel(decodeModel(bytes, file), bytes, file);
}
