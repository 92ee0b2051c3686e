/**
 * The compute backend chain. `auto` prefers the native TensorFlow bindings (GPU, then CPU) when the
 * user has installed them, then tfjs's WebGPU backend on a hardware adapter (webgpu.ts; not chosen by
 * auto yet, see WEBGPU_IN_AUTO), then tfjs's WebAssembly backend with our gradient kernels, then
 * tfjs's pure-JS cpu backend. An explicitly requested backend that cannot load is an error, never a
 * silent substitution: the chosen backend and why the others were skipped are returned and recorded
 * in every artefact the engine writes (see EngineInfo).
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { registerWasmKernels } from './kernels/index.ts';
import type { WebgpuInfo } from './webgpu.ts';

export const BACKEND_CHOICES = ['auto', 'node-gpu', 'node', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
type ConcreteBackend = Exclude<BackendChoice, 'auto'>;

/** What produced a number: recorded in models, runs and benchmark results. */
export interface EngineInfo {
  backend: ConcreteBackend;
  /** The tfjs backend name as registered ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  tfjsBackend: string;
  requested: BackendChoice;
  versions: Record<string, string>;
  /** Backends tried before the chosen one, and why each was not used. */
  skipped: { backend: ConcreteBackend; reason: string }[];
  /** wasm only: whether the SIMD binary runs, and the thread count (1 in Node: tfjs disables wasm threads there). */
  wasm?: { simd: boolean; threads: number; ourKernels: string[] };
  /** webgpu only: the adapter (vendor, architecture, device, description, software or not) and its limits. */
  webgpu?: WebgpuInfo;
  node: string;
  platform: string;
}

export const BACKEND_ENV_VAR = 'PROVENANT_BACKEND';
const require = createRequire(import.meta.url);
let current: EngineInfo | null = null;

function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** Parses a user-supplied backend name (flag or env var), naming the source on error. */
export function parseBackendChoice(value: string | undefined, source: string): BackendChoice {
  if (value === undefined || value === '') return 'auto';
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new Error(`${source}: unknown backend "${value}"; choose one of ${BACKEND_CHOICES.join(', ')}`);
}

