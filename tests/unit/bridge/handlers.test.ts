import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../src/main/bridge/handlers.ts';
import { datasetsListContract } from '../../../src/shared/contract.ts';

const saved = process.env.PROVENANT_FASHION_MNIST_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.PROVENANT_FASHION_MNIST_DIR;
  else process.env.PROVENANT_FASHION_MNIST_DIR = saved;
});

describe('datasets.list (from the engine registry)', () => {
  it('lists the engine datasets with their availability, within the contract', async () => {
    const out = await createHandlers()['datasets.list']({});
    expect(datasetsListContract.output.parse(out)).toEqual(out);
    expect(out.datasets.map((d) => d.id)).toEqual(['mnist', 'fashion-mnist', 'folder']);
    expect(out.datasets.find((d) => d.id === 'mnist')).toMatchObject({ kind: 'builtin', available: true });
    expect(out.datasets.find((d) => d.id === 'folder')).toMatchObject({ kind: 'folder', available: true });
  });

  it('says when Fashion-MNIST is missing and how to install it', async () => {
    process.env.PROVENANT_FASHION_MNIST_DIR = '/nonexistent/fashion';
    const out = await createHandlers()['datasets.list']({ kind: 'builtin' });
    const fashion = out.datasets.find((d) => d.id === 'fashion-mnist')!;
    expect(fashion.available).toBe(false);
    expect(fashion.hint).toMatch(/apt-get install dataset-fashion-mnist/);
  });
});
