/**
 * The native kernel module itself: the committed kernels-wasm.ts is built from the committed
 * kernels.c (hash; byte-identical rebuild where the same clang is installed), it loads into the
 * wasm backend's memory, repeated calls do not leak tensors, results stay right after the heap has
 * grown, and the data-movement kernels equal the JavaScript loops they replaced exactly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { nativeKernels } from '../../../../src/main/engine/tensor/native/native-kernels.ts';
import { KERNELS_BUILT_WITH, KERNELS_C_SHA256 } from '../../../../src/main/engine/tensor/native/kernels-wasm.ts';
import { alloc, free, type WasmBackend } from '../../../../src/main/engine/tensor/kernels/wasm-heap.ts';
import { heapF32, maxPoolGradLoop, poolArgs, reduceLeadingLoop, transposeLast2 } from './js-oracle-kernels.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const NATIVE = join(ROOT, 'src/main/engine/tensor/native');

function rand(shape: number[], seed: number, relu = false): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.randomNormal(shape, 0, 1, 'float32', seed);
    return relu ? tf.relu(t) : t;
  });
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('generated module', () => {
  it('kernels-wasm.ts was generated from the committed kernels.c', () => {
    const source = readFileSync(join(NATIVE, 'kernels.c'), 'utf8').replace(/\r\n/g, '\n');
    const sha = createHash('sha256').update(source).digest('hex');
    expect(sha, 'kernels-wasm.ts is stale: run scripts/build-native-kernels.sh').toBe(KERNELS_C_SHA256);
  });

  it('rebuilding with the same clang gives a byte-identical kernels-wasm.ts', (ctx) => {
    const has = (tool: string) => spawnSync('which', [tool]).status === 0;
    if (!has('clang') || !has('wasm-ld')) ctx.skip('clang and wasm-ld are not installed (apt-get install clang lld)');
    const version = execFileSync('clang', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    if (version !== KERNELS_BUILT_WITH) ctx.skip(`installed "${version}" is not "${KERNELS_BUILT_WITH}", which built the committed module`);
    const dir = mkdtempSync(join(tmpdir(), 'native-kernels-'));
    try {
      const out = join(dir, 'kernels-wasm.ts');
      execFileSync(join(ROOT, 'scripts/build-native-kernels.sh'), [out], { stdio: 'pipe' });
      expect(readFileSync(out, 'utf8') === readFileSync(join(NATIVE, 'kernels-wasm.ts'), 'utf8'), 'run scripts/build-native-kernels.sh').toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is loaded into the backend’s own memory', () => {
    const backend = tf.backend() as unknown as WasmBackend & { wasm: { HEAPF32: Float32Array } };
    expect(nativeKernels(backend).memory.buffer).toBe(backend.wasm.HEAPF32.buffer);
    expect(nativeKernels(backend)).toBe(nativeKernels(backend)); // one instance per backend
  });

  it('fails loudly, naming the Emscripten field, when the backend is not what it expects', () => {
    const fake = { wasm: { _malloc: () => 8, HEAPF32: new Float32Array(4) }, dataIdMap: new Map() };
    expect(() => nativeKernels(fake as never)).toThrow(/native wasm kernels could not be loaded.*Module\.asm\.memory/);
  });
});

/** One training-shaped gradient through every native kernel; returns the input gradient's values. */
function step(x: tf.Tensor4D, w: tf.Tensor4D): Float32Array {
  return tf.tidy(() => {
    const g = tf.grad((t: tf.Tensor) => {
      let h: tf.Tensor4D = tf.conv2d(t as tf.Tensor4D, w, 1, 'same');
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.batchNorm(h, mean, variance, tf.fill([w.shape[3]], 0.5), tf.fill([w.shape[3]], 0.1), 1e-5) as tf.Tensor4D;
      h = tf.maxPool(tf.relu(h), 2, 2, 'valid');
      return tf.matMul(h.reshape([x.shape[0], -1]), h.reshape([x.shape[0], -1]), false, true).sum();
    });
    return g(x).dataSync() as Float32Array;
  });
}

