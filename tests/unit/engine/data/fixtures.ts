/** Small in-memory datasets and temp folders for the data module's tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDataset } from '../../../../src/main/engine/data/dataset.ts';
import type { Dataset } from '../../../../src/main/engine/data/types.ts';

/**
 * A synthetic dataset whose pixel values encode the sample index (so gathers can be checked) and
 * whose class sizes are uneven (so stratification is tested on something non-trivial).
 */
export function syntheticDataset(classSizes: number[], shape: [number, number, number] = [2, 2, 1]): Dataset {
  const n = classSizes.reduce((a, b) => a + b, 0);
  const per = shape[0] * shape[1] * shape[2];
  const labels = new Uint8Array(n);
  let at = 0;
  classSizes.forEach((k, c) => labels.fill(c, at, (at += k)));
  const images = Float32Array.from({ length: n * per }, (_, i) => Math.floor(i / per) / n);
  return validateDataset({
    id: 'folder',
    name: 'synthetic',
    inputShape: shape,
    numClasses: classSizes.length,
    classNames: classSizes.map((_, c) => `c${c}`),
    images,
    labels,
    source: { kind: 'folder', path: '/synthetic', sha256: 'f'.repeat(64), files: [], warnings: [] },
  });
}

/** A fresh temp dir and its cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `provenant-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
