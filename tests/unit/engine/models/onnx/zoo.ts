/**
 * Shared by the ONNX import tests: the committed fixtures (tests/fixtures/onnx-zoo, made by
 * scripts/fixtures/export-onnx-zoo.py), seeded input batches, and onnxruntime-node as the reference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createRng } from '../../../../../src/main/engine/data/random.ts';

export const ZOO = join(import.meta.dirname, '../../../../fixtures/onnx-zoo');
export const MODELS = ['mlp', 'lenet', 'bn-cnn', 'resnet-blocks', 'ops-mix'] as const;
export const OPSETS = [11, 17] as const;
export const FIXTURES = MODELS.flatMap((m) => OPSETS.map((o) => `${m}-opset${o}.onnx`));

export const fixturePath = (file: string): string => join(ZOO, file);
export const readFixture = (file: string): Uint8Array => readFileSync(fixturePath(file));

/** [n, ...imageDims] for a fixture (the 32×32×3 one, or 28×28×1). */
export const inputShape = (file: string, n: number): number[] => (file.startsWith('resnet-blocks') ? [n, 3, 32, 32] : [n, 1, 28, 28]);

/** Uniform [0, 1) pixels from our seeded RNG. */
export function seededBatch(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next());
}

/** What onnxruntime-node (CPU) computes for the file's first output. */
export async function ortLogits(bytes: Uint8Array, data: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, shape) });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
