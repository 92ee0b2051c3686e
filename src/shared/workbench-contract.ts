/**
 * The workbench's operations (issue 8): cases, exhibits, endpoints, long jobs (train, build suite,
 * generate, verify, replay, report, bundle export/import), results, integrity, settings. Declared
 * once here with zod, like contract.ts (which composes them into `contracts`), so preload, IPC,
 * the bridge and the renderer share them. zod only: no Node or DOM APIs.
 *
 * Long work never runs inside a request: `jobs.start` returns a job id at once; progress arrives as
 * `job.progress` events and exactly one `job.done` or `job.failed` ends it (a cancelled job fails
 * with `cancelled: true`).
 */
import { z } from 'zod';

const id = z.string().min(1);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const path = z.string().min(1).max(4096);
const noInput = () => z.strictObject({}).default({});
const def = <const C extends string, I extends z.ZodType, O extends z.ZodType>(channel: C, input: I, output: O) => Object.freeze({ channel, input, output });

// ---- cases ----------------------------------------------------------------------------------

export const partiesSchema = z.strictObject({
  investigator: z.string().max(200).optional(),
  owner: z.string().max(200).optional(),
  suspect: z.string().max(200).optional(),
});

export const caseSummarySchema = z.object({
  id, name: z.string(), dir: path, createdAt: z.string(), parties: partiesSchema, description: z.string().optional(),
  runs: z.number().int(), verdicts: z.number().int(),
});

export const exhibitSchema = z.object({
  id: z.number().int(), role: z.string(), kind: z.enum(['file', 'directory']), path, size: z.number(), sha256, acquiredAt: z.string(), notes: z.string().optional(),
});
export const endpointSchema = z.object({ id: z.number().int(), url: z.string(), protocol: z.string(), mode: z.string(), createdAt: z.string() });
export const triggerSetRowSchema = z.object({ id: z.number().int(), exhibitId: z.number().int(), method: z.string(), seed: z.number().int(), sha256, params: z.unknown() });
export const verdictSchema = z.object({
  decision: z.enum(['derived', 'not-derived', 'insufficient-null']), score: z.number(), pEmpirical: z.number(), pParametric: z.number().nullable(),
  nullSize: z.number().int(), nullMax: z.number().nullable(), explanation: z.string(), level: z.number(), supportedBy: z.string(),
});
export const runSchema = z.object({
  id: z.number().int(), kind: z.string(), method: z.string(), status: z.enum(['running', 'partial', 'complete', 'failed']),
  startedAt: z.string(), finishedAt: z.string().optional(), identity: z.string().optional(), error: z.string().optional(), params: z.unknown(),
  queries: z.object({ exchanges: z.number().int(), inputsAnswered: z.number().int(), retries: z.number().int() }),
  verdict: verdictSchema.optional(),
});

export const casesListContract = def('cases.list', noInput(), z.object({ dataDir: path, cases: z.array(caseSummarySchema) }));
export const casesCreateContract = def(
  'cases.create',
  z.strictObject({ name: z.string().trim().min(1).max(200), parties: partiesSchema.default({}), description: z.string().max(4000).optional() }),
  caseSummarySchema,
);
export const casesGetContract = def(
  'cases.get',
  z.strictObject({ caseId: id }),
  z.object({
    case: caseSummarySchema, exhibits: z.array(exhibitSchema), endpoints: z.array(endpointSchema), triggerSets: z.array(triggerSetRowSchema), runs: z.array(runSchema),
    /** Suites and pools built for this case (directories under the case). */
    suites: z.array(z.object({ dir: path, purpose: z.string(), preset: z.string(), positives: z.number().int(), negatives: z.number().int(), complete: z.boolean() })),
    notes: z.array(z.object({ id: z.number().int(), time: z.string(), text: z.string() })),
  }),
);
export const casesCheckContract = def(
  'cases.check',
  z.strictObject({ caseId: id }),
  z.object({ ok: z.boolean(), chainEntries: z.number().int(), head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(), rowsChecked: z.number().int(), exhibitsChecked: z.number().int(), problems: z.array(z.string()) }),
);
export const casesAddNoteContract = def('cases.addNote', z.strictObject({ caseId: id, text: z.string().trim().min(1).max(10_000) }), z.object({ id: z.number().int() }));

