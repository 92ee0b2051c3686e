import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR,
  FASHION_MNIST_ENV_VAR,
  fashionMnistAvailable,
  loadFashionMnist,
} from '../../../../src/main/engine/data/fashion-mnist.ts';
import { encodeIdxUint8 } from '../../../../src/main/engine/data/idx.ts';
import { tempDir } from './fixtures.ts';

const tmp = tempDir('fashion');
afterAll(tmp.cleanup);
const savedEnv = process.env[FASHION_MNIST_ENV_VAR];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[FASHION_MNIST_ENV_VAR];
  else process.env[FASHION_MNIST_ENV_VAR] = savedEnv;
});

/** Writes a tiny Fashion-MNIST-shaped folder: `train` and `test` samples, some files gzip'd. */
function writeFakeFashion(dir: string, train: number, test: number): void {
  mkdirSync(dir, { recursive: true });
  const images = (n: number, base: number) => encodeIdxUint8([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, i) => (base + i) % 256));
  const labels = (n: number) => encodeIdxUint8([n], Uint8Array.from({ length: n }, (_, i) => i % 10));
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images(train, 0)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels(train));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images(test, 7));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels(test)));
}

describe('loadFashionMnist', () => {
  it('says how to install the Debian package when the folder is missing', () => {
    expect(() => loadFashionMnist({ dir: join(tmp.dir, 'nope') })).toThrow(/apt-get install dataset-fashion-mnist/);
    process.env[FASHION_MNIST_ENV_VAR] = join(tmp.dir, 'also-nope');
    expect(() => loadFashionMnist()).toThrow(/also-nope \(\$PROVENANT_FASHION_MNIST_DIR\) does not exist.*apt-get install dataset-fashion-mnist/);
  });

  it('loads a folder of mixed plain/.gz IDX files given by the env var, train then test', () => {
    const dir = join(tmp.dir, 'fake');
    writeFakeFashion(dir, 12, 5);
    process.env[FASHION_MNIST_ENV_VAR] = dir;
    expect(fashionMnistAvailable()).toBe(true);
    const ds = loadFashionMnist();
    expect(ds.labels.length).toBe(17);
    expect(ds.parts).toEqual({ train: { start: 0, count: 12 }, test: { start: 12, count: 5 } });
    expect(ds.images[1]).toBeCloseTo(1 / 255, 6);
    expect(ds.images[12 * 784]).toBeCloseTo(7 / 255, 6); // first test pixel
    expect(ds.labels[12]).toBe(0);
    expect(ds.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    if (ds.source.kind !== 'idx') throw new Error('expected an idx source');
    expect(ds.source.files.map((f) => f.file)).toEqual([
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte.gz',
    ]);
    const testOnly = loadFashionMnist({ dir, part: 'test' });
    expect(testOnly.labels.length).toBe(5);
    expect(testOnly.parts).toBeUndefined();
  });

  it('names the file when labels and images disagree', () => {
    const dir = join(tmp.dir, 'mismatch');
    writeFakeFashion(dir, 4, 2);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdxUint8([3], new Uint8Array(3)));
    expect(() => loadFashionMnist({ dir, part: 'train' })).toThrow(/train-labels-idx1-ubyte: 3 labels for 4 images/);
  });

  it('names a missing file in an existing folder', () => {
    const dir = join(tmp.dir, 'empty');
    mkdirSync(dir);
    expect(() => loadFashionMnist({ dir })).toThrow(/train-images-idx3-ubyte\(\.gz\) is missing/);
  });

  const haveDebian = existsSync(FASHION_MNIST_DEFAULT_DIR);
  // Skipped where the Debian package dataset-fashion-mnist is not installed (it is 30 MB).
  it.skipIf(!haveDebian)(`loads the real 60k/10k set from ${FASHION_MNIST_DEFAULT_DIR} (needs apt package dataset-fashion-mnist)`, () => {
    const ds = loadFashionMnist({ dir: FASHION_MNIST_DEFAULT_DIR });
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.parts).toEqual({ train: { start: 0, count: 60_000 }, test: { start: 60_000, count: 10_000 } });
    expect(ds.images.length).toBe(70_000 * 784);
    const counts = new Array(10).fill(0);
    for (const y of ds.labels) counts[y]++;
    expect(counts).toEqual(new Array(10).fill(7_000)); // the published set is balanced
    expect(ds.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