describe('heap lifetime', () => {
  it('repeated kernel calls do not grow the tensor count', () => {
    const x = rand([4, 10, 10, 3], 1) as tf.Tensor4D;
    const w = rand([3, 3, 3, 8], 2) as tf.Tensor4D;
    step(x, w);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step(x, w);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });

  it('results are unchanged after the wasm memory has grown between calls', () => {
    const x = rand([4, 10, 10, 3], 3) as tf.Tensor4D;
    const w = rand([3, 3, 3, 8], 4) as tf.Tensor4D;
    const memory = nativeKernels(tf.backend() as never).memory;
    const first = step(x, w);
    const grownFrom = memory.buffer.byteLength;
    // Larger than the whole current heap: the allocator must grow the memory (new ArrayBuffer).
    const big = tf.zeros([Math.ceil(grownFrom / 4) + (1 << 20)]);
    expect(memory.buffer.byteLength).toBeGreaterThan(grownFrom);
    const second = step(x, w);
    big.dispose();
    const third = step(x, w);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    tf.dispose([x, w]);
  });
});

describe('native data movement equals the former JavaScript loops exactly', () => {
  const backend = () => tf.backend() as unknown as WasmBackend;

  it('MaxPoolGrad: ties after ReLU, overlapping and clipped windows, channel tails', () => {
    const cases: { x: number[]; f: [number, number]; s: [number, number]; pad: 'valid' | 'same' }[] = [
      { x: [2, 8, 8, 16], f: [2, 2], s: [2, 2], pad: 'valid' },
      { x: [2, 9, 7, 7], f: [2, 2], s: [2, 2], pad: 'valid' },
      { x: [2, 7, 7, 6], f: [3, 3], s: [2, 2], pad: 'same' },
      { x: [1, 6, 6, 5], f: [3, 3], s: [1, 1], pad: 'same' },
      { x: [1, 5, 6, 1], f: [3, 2], s: [1, 2], pad: 'same' },
    ];
    for (const c of cases) {
      const x = rand(c.x, 5, true);
      const attrs = { filterSize: c.f, strides: c.s, pad: c.pad };
      const p = poolArgs(c.x, attrs);
      const dy = rand([p.N, p.OH, p.OW, p.C], 6);
      const native = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: x }, attrs as never) as tf.Tensor;
      const expected = new Float32Array(x.size);
      maxPoolGradLoop(heapF32(backend(), x as never), heapF32(backend(), dy as never), expected, p);
      expect(native.dataSync()).toEqual(expected);
      tf.dispose([x, dy, native]);
    }
  });

  it('batched transposes', () => {
    for (const [B, R, C] of [[1, 37, 19], [3, 4, 5], [2, 64, 33], [1, 1, 7]]) {
      const a = rand([B, R, C], 7);
      const out = alloc(backend(), [B, C, R]);
      nativeKernels(backend()).transposeLast2(a as never, out, B, R, C);
      const expected = new Float32Array(B * R * C);
      transposeLast2(heapF32(backend(), a as never), expected, B, R, C);
      expect(heapF32(backend(), out)).toEqual(expected);
      free(backend(), out);
      a.dispose();
    }
  });

  it('Sum and Mean over leading axes, column tails', () => {
    for (const [outer, inner] of [[1000, 16], [7, 37], [64, 800], [3, 3], [513, 20]]) {
      const a = rand([outer, inner], 8);
      for (const mean of [false, true]) {
        const native = mean ? tf.mean(a, 0) : tf.sum(a, 0);
        const expected = new Float32Array(inner);
        reduceLeadingLoop(heapF32(backend(), a as never), expected, outer, inner, mean ? 1 / outer : 1);
        expect(native.dataSync()).toEqual(expected);
        native.dispose();
      }
      a.dispose();
    }
  });
});
