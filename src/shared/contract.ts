/**
 * The one API contract between the renderer and main. Every request channel is declared here once
 * with zod schemas for its input and output; the preload allowlist, the IPC handlers, the localhost
 * bridge and the renderer's typed client are all derived from this file. Main → renderer pushes are
 * a second typed map, `serverEvents`.
 *
 * This module is imported by main, preload and renderer alike: zod only, no Node or DOM APIs.
 */
import { z } from 'zod';
import { WORKBENCH_CONTRACTS, workbenchEvents } from './workbench-contract.ts';

export interface Contract<C extends string = string, I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly channel: C;
  readonly input: I;
  readonly output: O;
}

export function defineContract<const C extends string, I extends z.ZodType, O extends z.ZodType>(
  contract: Contract<C, I, O>,
): Contract<C, I, O> {
  return Object.freeze({ ...contract });
}

/** A request without parameters: `undefined` or `{}`; unknown keys are rejected. */
const noInput = () => z.strictObject({}).default({});

// ---- shared schemas -------------------------------------------------------------------------

export const BACKENDS = ['node-gpu', 'node', 'webgpu', 'wasm', 'cpu'] as const;
export const backendSchema = z.enum(BACKENDS);

/** Mirrors the engine's EngineInfo (src/main/engine/tensor/backend.ts); main checks they agree. */
export const engineInfoSchema = z.object({
  backend: backendSchema,
  tfjsBackend: z.string(),
  requested: z.enum(['auto', ...BACKENDS]),
  versions: z.record(z.string(), z.string()),
  skipped: z.array(z.object({ backend: backendSchema, reason: z.string() })),
  wasm: z.object({ simd: z.boolean(), threads: z.number().int(), ourKernels: z.array(z.string()) }).optional(),
  webgpu: z
    .object({
      adapter: z.object({ vendor: z.string(), architecture: z.string(), device: z.string(), description: z.string(), fallback: z.boolean() }),
      limits: z.record(z.string(), z.number()),
    })
    .optional(),
  node: z.string(),
  platform: z.string(),
});
export type EngineInfoDto = z.infer<typeof engineInfoSchema>;

export const DATASET_KINDS = ['builtin', 'folder'] as const;
export const datasetSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string(),
  kind: z.enum(DATASET_KINDS),
  /** Whether it can be loaded on this machine (an image folder always can: it needs a path). */
  available: z.boolean(),
  /** When not available: what to do about it (e.g. the apt-get command). */
  hint: z.string().optional(),
});
export type Dataset = z.infer<typeof datasetSchema>;

// ---- request channels -----------------------------------------------------------------------

export const appInfoContract = defineContract({
  channel: 'app.info',
  input: noInput(),
  output: z.object({
    name: z.string(),
    version: z.string(),
    engine: engineInfoSchema,
  }),
});

export const datasetsListContract = defineContract({
  channel: 'datasets.list',
  input: z.strictObject({ kind: z.enum(DATASET_KINDS).optional() }).default({}),
  output: z.object({ datasets: z.array(datasetSchema) }),
});

function byChannel<const T extends readonly Contract[]>(list: T): { [K in T[number] as K['channel']]: K } {
  const map: Record<string, Contract> = {};
  for (const c of list) {
    if (map[c.channel]) throw new Error(`contract channel "${c.channel}" is defined twice`);
    map[c.channel] = c;
  }
  return Object.freeze(map) as never;
}

export const contracts = byChannel([appInfoContract, datasetsListContract, ...WORKBENCH_CONTRACTS]);

export type Contracts = typeof contracts;
export type Channel = keyof Contracts;
/** What a caller may send (defaults not yet applied). */
export type InputOf<C extends Channel> = z.input<Contracts[C]['input']>;
/** What a handler receives after validation. */
export type ParsedInputOf<C extends Channel> = z.output<Contracts[C]['input']>;
export type OutputOf<C extends Channel> = z.output<Contracts[C]['output']>;
/** Arguments after the channel name: the input is optional where the contract accepts `undefined`. */
export type InputArgs<C extends Channel> = undefined extends InputOf<C> ? [input?: InputOf<C>] : [input: InputOf<C>];

/** Every request channel: the preload allowlist and the IPC/HTTP routes. */
export const CHANNELS = Object.freeze(Object.keys(contracts)) as readonly Channel[];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(contracts, value);
}

// ---- server events (main → renderer pushes) -------------------------------------------------

export const serverEvents = {
  'job.progress': z.object({
    jobId: z.string().min(1),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    /** null while no estimate is available yet. */
    etaSeconds: z.number().nonnegative().nullable(),
    message: z.string().optional(),
  }),
  ...workbenchEvents,
} as const;

export type ServerEvents = { [E in keyof typeof serverEvents]: z.output<(typeof serverEvents)[E]> };
export type ServerEventName = keyof ServerEvents;
export const SERVER_EVENTS = Object.freeze(Object.keys(serverEvents)) as readonly ServerEventName[];

export function isServerEvent(value: unknown): value is ServerEventName {
  return typeof value === 'string' && Object.hasOwn(serverEvents, value);
}
