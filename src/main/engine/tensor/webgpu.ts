/**
 * The webgpu entry of the backend chain: tfjs's WebGPU backend on Dawn (the optional `webgpu`
 * package, dawn.node), which in Node talks to the GPU through Vulkan on Linux, Metal on macOS and
 * D3D12 on Windows. Nothing here is imported before the chain reaches this entry.
 *
 * Two steps, for two reasons:
 * 1. A probe in a child process asks Dawn for an adapter, bounded in time and run once per process.
 *    Where none is found Dawn says why only on stderr, from native code ("Couldn't load Vulkan:
 *    libvulkan.so.1: cannot open shared object file"); the child lets us turn that into the one-line
 *    reason the chain records, keeps it off the user's terminal, and keeps a driver that hangs or
 *    crashes from taking the engine with it.
 * 2. Only then is Dawn loaded in this process, the device opened, and the tfjs backend registered
 *    with a factory of ours that hands it the device we opened. tfjs-webgpu registers itself at
 *    import where navigator.gpu exists, with a factory that would ask for a second adapter,
 *    unbounded; so navigator.gpu is installed (Node has none) only after that import, because the
 *    backend's constructor checks for it. Dawn's GPU* constants (GPUBufferUsage, GPUMapMode, ...),
 *    which tfjs reads as globals, are defined where missing.
 *
 * tfjs-webgpu cannot read a GPU tensor synchronously in Node (see guardSyncReads and
 * docs/decisions/webgpu-backend.md): code that runs on it must await data().
 */
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The adapter and its limits: recorded in EngineInfo.webgpu, so a number names the GPU that made it. */
export interface WebgpuInfo {
  adapter: { vendor: string; architecture: string; device: string; description: string; fallback: boolean };
  /** Every numeric GPUSupportedLimits field, as the adapter reports them. */
  limits: Record<string, number>;
}

/** The auto chain's bound on finding an adapter (CPU machines must stay fast). */
export const AUTO_ADAPTER_TIMEOUT_MS = 2000;
/** An explicit --backend webgpu waits longer: a GPU driver's first start can take seconds. */
export const EXPLICIT_ADAPTER_TIMEOUT_MS = 15000;

export type WebgpuProbe = { ok: true; info: WebgpuInfo } | { ok: false; reason: string; timedOut?: boolean };

interface ProbeRun {
  timeoutMs: number;
  result: Promise<WebgpuProbe>;
}
let probeRun: ProbeRun | null = null;

const require = createRequire(import.meta.url);

/** Path of the `webgpu` package's entry, or null where the optional package is not installed. */
function webgpuEntry(): string | null {
  try {
    return require.resolve('webgpu');
  } catch {
    return null;
  }
}

// Runs in the child (ESM, no TypeScript): asks for the adapter tfjs would ask for and prints it as JSON.
const PROBE_SCRIPT = `
const { create } = await import(process.argv[1]);
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const out = { ok: !!a };
if (a) {
  const i = a.info;
  out.info = { adapter: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, fallback: !!(i.isFallbackAdapter ?? a.isFallbackAdapter) }, limits: {} };
  for (const k in a.limits) if (typeof a.limits[k] === 'number') out.info.limits[k] = a.limits[k];
}
process.stdout.write(JSON.stringify(out) + '\\n');
process.exit(0);
`;

/** Dawn's explanation from stderr, on one line: its "Warning: ..." lines, without source locations. */
export function dawnReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !l.startsWith('- While'));
  const msgs = [...new Set(lines.map((l) => l.replace(/^Warning:\s*/, '')))];
  return msgs.join('; ').slice(0, 400);
}

function runProbe(entry: string, timeoutMs: number): Promise<WebgpuProbe> {
  // In Electron's main process execPath is Electron itself; ELECTRON_RUN_AS_NODE makes it a plain Node.
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  const args = ['--input-type=module', '-e', PROBE_SCRIPT, pathToFileURL(entry).href];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
      const why = dawnReason(stderr);
      if (err && (err as { killed?: boolean }).killed) {
        return resolve({ ok: false, timedOut: true, reason: `no WebGPU adapter within ${timeoutMs / 1000} s${why ? ` (Dawn: ${why})` : ''}` });
      }
      let parsed: { ok: boolean; info?: WebgpuInfo } | null = null;
      try {
        parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        parsed = null;
      }
      if (parsed?.ok && parsed.info) return resolve({ ok: true, info: parsed.info });
      if (parsed) return resolve({ ok: false, reason: `Dawn found no WebGPU adapter${why ? `: ${why}` : ''}` });
      const code = err ? ` (exit ${String((err as { code?: unknown }).code ?? (err as { signal?: unknown }).signal)})` : '';
      resolve({ ok: false, reason: `the WebGPU probe failed${code}${why ? `: ${why}` : ''}` });
    });
  });
}

/**
 * Whether Dawn finds an adapter here, and which. Runs once per process: a later call returns the
 * same answer, except that a probe cut off by its time limit is re-run when a longer limit is given.
 */
export function probeWebgpu(timeoutMs = AUTO_ADAPTER_TIMEOUT_MS): Promise<WebgpuProbe> {
  if (probeRun && probeRun.timeoutMs >= timeoutMs) return probeRun.result;
  const result = probeRun ? probeRun.result.then((r) => (r.ok || !r.timedOut ? r : start(timeoutMs))) : start(timeoutMs);
  probeRun = { timeoutMs, result };
  return result;
}

