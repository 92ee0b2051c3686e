/**
 * Fashion-MNIST (Zalando, 28x28 grey clothing images, 10 classes) from Debian's
 * `dataset-fashion-mnist` package, which installs the four original gzip'd IDX files:
 *
 *   /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz   60000 x 28 x 28
 *   /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz   60000
 *   /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz    10000 x 28 x 28
 *   /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz    10000
 *
 * We use the distribution package rather than downloading at run time: the app must work offline,
 * and the bytes are then whatever the user's package manager verified. Plain (un-gzipped) copies
 * are accepted too, e.g. in a folder named by PROVENANT_FASHION_MNIST_DIR.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allocLabels, validateDataset } from './dataset.ts';
import { fileHash, manifestSha256 } from './hash.ts';
import { readIdxFile, type IdxArray } from './idx.ts';
import type { Dataset, FileHash, IndexRange } from './types.ts';

export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_ENV_VAR = 'PROVENANT_FASHION_MNIST_DIR';
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** Options of loadFashionMnist. */
export interface FashionMnistOptions {
  /** Folder with the IDX files. Default: $PROVENANT_FASHION_MNIST_DIR, then the Debian path. */
  dir?: string;
  /**
   * Which published parts to load (default 'all': 60k train followed by 10k test, with
   * `dataset.parts` marking them). 'test' alone is 8 MB of floats instead of 220 MB.
   */
  part?: 'all' | 'train' | 'test';
}

/** Resolves the folder to read: option, then env var, then the Debian default. */
export function fashionMnistDir(opts: FashionMnistOptions = {}): { dir: string; from: string } {
  if (opts.dir) return { dir: opts.dir, from: 'the dir option' };
  const env = process.env[FASHION_MNIST_ENV_VAR];
  if (env) return { dir: env, from: `$${FASHION_MNIST_ENV_VAR}` };
  return { dir: FASHION_MNIST_DEFAULT_DIR, from: 'the default location' };
}

/** True when the folder holds all four files (plain or .gz); used to list available datasets. */
export function fashionMnistAvailable(opts: FashionMnistOptions = {}): boolean {
  const { dir } = fashionMnistDir(opts);
  return Object.values(FILES).every((p) => Object.values(p).every((name) => findFile(dir, name) !== null));
}

function findFile(dir: string, name: string): string | null {
  // A plain copy wins over the .gz one: same content, no decompression.
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return candidate;
  }
  return null;
}

function missingDirError(dir: string, from: string): Error {
  return new Error(
    `Fashion-MNIST not found: ${dir} (${from}) does not exist. Install it with ` +
      `"sudo apt-get install dataset-fashion-mnist", or set $${FASHION_MNIST_ENV_VAR} to a folder holding ` +
      `${FILES.train.images}, ${FILES.train.labels}, ${FILES.test.images} and ${FILES.test.labels} (each plain or .gz).`,
  );
}

interface LoadedPart {
  images: IdxArray;
  labels: IdxArray;
  hashes: FileHash[];
}

function loadPart(dir: string, part: keyof typeof FILES): LoadedPart {
  const hashes: FileHash[] = [];
  const read = (name: string): IdxArray => {
    const file = findFile(dir, name);
    if (!file) {
      throw new Error(`Fashion-MNIST: ${join(dir, name)}(.gz) is missing; reinstall with "sudo apt-get install --reinstall dataset-fashion-mnist"`);
    }
    const { raw, idx } = readIdxFile(join(dir, file));
    if (idx.type !== 0x08) throw new Error(`${join(dir, file)}: expected unsigned-byte IDX data, found type 0x${idx.type.toString(16)}`);
    hashes.push(fileHash(file, raw));
    return idx;
  };
  const images = read(FILES[part].images);
  const labels = read(FILES[part].labels);
  const imagesPath = join(dir, hashes[0].file);
  const labelsPath = join(dir, hashes[1].file);
  if (images.dims.length !== 3) throw new Error(`${imagesPath}: expected 3 dimensions [N, 28, 28], got [${images.dims.join(', ')}]`);
  if (images.dims[1] !== 28 || images.dims[2] !== 28) throw new Error(`${imagesPath}: expected 28x28 images, got ${images.dims[1]}x${images.dims[2]}`);
  if (labels.dims.length !== 1) throw new Error(`${labelsPath}: expected 1 dimension [N], got [${labels.dims.join(', ')}]`);
  if (labels.dims[0] !== images.dims[0]) {
    throw new Error(`${labelsPath}: ${labels.dims[0]} labels for ${images.dims[0]} images in ${imagesPath}`);
  }
  return { images, labels, hashes };
}

// byte -> [0,1] float, computed once: the conversion runs over up to 55M pixels.
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/** Loads Fashion-MNIST as a [28, 28, 1] dataset; with part 'all', train samples come first. */
export function loadFashionMnist(opts: FashionMnistOptions = {}): Dataset {
  const { dir, from } = fashionMnistDir(opts);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw missingDirError(dir, from);
  const which = opts.part ?? 'all';
  const names: (keyof typeof FILES)[] = which === 'all' ? ['train', 'test'] : [which];
  const loaded = names.map((p) => loadPart(dir, p));

  const n = loaded.reduce((sum, p) => sum + p.labels.data.length, 0);
  const images = new Float32Array(n * 784);
  const labels = allocLabels(n, 10);
  const ranges: Partial<Record<keyof typeof FILES, IndexRange>> = {};
  let start = 0;
  loaded.forEach((p, i) => {
    const px = p.images.data;
    for (let j = 0; j < px.length; j++) images[start * 784 + j] = BYTE_TO_UNIT[px[j]];
    labels.set(p.labels.data, start);
    ranges[names[i]] = { start, count: p.labels.data.length };
    start += p.labels.data.length;
  });

  const files = loaded.flatMap((p) => p.hashes);
  const counts = names.map((p) => `${ranges[p]!.count} ${p}`).join(' + ');
  return validateDataset({
    id: 'fashion-mnist',
    name: `Fashion-MNIST (${counts})`,
    inputShape: [28, 28, 1],
    numClasses: 10,
    classNames: [...FASHION_MNIST_CLASSES],
    images,
    labels,
    source: { kind: 'idx', path: dir, sha256: manifestSha256(files), files },
    ...(ranges.train && ranges.test ? { parts: { train: ranges.train, test: ranges.test } } : {}),
  });
}