async function tryNode(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<void> {
  // A dynamic import with a variable name keeps bundlers from resolving the optional package.
  const name: string = pkg;
  try {
    await import(name);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error(`${pkg} is not installed (optional)`);
    throw err;
  }
  await tf.setBackend('tensorflow');
}

let wasmSimd = false;
async function tryWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  // Emscripten's Node glue installs process-wide handlers that rethrow any uncaught error with the
  // whole minified module as context; they serve no purpose for us, so they are removed again.
  const before = new Set<unknown>([...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')]);
  const ok = await tf.setBackend('wasm');
  for (const l of process.listeners('uncaughtException')) if (!before.has(l)) process.removeListener('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.has(l)) process.removeListener('unhandledRejection', l);
  if (!ok) throw new Error('tfjs refused to initialise the wasm backend');
  wasmSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
}

/**
 * Whether `auto` may end on webgpu. Not yet: tfjs-webgpu cannot read a GPU tensor synchronously in
 * Node, and training, every method and the oracles still call dataSync(). Until they await data(),
 * auto probes (so the skip reason names the adapter or why there is none) and passes on; an
 * explicit --backend webgpu serves code that reads asynchronously (bench/gpu.ts, the tests).
 */
export const WEBGPU_IN_AUTO = false;

let webgpuInfo: WebgpuInfo | undefined;
/**
 * Loaded only when the chain reaches it (a machine without Vulkan never loads Dawn in-process).
 * `auto` bounds the adapter search at 2 s and passes over software adapters (wasm is faster on a
 * CPU); an explicit request waits longer and takes any adapter.
 */
async function tryWebgpu(requested: BackendChoice): Promise<void> {
  const webgpu = await import('./webgpu.ts');
  const auto = requested === 'auto';
  if (auto && !WEBGPU_IN_AUTO) {
    const probe = await webgpu.probeWebgpu(webgpu.AUTO_ADAPTER_TIMEOUT_MS);
    if (!probe.ok) throw new Error(probe.reason);
    const a = probe.info.adapter;
    throw new Error(`adapter ${a.description || a.device} found, but auto does not choose webgpu yet: the engine reads tensors synchronously, which tfjs-webgpu cannot do in Node`);
  }
  const info = await webgpu.registerWebgpuBackend({
    timeoutMs: auto ? webgpu.AUTO_ADAPTER_TIMEOUT_MS : webgpu.EXPLICIT_ADAPTER_TIMEOUT_MS,
    allowFallback: !auto,
  });
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs refused to initialise the webgpu backend on the adapter Dawn found');
  webgpuInfo = info;
}

const loaders: Record<ConcreteBackend, (requested: BackendChoice) => Promise<void>> = {
  'node-gpu': () => tryNode('@tensorflow/tfjs-node-gpu'),
  node: () => tryNode('@tensorflow/tfjs-node'),
  webgpu: tryWebgpu,
  wasm: tryWasm,
  cpu: async () => {
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs refused to initialise the cpu backend');
  },
};
const AUTO_ORDER: ConcreteBackend[] = ['node-gpu', 'node', 'webgpu', 'wasm', 'cpu'];

/**
 * Selects and initialises the backend. `choice` defaults to $PROVENANT_BACKEND, then 'auto'.
 * Calling it again with the same choice returns the same info; a different choice switches.
 */
export function initBackend(choice?: BackendChoice): Promise<EngineInfo> {
  // Calls are serialised: two concurrent callers (two app requests at start-up) must not both walk
  // the chain, or one could end on a different backend than the other.
  const next = pending.then(() => selectBackend(choice));
  pending = next.catch(() => undefined);
  return next;
}
let pending: Promise<unknown> = Promise.resolve();

async function selectBackend(choice?: BackendChoice): Promise<EngineInfo> {
  const requested = choice ?? parseBackendChoice(process.env[BACKEND_ENV_VAR], `$${BACKEND_ENV_VAR}`);
  if (current && (requested === current.requested || requested === current.backend)) return current;
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  const skipped: EngineInfo['skipped'] = [];
  for (const backend of order) {
    try {
      await loaders[backend](requested);
      await tf.ready();
      current = describe(backend, requested, skipped);
      return current;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (requested !== 'auto') {
        throw new Error(`backend "${backend}" could not be loaded: ${reason}` + hint(backend));
      }
      skipped.push({ backend, reason });
    }
  }
  throw new Error(`no tfjs backend could be loaded: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

function hint(backend: ConcreteBackend): string {
  if (backend === 'node' || backend === 'node-gpu') {
    const pkg = backend === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
    return ` (install it with "npm install ${pkg}" on a machine that can download libtensorflow)`;
  }
  if (backend === 'webgpu') return ' (on Linux Dawn needs the Vulkan loader libvulkan.so.1 and a GPU driver with Vulkan; see docs/decisions/webgpu-backend.md)';
  return '';
}

function describe(backend: ConcreteBackend, requested: BackendChoice, skipped: EngineInfo['skipped']): EngineInfo {
  const versions: Record<string, string> = { '@tensorflow/tfjs': tf.version.tfjs };
  const extras: Record<ConcreteBackend, string[]> = {
    'node-gpu': ['@tensorflow/tfjs-node-gpu'],
    node: ['@tensorflow/tfjs-node'],
    webgpu: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'],
    wasm: ['@tensorflow/tfjs-backend-wasm'],
    cpu: [],
  };
  for (const name of extras[backend]) {
    const v = packageVersion(name);
    if (v) versions[name] = v;
  }
  const info: EngineInfo = {
    backend,
    tfjsBackend: tf.getBackend(),
    requested,
    versions,
    skipped,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  if (backend === 'wasm') {
    info.wasm = {
      simd: wasmSimd,
      threads: 1,
      ourKernels: registeredOurKernels(),
    };
  }
  if (backend === 'webgpu' && webgpuInfo) info.webgpu = webgpuInfo;
  return info;
}

function registeredOurKernels(): string[] {
  return tf
    .getKernelsForBackend('wasm')
    .filter((k) => (k as { provenant?: boolean }).provenant)
    .map((k) => k.kernelName)
    .sort();
}

/** The engine info of the initialised backend; throws if initBackend() has not run. */
export function engineInfo(): EngineInfo {
  if (!current) throw new Error('initBackend() must be awaited before the engine is used');
  return current;
}