function start(timeoutMs: number): Promise<WebgpuProbe> {
  const entry = webgpuEntry();
  if (!entry) return Promise.resolve({ ok: false, reason: 'the optional webgpu package (Dawn for Node) is not installed' });
  if (!`${process.platform}-${process.arch}`.match(/^(linux-(x64|arm64)|darwin-(x64|arm64)|win32-(x64|arm64))$/)) {
    return Promise.resolve({ ok: false, reason: `the webgpu package ships no Dawn build for ${process.platform}-${process.arch}` });
  }
  return runProbe(entry, timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// In-process setup, after a positive probe

interface DawnAdapter {
  limits: Record<string, number>;
  features: { has(name: string): boolean };
  info: object;
  requestDevice(descriptor: object): Promise<{ destroy(): void; lost: Promise<unknown> }>;
}
interface DawnModule {
  create(options: string[]): { requestAdapter(options: object): Promise<DawnAdapter | null> };
  globals: Record<string, unknown>;
}

let registered: Promise<WebgpuInfo> | null = null;

export const SYNC_READ_ERROR =
  'the webgpu backend cannot read a GPU tensor synchronously in Node (dataSync, arraySync, or moving a tensor to another backend): ' +
  'tfjs-webgpu reads synchronously through an OffscreenCanvas, which Node lacks; use await tensor.data()';

interface SyncReader {
  readSync(dataId: object): unknown;
  hasReadSyncWarned?: boolean;
}

/**
 * tfjs-webgpu's readSync answers from its CPU copy when there is one (tensors made from JS arrays,
 * or already read) and otherwise draws the buffer through an OffscreenCanvas: a ReferenceError in
 * Node, after a warning about speed. Node has no synchronous GPU read at all (mapAsync only
 * resolves on the event loop), so the ReferenceError becomes an error that says what to do instead.
 */
function guardSyncReads(backend: SyncReader): void {
  const readSync = backend.readSync.bind(backend);
  backend.hasReadSyncWarned = true;
  backend.readSync = (dataId) => {
    try {
      return readSync(dataId);
    } catch (err) {
      if (err instanceof ReferenceError && /OffscreenCanvas/.test(err.message)) throw new Error(SYNC_READ_ERROR);
      throw err;
    }
  };
}

/**
 * tfjs-webgpu checks navigator.gpu when a backend is constructed (and reads nothing else from it).
 * Node 20 has no navigator; Node 21+ has one without gpu. Installed only where missing, after the
 * tfjs-webgpu import, so that its import-time self-registration does not run.
 */
function installNavigatorGpu(gpu: object): void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Probes (bounded by `timeoutMs`), then opens the device and registers tfjs's 'webgpu' backend on
 * it, once per process. Throws an Error whose message is the one-line reason when there is no
 * usable adapter; with `allowFallback` false a software adapter (lavapipe, SwiftShader) is refused
 * too, since wasm with our kernels is faster on a CPU. The caller then runs tf.setBackend('webgpu').
 */
export async function registerWebgpuBackend(opts: { timeoutMs: number; allowFallback: boolean }): Promise<WebgpuInfo> {
  const probe = await probeWebgpu(opts.timeoutMs);
  if (!probe.ok) throw new Error(probe.reason);
  if (probe.info.adapter.fallback && !opts.allowFallback) {
    throw new Error(`only a software adapter (${probe.info.adapter.description || probe.info.adapter.device}): slower than wasm here; --backend webgpu uses it anyway`);
  }
  registered ??= openDevice(opts.timeoutMs, probe.info);
  try {
    return await registered;
  } catch (err) {
    registered = null;
    throw err;
  }
}

async function openDevice(timeoutMs: number, probed: WebgpuInfo): Promise<WebgpuInfo> {
  const entry = webgpuEntry()!;
  const dawn = (await import(pathToFileURL(entry).href)) as DawnModule;
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const gpu = dawn.create([]);
  const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, 'the WebGPU adapter request');
  if (!adapter) throw new Error('Dawn found an adapter in the probe but not in this process');
  // The limits tfjs-webgpu itself asks for: the adapter's maxima, not WebGPU's small defaults.
  const L = adapter.limits;
  const requiredLimits = Object.fromEntries(
    ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'].map((k) => [k, L[k]]),
  );
  const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
  const device = await withTimeout(adapter.requestDevice({ requiredLimits, requiredFeatures }), timeoutMs, 'the WebGPU device request');
  installNavigatorGpu(gpu);
  // Built here rather than in the factory, so that a failure reaches the chain as an error with its
  // message (tf.setBackend would only log it and return false).
  const backend = new WebGPUBackend(device as never, adapter.info as never);
  guardSyncReads(backend as unknown as SyncReader);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend);
  // What this process opened (the same adapter the probe saw, asked for with the same options).
  const i = adapter.info as Record<string, unknown>;
  const limits: Record<string, number> = {};
  for (const k in L) if (typeof L[k] === 'number') limits[k] = L[k];
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  return {
    adapter: {
      vendor: str(i.vendor, probed.adapter.vendor), architecture: str(i.architecture, probed.adapter.architecture),
      device: str(i.device, probed.adapter.device), description: str(i.description, probed.adapter.description),
      fallback: typeof i.isFallbackAdapter === 'boolean' ? i.isFallbackAdapter : probed.adapter.fallback,
    },
    limits,
  };
}
