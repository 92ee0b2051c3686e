/**
 * What the importer refuses, and how it says so: an unsupported operator, domain, attribute or
 * attribute value names the node, the operator type and the opset; a bad file or input names the
 * file. Also the operators no fixture exports (Dropout, Identity), on edited fixtures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../../src/main/engine/tensor/backend.ts';
import { importOnnx } from '../../../../../src/main/engine/models/onnx/onnx-graph.ts';
import { OnnxImportError } from '../../../../../src/main/engine/models/onnx/errors.ts';
import { craft, floatAttribute, insertAfter, intAttribute, nodeNamed, stringAttribute } from './crafted.ts';
import { inputShape, readFixture, seededBatch } from './zoo.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

function importError(bytes: Uint8Array, file = 'crafted.onnx'): OnnxImportError {
  try {
    importOnnx(bytes, { file }).dispose();
  } catch (err) {
    expect(err).toBeInstanceOf(OnnxImportError);
    return err as OnnxImportError;
  }
  throw new Error('importOnnx accepted the model');
}

describe('refusals name the node, the operator and the opset', () => {
  it('an unsupported operator', () => {
    const err = importError(craft('mlp-opset17.onnx', (m) => (nodeNamed(m, '/net/net.4/Tanh').op_type = 'Mish')));
    expect(err.node).toEqual({ name: '/net/net.4/Tanh', op: 'Mish', opset: 17 });
    expect(err.message).toBe('crafted.onnx: node "/net/net.4/Tanh" (Mish, opset 17): operator not supported');
  });

  it('an operator of another domain, and an unnamed node', () => {
    const err = importError(
      craft('mlp-opset11.onnx', (m) => {
        const node = nodeNamed(m, '/net/net.2/Relu');
        node.domain = 'com.microsoft';
        node.name = '';
      }),
    );
    expect(err.message).toBe('crafted.onnx: node "Relu#2" (com.microsoft:Relu, opset 11): operators of domain "com.microsoft" are not supported');
  });

  it('an attribute the operator does not know', () => {
    const err = importError(craft('lenet-opset17.onnx', (m) => nodeNamed(m, '/conv2/Conv').attribute.push(intAttribute('quantize', 1))));
    expect(err.node).toMatchObject({ name: '/conv2/Conv', op: 'Conv', opset: 17 });
    expect(err.message).toMatch(/attribute "quantize" is not supported \(supported: auto_pad, dilations, group, kernel_shape, pads, strides\)/);
  });

  it('attribute values outside what is supported', () => {
    const edge = importError(craft('ops-mix-opset17.onnx', (m) => (m.graph!.node.find((n) => n.op_type === 'Pad' && n.input[0] === 'input')!.attribute[0] = stringAttribute('mode', 'edge'))));
    expect(edge.message).toMatch(/node "\/Pad" \(Pad, opset 17\): mode "edge" is not supported/);
    const bn = importError(
      craft('bn-cnn-opset17.onnx', (m) => {
        const node = nodeNamed(m, '/bn2/BatchNormalization');
        node.attribute = node.attribute.filter((a) => a.name !== 'training_mode');
        node.attribute.push(intAttribute('training_mode', 1));
      }),
    );
    expect(bn.message).toMatch(/node "\/bn2\/BatchNormalization" \(BatchNormalization, opset 17\): training_mode = 1 is not supported/);
    const pool = importError(craft('lenet-opset11.onnx', (m) => nodeNamed(m, '/MaxPool').attribute.push(intAttribute('storage_order', 1))));
    expect(pool.message).toMatch(/\(MaxPool, opset 11\): storage_order = 1 is not supported/);
    const wrongType = importError(craft('lenet-opset11.onnx', (m) => nodeNamed(m, '/MaxPool').attribute.push(floatAttribute('ceil_mode', 1))));
    expect(wrongType.message).toMatch(/attribute "ceil_mode" should be an int, is a float/);
  });

  it('frees what it made when it refuses a model late (at the trial run)', () => {
    const bytes = craft('bn-cnn-opset17.onnx', (m) => nodeNamed(m, '/MaxPool').attribute.push(intAttribute('storage_order', 1)));
    importError(bytes); // compiles the kernels the first time
    const before = { tensors: tf.memory().numTensors, variables: Object.keys(tf.engine().registeredVariables).length };
    importError(bytes);
    expect({ tensors: tf.memory().numTensors, variables: Object.keys(tf.engine().registeredVariables).length }).toEqual(before);
  });

  it('an output the operator does not produce, when something reads it', () => {
    const err = importError(
      craft('lenet-opset11.onnx', (m) => {
        nodeNamed(m, '/MaxPool').output.push('indices');
        m.graph!.output.push({ name: 'indices' } as never);
      }),
    );
    expect(err.message).toMatch(/node "\/MaxPool" \(MaxPool, opset 11\): output 1 \("indices"\) is not supported/);
  });

  it('an opset outside the supported range, or a graph with two inputs', () => {
    const err = importError(craft('mlp-opset17.onnx', (m) => (m.opset_import[0].version = 18)));
    expect(err.message).toMatch(/^crafted\.onnx: opset 18 is not supported \(7–17; re-export with torch\.onnx\.export\(\.\.\., opset_version=17\)\)$/);
    const twoInputs = readFileSync(join(import.meta.dirname, '../../../../fixtures/onnx/probes/two-inputs.onnx'));
    expect(importError(twoInputs, 'two-inputs.onnx').message).toBe('two-inputs.onnx: the graph has 2 inputs (input, bias); one input is supported');
  });
});

describe('bad files and inputs name the file', () => {
  it('bytes that are not an ONNX model', () => {
    expect(() => importOnnx(new TextEncoder().encode('not a model at all'), { file: 'x.onnx' })).toThrow(/^x\.onnx: not an ONNX model/);
  });

  it('an input of the wrong shape', () => {
    const g = importOnnx(readFixture('mlp-opset11.onnx'), { file: 'mlp.onnx' });
    const x = tf.zeros([2, 1, 32, 32]);
    expect(() => g.apply(x)).toThrow('mlp.onnx: input "input" must have shape [batch,1,28,28], got [2,1,32,32]');
    x.dispose();
    g.dispose();
  });
});

describe('operators no fixture exports', () => {
  const shape = inputShape('mlp', 3);
  const data = seededBatch(shape, 7);
  const run = (bytes: Uint8Array, opts?: { training?: boolean; seed?: number }) => {
    const g = importOnnx(bytes);
    try {
      return tf.tidy(() => Array.from(g.apply(tf.tensor(data, shape), opts).dataSync()));
    } finally {
      g.dispose();
    }
  };
  const plain = () => run(readFixture('mlp-opset11.onnx'));

  it('Identity passes its input through', () => {
    expect(run(craft('mlp-opset11.onnx', (m) => insertAfter(m, '/net/net.2/Relu_output_0', 'Identity')))).toEqual(plain());
  });

  it('Dropout is the identity in inference, drops with training: true and a seed, and refuses training without one', () => {
    const bytes = craft('mlp-opset11.onnx', (m) => insertAfter(m, '/net/net.2/Relu_output_0', 'Dropout', [floatAttribute('ratio', 0.5)]));
    expect(run(bytes)).toEqual(plain());
    const a = run(bytes, { training: true, seed: 1 });
    expect(a).not.toEqual(plain());
    expect(run(bytes, { training: true, seed: 1 })).toEqual(a);
    expect(run(bytes, { training: true, seed: 2 })).not.toEqual(a);
    expect(() => run(bytes, { training: true })).toThrow(/\(Dropout, opset 11\): apply\(\{ training: true \}\) needs a seed/);
  });
});
