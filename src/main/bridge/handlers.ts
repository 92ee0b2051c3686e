/**
 * The handler registry: one plain async function per contract channel. Handlers receive input that
 * dispatch() has already validated and know nothing of the transport, so tests call them directly
 * and the IPC wiring and the HTTP bridge share them.
 */
import type { Channel, Dataset, EngineInfoDto, OutputOf, ParsedInputOf } from '../../shared/contract.ts';
import type { EngineInfo } from '../engine/tensor/backend.ts';
import { WORKBENCH_CONTRACTS } from '../../shared/workbench-contract.ts';
import type { WorkbenchHandlers } from '../services/workbench.ts';
import { version as packageVersion } from '../../../package.json';

export type Handler<C extends Channel> = (input: ParsedInputOf<C>) => Promise<OutputOf<C>>;
export type HandlerRegistry = { readonly [C in Channel]: Handler<C> };

export interface HandlerDeps {
  appName: string;
  appVersion: string;
  /** Initialises the compute backend if needed and describes it. */
  engine: () => Promise<EngineInfoDto>;
  /** Fixed list for tests; by default the engine's registry is asked on every call. */
  datasets?: readonly Dataset[];
  /** The workbench channels (createWorkbench(...).handlers); without it they answer a clear error. */
  workbench?: WorkbenchHandlers;
}

// The contract's engine schema must accept whatever the engine reports (compile-time check).
const engineFitsContract: (info: EngineInfo) => EngineInfoDto = (info) => info;

/** The engine's dataset registry, as the contract shows it (availability checked on each call). */
async function engineDatasets(): Promise<Dataset[]> {
  const { listDatasets } = await import('../engine/data/registry.ts');
  return listDatasets().map((d) => ({
    id: d.id,
    name: d.name,
    description: d.description,
    kind: d.id === 'folder' ? 'folder' : 'builtin',
    available: d.available,
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}

async function defaultEngine(): Promise<EngineInfoDto> {
  // Imported lazily: the Electron window (and the bridge's /health) must not wait for tfjs.
  // initBackend serialises concurrent callers, so two early requests see the same backend.
  const { initBackend } = await import('../engine/tensor/backend.ts');
  return engineFitsContract(await initBackend());
}

export function createHandlers(overrides: Partial<HandlerDeps> = {}): HandlerRegistry {
  const deps: HandlerDeps = {
    appName: 'Provenant',
    appVersion: packageVersion,
    engine: defaultEngine,
    ...overrides,
  };
  // A registry made without a workbench (e.g. a test of app.info) still answers every channel.
  const workbench = deps.workbench ?? (Object.fromEntries(
    WORKBENCH_CONTRACTS.map((c) => [c.channel, async () => { throw new Error('no workbench in this handler registry (createWorkbench() makes one)'); }]),
  ) as unknown as WorkbenchHandlers);
  return {
    ...workbench,
    'app.info': async () => ({ name: deps.appName, version: deps.appVersion, engine: await deps.engine() }),
    'datasets.list': async ({ kind }) => ({
      datasets: (deps.datasets ?? (await engineDatasets())).filter((d) => kind === undefined || d.kind === kind),
    }),
  };
}
