import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeManifest, type SuiteManifest } from '../../../../src/main/engine/lab/manifest.ts';

const base = (seconds: number): SuiteManifest => ({
  format: 'provenant-suite/1', purpose: 'suite', preset: 'small', seed: 1, createdAt: '2026-01-01T00:00:00.000Z', complete: false,
  source: { dir: '/src', sha256: 'a'.repeat(64), arch: 'cnn', testAccuracy: 0.9 },
  dataset: { id: 'mnist', name: 'MNIST', sha256: 'b'.repeat(64), size: 10, inputShape: [28, 28, 1], numClasses: 10 },
  split: 'c'.repeat(64), engine: { backend: 'wasm' } as SuiteManifest['engine'], seconds, models: [],
});

describe('writeManifest', () => {
  it('queues concurrent writes to one directory: no lost rename, the last call wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-manifest-'));
    // Two workers finishing at once used to race on manifest.json.tmp (ENOENT on the second rename).
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeManifest(dir, base(i))));
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).seconds).toBe(7);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'suite.md']);
  });
});
