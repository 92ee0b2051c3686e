/** Helpers for comparing our wasm kernels with tfjs's reference cpu backend. */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';

export function rand(shape: number[], seed: number, mean = 0): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, mean, 1, 'float32', seed).dataSync() as Float32Array).slice();
}

/** Runs `f` on a backend and returns its values (the tensor is disposed). */
export async function onBackend(name: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const t = f();
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

/** max |actual − expected| relative to max |expected| (float32 sums in a different order differ by ~1e-6). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < actual.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  expect(maxErr / Math.max(maxRef, 1e-12)).toBeLessThan(tolerance);
}

/** The same computation on cpu and on wasm (our kernels), compared. */
export async function compareWithCpu(f: () => tf.Tensor, tolerance = 1e-5): Promise<void> {
  const expected = await onBackend('cpu', f);
  const actual = await onBackend('wasm', f);
  expectClose(actual, expected, tolerance);
}

export type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
export interface Case { name: string; x: [number, number, number, number]; f: [number, number, number, number]; s: [number, number]; pad: Pad }

/** Convolution geometries: every stride/padding our architectures use, plus the native tiles' edges. */
export const CASES: Case[] = [
  { name: '3x3 s1 valid', x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: [1, 1], pad: 'valid' },
  { name: '3x3 s1 same', x: [2, 8, 8, 3], f: [3, 3, 3, 5], s: [1, 1], pad: 'same' },
  { name: '3x3 s2 same even', x: [2, 8, 8, 4], f: [3, 3, 4, 6], s: [2, 2], pad: 'same' },
  { name: '3x3 s2 same odd', x: [3, 7, 7, 2], f: [3, 3, 2, 3], s: [2, 2], pad: 'same' },
  { name: '3x3 s2 valid', x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: [2, 2], pad: 'valid' },
  { name: '1x1 s1 valid', x: [2, 6, 6, 5], f: [1, 1, 5, 7], s: [1, 1], pad: 'valid' },
  { name: '1x1 s2 same (projection)', x: [2, 8, 8, 4], f: [1, 1, 4, 8], s: [2, 2], pad: 'same' },
  { name: '5x5 s1 same (lenet)', x: [2, 12, 12, 1], f: [5, 5, 1, 6], s: [1, 1], pad: 'same' },
  { name: 'rect stride 1x2', x: [2, 7, 10, 2], f: [3, 2, 2, 3], s: [1, 2], pad: 'same' },
  { name: 'explicit pad', x: [1, 6, 7, 2], f: [3, 3, 2, 2], s: [1, 1], pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
  // The native kernels' tile edges: 8/4/scalar channel blocks, 4-pixel row tails, k tails.
  { name: 'CO 12, CI 8, OW tail', x: [2, 9, 11, 8], f: [3, 3, 8, 12], s: [1, 1], pad: 'same' },
  { name: 'CO 13, CI 5', x: [2, 7, 9, 5], f: [3, 3, 5, 13], s: [1, 1], pad: 'valid' },
  { name: 'CI 1 (first layer), CO 16', x: [3, 12, 12, 1], f: [3, 3, 1, 16], s: [1, 1], pad: 'valid' },
  { name: 'CI 32 CO 64 stride 2 same', x: [2, 14, 14, 32], f: [3, 3, 32, 64], s: [2, 2], pad: 'same' },
  { name: '1x1 s1 (no col2im)', x: [2, 5, 5, 16], f: [1, 1, 16, 24], s: [1, 1], pad: 'valid' },
  { name: 'stride 3 > kernel 2 (gaps)', x: [2, 10, 10, 4], f: [2, 2, 4, 8], s: [3, 3], pad: 'valid' },
  { name: 'kernel wider than stride, bottom rows unused', x: [2, 8, 8, 4], f: [3, 3, 4, 4], s: [2, 2], pad: 'valid' },
];
