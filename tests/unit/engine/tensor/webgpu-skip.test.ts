/**
 * The webgpu entry where there is no adapter: `auto` passes over it with a one-line reason, fast,
 * and still ends on wasm; `--backend webgpu` fails naming that reason. On Linux the Vulkan loader is
 * pointed at a driver list that does not exist, so this holds on a GPU machine too (the probe's
 * child process inherits the environment). Elsewhere (Metal, D3D12) it cannot be forced.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

process.env.VK_ICD_FILENAMES = '/nonexistent/provenant-no-icd.json';
process.env.VK_DRIVER_FILES = '/nonexistent/provenant-no-icd.json';

// `webgpu` is an optional dependency: where it did not install, the probe answers at once.
const hasDawn = (() => {
  try {
    createRequire(import.meta.url).resolve('webgpu');
    return true;
  } catch {
    return false;
  }
})();

const { initBackend } = await import('../../../../src/main/engine/tensor/backend.ts');
const { AUTO_ADAPTER_TIMEOUT_MS, dawnReason, probeWebgpu } = await import('../../../../src/main/engine/tensor/webgpu.ts');

// Dawn's stderr as seen on Debian machines: no loader at all, and Debian 12's lavapipe (Mesa 22.3).
const NO_LOADER = `Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory
    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)
`;
const OLD_LAVAPIPE = `Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.
 - While initializing adapter (backend=BackendType::Vulkan)
    at InitializeImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/PhysicalDeviceVk.cpp:257)
`;

describe('dawnReason', () => {
  it("keeps Dawn's messages on one line, without source locations", () => {
    expect(dawnReason(NO_LOADER)).toBe("Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory");
    expect(dawnReason(OLD_LAVAPIPE)).toBe('Vulkan shaderUniform*ArrayDynamicIndexing required.');
    expect(dawnReason(NO_LOADER + OLD_LAVAPIPE)).toContain('; Vulkan shaderUniform');
    expect(dawnReason('')).toBe('');
  });
});

describe.skipIf(process.platform !== 'linux')('webgpu without an adapter', () => {
  it.skipIf(!hasDawn)('reports a probe cut off by its time limit, then probes again with a longer one', async () => {
    const cut = await probeWebgpu(1);
    expect(cut).toMatchObject({ ok: false, timedOut: true });
    if (!cut.ok) expect(cut.reason).toMatch(/^no WebGPU adapter within 0\.001 s/);
  });

  it('auto skips webgpu with a one-line reason, within its time bound, and ends on wasm', async () => {
    const t0 = performance.now();
    const info = await initBackend('auto');
    const ms = performance.now() - t0;
    expect(info.backend).toBe('wasm');
    expect(info.webgpu).toBeUndefined();
    const skip = info.skipped.find((s) => s.backend === 'webgpu');
    expect(skip).toBeDefined();
    expect(skip!.reason).toMatch(/^(Dawn found no WebGPU adapter|the optional webgpu package)/);
    expect(skip!.reason).not.toContain('\n');
    expect(ms).toBeLessThan(AUTO_ADAPTER_TIMEOUT_MS + 3000); // the probe's bound, plus the wasm start
  });

  it('caches the outcome for the process', async () => {
    const t0 = performance.now();
    const again = await probeWebgpu();
    expect(performance.now() - t0).toBeLessThan(50);
    expect(again.ok).toBe(false);
  });

  it('--backend webgpu fails with an error that names the reason and what Dawn needs', async () => {
    const probe = await probeWebgpu();
    const reason = probe.ok ? '' : probe.reason;
    const err = await initBackend('webgpu').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg.startsWith(`backend "webgpu" could not be loaded: ${reason}`)).toBe(true);
    expect(msg).toMatch(/libvulkan\.so\.1 and a GPU driver with Vulkan; see docs\/decisions\/webgpu-backend\.md/);
  });

  it('a failed explicit request leaves the engine on its previous backend', async () => {
    const { engineInfo } = await import('../../../../src/main/engine/tensor/backend.ts');
    expect(engineInfo().backend).toBe('wasm');
  });
});