// ---- exhibits and endpoints -------------------------------------------------------------------

export const EXHIBIT_ROLES_IN = ['source', 'suspect-file', 'dataset', 'trigger-set', 'bundle'] as const;
export const exhibitsAddContract = def('exhibits.add', z.strictObject({ caseId: id, role: z.enum(EXHIBIT_ROLES_IN), path, notes: z.string().max(4000).optional() }), exhibitSchema);

/** A remote prediction API; the secret is named (a stored API key), never sent through the contract. */
export const endpointSpecSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  protocol: z.enum(['kserve', 'tfserving', 'json']),
  model: z.string().min(1).max(200).optional(),
  labelsOnly: z.boolean().default(true),
  scores: z.enum(['probabilities', 'logits']).optional(),
  /** Name of an API key kept in settings (Electron safeStorage); its value never crosses the contract. */
  apiKey: z.string().min(1).max(100).optional(),
  json: z.strictObject({ requestTemplate: z.string().max(10_000), responsePath: z.string().max(500), reply: z.enum(['labels', 'scores']) }).optional(),
});
export const endpointsTestContract = def(
  'endpoints.test',
  z.strictObject({ endpoint: endpointSpecSchema, inputShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]), numClasses: z.number().int().min(2) }),
  z.object({ ok: z.boolean(), latencyMs: z.number().optional(), message: z.string(), label: z.number().int().optional() }),
);
export const endpointsAddContract = def('endpoints.add', z.strictObject({ caseId: id, endpoint: endpointSpecSchema }), endpointSchema);

// ---- jobs -------------------------------------------------------------------------------------

export const suspectSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('file'), path }),
  z.strictObject({ kind: z.literal('endpoint'), endpoint: endpointSpecSchema }),
]);

export const jobSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('train'), dataset: z.enum(['mnist', 'fashion-mnist']).default('mnist'), arch: z.enum(['mlp', 'lenet', 'cnn', 'vgg', 'resnet']).default('cnn'), seed: z.number().int().default(1), epochs: z.number().int().min(1).max(200).optional(), caseId: id.optional() }),
  z.strictObject({ kind: z.literal('suite'), caseId: id, sourceDir: path, preset: z.enum(['small', 'standard', 'paper', 'pool', 'calibration']).default('small'), purpose: z.enum(['suite', 'pool']).default('suite'), seed: z.number().int().default(1) }),
  z.strictObject({ kind: z.literal('generate'), caseId: id, method: z.enum(['ipguard', 'cae', 'metafinger', 'adv-tra', 'mfue', 'ganfinger', 'anafp']), sourceDir: path, poolDir: path.optional(), params: z.record(z.string(), z.unknown()).default({}), seed: z.number().int().default(1) }),
  z.strictObject({ kind: z.literal('verify'), caseId: id, triggersDir: path, suspect: suspectSchema, nullSuiteDir: path, labelsOnly: z.boolean().default(true), level: z.number().gt(0).lt(1).default(0.001), budget: z.number().int().min(0).optional() }),
  z.strictObject({ kind: z.literal('replay'), bundle: path, suspect: suspectSchema, labelsOnly: z.boolean().optional(), trust: z.array(sha256).default([]) }),
  z.strictObject({ kind: z.literal('report'), caseId: id, runId: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('bundle-export'), caseId: id, runId: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('bundle-import'), caseId: id, file: path, trust: z.array(sha256).default([]) }),
]);
export type JobSpec = z.output<typeof jobSpecSchema>;
export const JOB_KINDS = ['train', 'suite', 'generate', 'verify', 'replay', 'report', 'bundle-export', 'bundle-import'] as const;

