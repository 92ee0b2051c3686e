import { describe, expect, it } from 'vitest';
import { initBackend, parseBackendChoice, engineInfo } from '../../../../src/main/engine/tensor/backend.ts';

describe('backend chain', () => {
  it('rejects an unknown backend name and names where it came from', () => {
    expect(() => parseBackendChoice('tpu', '--backend')).toThrow(/--backend: unknown backend "tpu"/);
    expect(parseBackendChoice(undefined, 'x')).toBe('auto');
  });

  it('refuses an explicitly requested backend that is not installed, with the install hint', async () => {
    // tfjs-node is an optional dependency whose install needs a download; it is absent here.
    await expect(initBackend('node')).rejects.toThrow(/backend "node" could not be loaded: @tensorflow\/tfjs-node is not installed \(optional\).*npm install @tensorflow\/tfjs-node/);
  });

  it('auto picks the first loadable backend and records why the others were skipped', async () => {
    const info = await initBackend('auto');
    expect(['node-gpu', 'node', 'webgpu', 'wasm', 'cpu']).toContain(info.backend);
    expect(info.requested).toBe('auto');
    expect(info.versions['@tensorflow/tfjs']).toMatch(/^\d+\.\d+\.\d+$/);
    if (info.backend === 'wasm') {
      expect(info.skipped.map((s) => s.backend)).toEqual(['node-gpu', 'node', 'webgpu']);
      expect(info.wasm?.ourKernels).toEqual(['Add', 'BatchMatMul', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'FusedBatchNorm', 'FusedConv2D', 'Identity', 'MaxPoolGrad', 'Mean', 'Multiply', 'RealDiv', 'Sub', 'Sum', 'Tile']);
    }
    expect(engineInfo()).toBe(info);
  });
});

describe('concurrent initialisation', () => {
  it('serialises concurrent callers onto one backend', async () => {
    const infos = await Promise.all([initBackend('auto'), initBackend('auto'), initBackend()]);
    expect(new Set(infos.map((i) => i.backend)).size).toBe(1);
  });
});
