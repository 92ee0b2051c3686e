import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listDatasets, loadDataset, parseDatasetId } from '../../../../src/main/engine/data/registry.ts';
import { DATASET_IDS } from '../../../../src/main/engine/data/types.ts';

describe('dataset registry', () => {
  it('lists every dataset id with a description and availability', () => {
    const list = listDatasets({ fashionMnist: { dir: '/nonexistent/fashion' } });
    expect(list.map((d) => d.id)).toEqual([...DATASET_IDS]);
    for (const d of list) expect(d.description.length).toBeGreaterThan(10);
    expect(list.find((d) => d.id === 'mnist')?.available).toBe(true);
    const fashion = list.find((d) => d.id === 'fashion-mnist');
    expect(fashion?.available).toBe(false);
    expect(fashion?.hint).toMatch(/apt-get install dataset-fashion-mnist/);
  });

  it('loads mnist by id', async () => {
    const ds = await loadDataset('mnist');
    expect(ds.id).toBe('mnist');
    expect(ds.labels.length).toBe(10_000);
  });

  it('gives a clear error for an unknown id or missing folder options', async () => {
    await expect(loadDataset('cifar' as never)).rejects.toThrow(/unknown dataset "cifar"; choose one of mnist, fashion-mnist, folder/);
    await expect(loadDataset('folder')).rejects.toThrow(/path, inputShape/);
    await expect(loadDataset('fashion-mnist', { dir: join('/nonexistent', 'fm') })).rejects.toThrow(/apt-get install dataset-fashion-mnist/);
    expect(() => parseDatasetId('x', '--dataset')).toThrow(/^--dataset: unknown dataset "x"/);
    expect(parseDatasetId('folder', '--dataset')).toBe('folder');
  });
});