export const jobSchema = z.object({
  jobId: id, kind: z.enum(JOB_KINDS), caseId: id.optional(), status: z.enum(['running', 'done', 'failed', 'cancelled']), startedAt: z.string(),
  done: z.number().int(), total: z.number().int(), message: z.string().optional(), error: z.string().optional(), result: z.unknown().optional(),
});
export const jobsStartContract = def('jobs.start', jobSpecSchema, z.object({ jobId: id }));
export const jobsCancelContract = def('jobs.cancel', z.strictObject({ jobId: id }), z.object({ cancelled: z.boolean() }));
export const jobsListContract = def('jobs.list', z.strictObject({ caseId: id.optional() }).default({}), z.object({ jobs: z.array(jobSchema) }));

// ---- results ------------------------------------------------------------------------------------

export const runsGetContract = def(
  'runs.get',
  z.strictObject({ caseId: id, runId: z.number().int().positive() }),
  z.object({
    run: runSchema,
    nullScores: z.array(z.object({ id: z.string(), score: z.number() })),
    /** ROC of the trigger set on its calibration suite, when the suite has positives. */
    roc: z.object({ points: z.array(z.object({ fpr: z.number(), tpr: z.number() })), auc: z.number() }).nullable(),
    triggers: z.array(z.object({ index: z.number().int(), label: z.number().int(), matched: z.boolean().optional(), png: z.string() /* data: URL */ })),
    queries: z.object({ needed: z.number().int().optional(), sent: z.number().int(), reused: z.number().int(), retries: z.number().int(), byOutcome: z.record(z.string(), z.number()) }),
    report: z.object({ file: path, sha256 }).optional(),
    bundle: z.object({ file: path, sha256, signer: sha256 }).optional(),
  }),
);
export const methodsListContract = def(
  'methods.list',
  noInput(),
  z.object({ methods: z.array(z.object({ id: z.string(), description: z.string(), needsPool: z.boolean(), labelOnly: z.boolean(), defaults: z.record(z.string(), z.unknown()), help: z.record(z.string(), z.string()) })) }),
);

// ---- settings ----------------------------------------------------------------------------------

export const settingsGetContract = def(
  'settings.get',
  noInput(),
  z.object({ dataDir: path, backend: z.string(), apiKeys: z.array(z.string()), secretStore: z.enum(['safeStorage', 'memory']) }),
);
export const settingsSetDataDirContract = def('settings.setDataDir', z.strictObject({ dataDir: path }), z.object({ dataDir: path }));
/** Stores an API key under a name; the value is never returned by any channel. */
export const apiKeysSetContract = def('apiKeys.set', z.strictObject({ name: z.string().trim().min(1).max(100), value: z.string().min(1).max(10_000) }), z.object({ names: z.array(z.string()) }));
export const apiKeysDeleteContract = def('apiKeys.delete', z.strictObject({ name: z.string().min(1).max(100) }), z.object({ names: z.array(z.string()) }));

export const WORKBENCH_CONTRACTS = [
  casesListContract, casesCreateContract, casesGetContract, casesCheckContract, casesAddNoteContract,
  exhibitsAddContract, endpointsTestContract, endpointsAddContract,
  jobsStartContract, jobsCancelContract, jobsListContract,
  runsGetContract, methodsListContract,
  settingsGetContract, settingsSetDataDirContract, apiKeysSetContract, apiKeysDeleteContract,
] as const;

// ---- events ---------------------------------------------------------------------------------------

export const workbenchEvents = {
  'job.done': z.object({ jobId: id, kind: z.enum(JOB_KINDS), caseId: id.optional(), result: z.unknown() }),
  'job.failed': z.object({ jobId: id, kind: z.enum(JOB_KINDS), caseId: id.optional(), error: z.string(), cancelled: z.boolean() }),
} as const;
