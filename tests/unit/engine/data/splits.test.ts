import { describe, expect, it } from 'vitest';
import { makeSplits, reproduceSplits } from '../../../../src/main/engine/data/splits.ts';
import { SPLIT_PART_NAMES, type DatasetSplits } from '../../../../src/main/engine/data/types.ts';
import { syntheticDataset } from './fixtures.ts';

const ds = syntheticDataset([50, 30, 15, 5]); // 100 samples, uneven classes

function union(s: DatasetSplits): number[] {
  return SPLIT_PART_NAMES.flatMap((p) => Array.from(s[p].indices));
}

function expectDisjointSorted(s: DatasetSplits): void {
  const all = union(s);
  expect(new Set(all).size).toBe(all.length);
  for (const p of SPLIT_PART_NAMES) {
    const idx = Array.from(s[p].indices);
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  }
}

describe('makeSplits', () => {
  it('makes disjoint parts covering the dataset when fractions sum to 1', () => {
    const s = makeSplits(ds, { seed: 1, sizes: { ownerTrain: 0.5, attacker: 0.25, test: 0.25 } });
    expectDisjointSorted(s);
    expect(union(s).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(s.record.sizes).toEqual({ ownerTrain: 50, attacker: 25, test: 25 });
  });

  it('rounds fractions without overshooting (thirds of 100)', () => {
    const s = makeSplits(ds, { seed: 1, sizes: { ownerTrain: 1 / 3, attacker: 1 / 3, test: 1 / 3 } });
    expect(union(s).length).toBe(100);
    const t = makeSplits(ds, { seed: 1, sizes: { ownerTrain: 0.3, attacker: 0.3, test: 0.1 } });
    expect(t.record.sizes).toEqual({ ownerTrain: 30, attacker: 30, test: 10 });
  });

  it('is reproducible: same seed -> same indices and hashes; another seed -> different', () => {
    const opts = { seed: 1234, sizes: { ownerTrain: 40, attacker: 40, test: 20 }, unit: 'count' as const };
    const a = makeSplits(ds, opts);
    const b = makeSplits(ds, opts);
    const c = makeSplits(ds, { ...opts, seed: 1235 });
    for (const p of SPLIT_PART_NAMES) {
      expect(b[p].indices).toEqual(a[p].indices);
      expect(b[p].sha256).toBe(a[p].sha256);
      expect(a[p].sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(b.record).toEqual(a.record);
    expect(c.ownerTrain.indices).not.toEqual(a.ownerTrain.indices);
    expect(c.ownerTrain.sha256).not.toBe(a.ownerTrain.sha256);
    expect(c.record.sha256).not.toBe(a.record.sha256);
  });

  it('records config, sizes, class counts and hashes in a JSON-safe record that reproduces', () => {
    const s = makeSplits(ds, { seed: 9, sizes: { ownerTrain: 0.6, attacker: 0.2, test: 0.2 }, stratify: true });
    const record = JSON.parse(JSON.stringify(s.record));
    expect(record.config).toEqual({ seed: 9, unit: 'fraction', sizes: { ownerTrain: 0.6, attacker: 0.2, test: 0.2 }, stratify: true, test: 'sample' });
    expect(record.dataset).toMatchObject({ id: 'folder', size: 100, numClasses: 4 });
    expect(record.parts.test.classCounts.reduce((a: number, b: number) => a + b, 0)).toBe(record.parts.test.size);
    const again = reproduceSplits(ds, record);
    expect(again.test.indices).toEqual(s.test.indices);
    record.parts.attacker.sha256 = '0'.repeat(64);
    expect(() => reproduceSplits(ds, record)).toThrow(/part attacker does not reproduce/);
    const other = syntheticDataset([50, 50]);
    other.source.sha256 = 'e'.repeat(64);
    expect(() => reproduceSplits(other, s.record)).toThrow(/dataset mismatch/);
  });

  it('stratifies: each part keeps the class proportions (50/30/15/5)', () => {
    const s = makeSplits(ds, { seed: 3, sizes: { ownerTrain: 0.6, attacker: 0.2, test: 0.2 }, stratify: true });
    expect(s.ownerTrain.classCounts).toEqual([30, 18, 9, 3]);
    expect(s.attacker.classCounts).toEqual([10, 6, 3, 1]);
    expect(s.test.classCounts).toEqual([10, 6, 3, 1]);
    expectDisjointSorted(s);
    const counts = makeSplits(ds, { seed: 3, unit: 'count', sizes: { ownerTrain: 20, attacker: 10, test: 10 }, stratify: true });
    expect(counts.ownerTrain.classCounts).toEqual([10, 6, 3, 1]);
    // 10 of the remaining [40, 24, 12, 4]: quotas 5, 3, 1.5, 0.5; the tied remainder goes to the lower class.
    expect(counts.attacker.classCounts).toEqual([5, 3, 2, 0]);
    expect(counts.test.classCounts.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it("uses the dataset's own test part when asked", () => {
    const withParts = { ...syntheticDataset([10, 10]), parts: { train: { start: 0, count: 15 }, test: { start: 15, count: 5 } } };
    const s = makeSplits(withParts, { seed: 1, sizes: { ownerTrain: 0.6, attacker: 0.4, test: 1 }, test: 'dataset' });
    expect(Array.from(s.test.indices)).toEqual([15, 16, 17, 18, 19]);
    expect([...s.ownerTrain.indices, ...s.attacker.indices].every((i) => i < 15)).toBe(true);
    expect(s.record.sizes).toEqual({ ownerTrain: 9, attacker: 6, test: 5 });
    expectDisjointSorted(s);
    expect(() => makeSplits(ds, { seed: 1, sizes: { ownerTrain: 0.5, attacker: 0.5, test: 1 }, test: 'dataset' })).toThrow(/no published test part/);
  });

  it('rejects impossible or malformed configs, naming the field', () => {
    const sizes = { ownerTrain: 0.5, attacker: 0.5, test: 0.1 };
    expect(() => makeSplits(ds, { seed: 1, sizes })).toThrow(/fractions sum to 1\.1/);
    expect(() => makeSplits(ds, { seed: 1, unit: 'count', sizes: { ownerTrain: 90, attacker: 10, test: 1 } })).toThrow(/= 101 samples, but the dataset has only 100/);
    expect(() => makeSplits(ds, { seed: 1, unit: 'count', sizes: { ownerTrain: 1.5, attacker: 1, test: 1 } })).toThrow(/sizes\.ownerTrain/);
    expect(() => makeSplits(ds, { seed: 1, sizes: { ownerTrain: 2, attacker: 0, test: 0 } })).toThrow(/sizes\.ownerTrain/);
    expect(() => makeSplits(ds, { seed: -3, sizes: { ownerTrain: 0.5, attacker: 0, test: 0 } })).toThrow(/split seed/);
  });
});
