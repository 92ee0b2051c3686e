/**
 * The ONNX file format: decode a ModelProto from bytes, encode one back, read an initializer's
 * values, write new float values into one.
 *
 * The schema is ONNX's own (onnx-schema.ts: the vendored .proto text, Apache-2.0), parsed by protobufjs
 * at run time, once, on first use. Why run time and not generated static code: the .proto stays the
 * one source of truth (no generated file to keep in step, no code generator among the
 * dependencies), and parsing it costs a few milliseconds once per process. Fields the schema does
 * not know are kept as raw bytes, so a model from a newer ONNX still round-trips (they move to the
 * end of their message). Field names are kept as the schema spells them (raw_data, op_type).
 *
 * int64 fields decode to Long objects (protobufjs's choice, lossless); toNumber() turns the ones
 * we compute with (dims, attribute ints, opset versions) into numbers.
 */
import { ONNX_PROTO } from './onnx-schema.ts';
import protobuf from 'protobufjs';

type Long = protobuf.Long;
export type Int64 = number | Long;

/** The decoded messages, as far as Provenant reads them (the objects carry every field). */
export interface TensorProto {
  dims: Int64[];
  data_type: number;
  name: string;
  float_data: number[];
  int32_data: number[];
  int64_data: Int64[];
  double_data: number[];
  uint64_data: Int64[];
  raw_data: Uint8Array;
  data_location: number;
  segment?: unknown;
}

export interface AttributeProto {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: TensorProto;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  ref_attr_name: string;
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: AttributeProto[];
}

export interface TensorShapeDim {
  dim_value?: Int64;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type: number; shape?: { dim: TensorShapeDim[] } } };
}

export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  sparse_initializer: unknown[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: Int64;
  opset_import: { domain: string; version: Int64 }[];
  producer_name: string;
  producer_version: string;
  graph?: GraphProto;
  functions: unknown[];
}

/** TensorProto.DataType codes (the ones the importer meets). */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;
const TYPE_NAMES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};
export const dataTypeName = (code: number): string => TYPE_NAMES[code] ?? `type ${code}`;

export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

let modelType: protobuf.Type | undefined;

function schema(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

export function toNumber(v: Int64): number {
  return typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(false);
}

/** Decodes a ModelProto; `file` names the source in errors. */
export function decodeModel(bytes: Uint8Array, file: string): ModelProto {
  let model: ModelProto;
  try {
    // Fields the schema does not know (a newer ONNX) are kept as raw bytes and written back by
    // encodeModel (protobufjs drops them unless the reader is told otherwise).
    const reader = protobuf.Reader.create(bytes);
    reader.discardUnknown = false;
    model = schema().decode(reader) as unknown as ModelProto;
  } catch (err) {
    throw new Error(`${file}: not an ONNX model (protobuf decoding failed: ${(err as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0) throw new Error(`${file}: not an ONNX model (no graph, or a graph without nodes)`);
  if (model.opset_import.length === 0) throw new Error(`${file}: the model imports no operator set (opset_import is empty)`);
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  const type = schema();
  return type.encode(model as unknown as protobuf.Message).finish();
}

/** The version of the standard ONNX operator set the model imports (domain "" or "ai.onnx"). */
export function standardOpset(model: ModelProto, file: string): number {
  const entry = model.opset_import.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!entry) throw new Error(`${file}: the model does not import the standard ONNX operator set (domains: ${model.opset_import.map((o) => `"${o.domain}"`).join(', ')})`);
  return toNumber(entry.version);
}

/**
 * A tensor's values. float32 stays float32 (the weights); every integer and bool type is widened
 * to float64, exact for the values ONNX files put in them (shapes, axes, indices; int64 extremes
 * such as Slice's "to the end" lose their last digits, which no shape can tell apart).
 */
export interface TensorData {
  dtype: 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';
  shape: number[];
  data: Float32Array | Float64Array;
}

const INT_TYPES: Record<number, { dtype: TensorData['dtype']; bytes: number; read: (v: DataView, o: number) => number }> = {
  [DataType.INT64]: { dtype: 'int64', bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  [DataType.INT32]: { dtype: 'int32', bytes: 4, read: (v, o) => v.getInt32(o, true) },
  [DataType.INT8]: { dtype: 'int8', bytes: 1, read: (v, o) => v.getInt8(o) },
  [DataType.UINT8]: { dtype: 'uint8', bytes: 1, read: (v, o) => v.getUint8(o) },
  [DataType.BOOL]: { dtype: 'bool', bytes: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
};

/** Reads a dense tensor's values; `where` names it in errors (file and initializer or node). */
export function readTensor(t: TensorProto, where: string): TensorData {
  const shape = t.dims.map(toNumber);
  const size = shape.reduce((a, b) => a * b, 1);
  if (t.data_location === 1) throw new Error(`${where}: data stored in an external file is not supported (save the model with its data inside)`);
  if (t.segment) throw new Error(`${where}: segmented tensors are not supported`);
  const raw = t.raw_data && t.raw_data.length > 0 ? t.raw_data : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const checkCount = (n: number, field: string) => {
    if (n !== size) throw new Error(`${where}: ${field} holds ${n} values, dims [${shape.join(',')}] need ${size}`);
  };
  if (t.data_type === DataType.FLOAT) {
    const out = new Float32Array(size);
    if (view) {
      checkCount(raw!.byteLength / 4, 'raw_data');
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(4 * i, true);
    } else {
      checkCount(t.float_data.length, 'float_data');
      out.set(t.float_data);
    }
    return { dtype: 'float32', shape, data: out };
  }
  if (t.data_type === DataType.DOUBLE) {
    const out = new Float64Array(size);
    if (view) {
      checkCount(raw!.byteLength / 8, 'raw_data');
      for (let i = 0; i < size; i++) out[i] = view.getFloat64(8 * i, true);
    } else {
      checkCount(t.double_data.length, 'double_data');
      out.set(t.double_data);
    }
    return { dtype: 'float64', shape, data: out };
  }
  const int = INT_TYPES[t.data_type];
  if (!int) throw new Error(`${where}: tensors of type ${dataTypeName(t.data_type)} are not supported`);
  const out = new Float64Array(size);
  if (view) {
    checkCount(raw!.byteLength / int.bytes, 'raw_data');
    for (let i = 0; i < size; i++) out[i] = int.read(view, int.bytes * i);
  } else if (t.data_type === DataType.INT64) {
    checkCount(t.int64_data.length, 'int64_data');
    for (let i = 0; i < size; i++) out[i] = toNumber(t.int64_data[i]);
  } else {
    checkCount(t.int32_data.length, 'int32_data');
    out.set(t.int32_data);
  }
  return { dtype: int.dtype, shape, data: out };
}

/** Replaces a float32 tensor's values (written as little-endian raw_data; float_data cleared). */
export function writeFloatTensor(t: TensorProto, values: Float32Array, where: string): void {
  const size = t.dims.map(toNumber).reduce((a, b) => a * b, 1);
  if (t.data_type !== DataType.FLOAT) throw new Error(`${where}: is ${dataTypeName(t.data_type)}, not float32`);
  if (values.length !== size) throw new Error(`${where}: ${values.length} values for dims [${t.dims.map(toNumber).join(',')}]`);
  const raw = new Uint8Array(4 * size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < size; i++) view.setFloat32(4 * i, values[i], true);
  t.raw_data = raw;
  t.float_data = [];
}
