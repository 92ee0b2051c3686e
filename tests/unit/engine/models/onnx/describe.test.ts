/**
 * describeOnnx: what `provenant info model.onnx` prints, read from the file alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOnnx } from '../../../../../src/main/engine/models/onnx/describe.ts';
import { craft, nodeNamed } from './crafted.ts';
import { fixturePath, readFixture } from './zoo.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-onnx-describe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('describeOnnx', () => {
  it('lists inputs, outputs, classes, operators, opset, producer and the SHA-256', async () => {
    const d = await describeOnnx(fixturePath('bn-cnn-opset17.onnx'));
    const bytes = readFixture('bn-cnn-opset17.onnx');
    expect(d).toMatchObject({
      file: fixturePath('bn-cnn-opset17.onnx'),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      irVersion: 8,
      opset: 17,
      producer: { name: 'pytorch', version: '1.13.0' },
      inputs: [{ name: 'input', dtype: 'float32', dims: ['batch', 1, 28, 28] }],
      outputs: [{ name: 'logits', dtype: 'float32', dims: ['batch', 10] }],
      classes: 10,
      unsupported: [],
      // Every initializer element: weights, biases and the batch-norm statistics.
      initializers: { count: 19, elements: 3026 },
    });
    expect(d.operators).toEqual({ Conv: 3, BatchNormalization: 3, Relu: 2, LeakyRelu: 1, MaxPool: 1, Constant: 4, Clip: 1, GlobalAveragePool: 1, Squeeze: 2, Gemm: 1 });
  });

  it('names the operators the importer cannot run', async () => {
    const file = join(dir, 'mish.onnx');
    writeFileSync(
      file,
      craft('mlp-opset17.onnx', (m) => {
        nodeNamed(m, '/net/net.4/Tanh').op_type = 'Mish';
        nodeNamed(m, '/net/net.2/Relu').domain = 'com.example';
      }),
    );
    const d = await describeOnnx(file);
    expect(d.operators).toEqual({ Flatten: 1, Gemm: 3, 'com.example:Relu': 1, Mish: 1 });
    expect(d.unsupported).toEqual(['com.example:Relu', 'Mish']);
  });

  it('gives no class count when the output does not declare one, and errors name the file', async () => {
    const symbolic = join(import.meta.dirname, '../../../../fixtures/onnx/probes/symbolic-classes.onnx');
    expect((await describeOnnx(symbolic)).classes).toBeNull();
    await expect(describeOnnx(join(dir, 'missing.onnx'))).rejects.toThrow(`${join(dir, 'missing.onnx')}: not found`);
    writeFileSync(join(dir, 'text.onnx'), 'hello');
    await expect(describeOnnx(join(dir, 'text.onnx'))).rejects.toThrow(/text\.onnx: not an ONNX model/);
  });
});
