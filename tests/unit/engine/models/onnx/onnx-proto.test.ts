/**
 * The ONNX file format through protobufjs and our copy of ONNX's schema: byte-identical round
 * trips of PyTorch's files, initializer values from raw_data and from the typed fields, errors
 * that name the file and the tensor.
 */
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, readTensor, standardOpset, toNumber, writeFloatTensor, type TensorProto } from '../../../../../src/main/engine/models/onnx/onnx-proto.ts';
import { FIXTURES, readFixture } from './zoo.ts';

const initializer = (file: string, name: string): TensorProto => {
  const t = decodeModel(readFixture(file), file).graph!.initializer.find((i) => i.name === name);
  if (!t) throw new Error(`no initializer ${name}`);
  return t;
};

describe('decodeModel / encodeModel', () => {
  it.each(FIXTURES)('%s: decodes and encodes back to the same bytes', (file) => {
    const bytes = readFixture(file);
    const model = decodeModel(bytes, file);
    expect(model.producer_name).toBe('pytorch');
    expect(standardOpset(model, file)).toBe(file.includes('opset11') ? 11 : 17);
    expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('names the file when the bytes are not a model', () => {
    expect(() => decodeModel(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), 'broken.onnx')).toThrow(/^broken\.onnx: not an ONNX model \(protobuf decoding failed: /);
    expect(() => decodeModel(new Uint8Array(0), 'empty.onnx')).toThrow('empty.onnx: not an ONNX model (no graph, or a graph without nodes)');
  });

  it('keeps fields it does not know through a round trip', () => {
    const bytes = readFixture('mlp-opset17.onnx');
    // Field 99 (varint 5) appended to the ModelProto: not in the schema.
    const extended = new Uint8Array([...bytes, (99 << 3) & 0x7f | 0x80, 99 >> 4, 5]);
    expect(Buffer.from(encodeModel(decodeModel(extended, 'x'))).equals(Buffer.from(extended))).toBe(true);
  });
});

describe('readTensor', () => {
  it('reads float32 weights from raw_data and from float_data alike', () => {
    const t = initializer('bn-cnn-opset17.onnx', 'conv2.weight');
    expect(t.raw_data.length).toBe(16 * 2 * 3 * 3 * 4);
    const fromRaw = readTensor(t, 'w');
    expect(fromRaw).toMatchObject({ dtype: 'float32', shape: [16, 2, 3, 3] });
    const asFields = { ...t, raw_data: new Uint8Array(0), float_data: Array.from(fromRaw.data) } as TensorProto;
    expect(readTensor(asFields, 'w')).toEqual(fromRaw);
  });

  it('reads int64 shape constants from raw_data and from int64_data', () => {
    const model = decodeModel(readFixture('lenet-opset17.onnx'), 'lenet');
    const constant = model.graph!.node.find((n) => n.op_type === 'Constant' && n.output[0] === '/Constant_output_0')!;
    const t = constant.attribute[0].t!;
    const fromRaw = readTensor(t, 'c');
    expect(fromRaw.dtype).toBe('int64');
    const asFields = { ...t, raw_data: new Uint8Array(0), int64_data: Array.from(fromRaw.data) } as TensorProto;
    expect(readTensor(asFields, 'c')).toEqual(fromRaw);
    // Slice's "to the end" is INT64_MIN / INT64_MAX: read as an (inexact) huge number, never wrapped.
    const ops = decodeModel(readFixture('ops-mix-opset11.onnx'), 'ops-mix').graph!.node;
    const huge = ops.filter((n) => n.op_type === 'Constant').map((n) => readTensor(n.attribute[0].t!, 'c').data[0]);
    expect(Math.min(...huge)).toBeLessThan(-9e18);
  });

  it('refuses what it cannot read, naming the tensor', () => {
    const t = initializer('mlp-opset11.onnx', 'net.5.bias');
    expect(() => readTensor({ ...t, raw_data: t.raw_data.subarray(4) } as TensorProto, 'model.onnx: initializer "net.5.bias"')).toThrow('model.onnx: initializer "net.5.bias": raw_data holds 9 values, dims [10] need 10');
    expect(() => readTensor({ ...t, data_location: 1 } as TensorProto, 'w')).toThrow('w: data stored in an external file is not supported');
    expect(() => readTensor({ ...t, data_type: 10 } as TensorProto, 'w')).toThrow('w: tensors of type float16 are not supported');
  });
});

describe('writeFloatTensor', () => {
  it('replaces the values as little-endian raw_data and clears float_data', () => {
    const t = initializer('mlp-opset11.onnx', 'net.5.bias');
    const values = Float32Array.from({ length: 10 }, (_, i) => i - 4.5);
    const target = { ...t, float_data: [1] } as TensorProto;
    writeFloatTensor(target, values, 'b');
    expect(target.float_data).toEqual([]);
    expect(readTensor(target, 'b').data).toEqual(values);
    expect(target.dims.map(toNumber)).toEqual([10]);
    expect(() => writeFloatTensor(target, new Float32Array(3), 'b')).toThrow('b: 3 values for dims [10]');
  });
});
