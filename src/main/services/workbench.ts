/**
 * The workbench: every workbench channel's handler, on one data folder, one job host and one secret
 * store. Electron, the bridge (`provenant serve`) and tests build one with createWorkbench() and
 * hand `handlers` to createHandlers(); job events go out through the ServerEventBus they share with
 * their transport.
 */
import type { EngineInfoDto } from '../../shared/contract.ts';
import type { ServerEventBus } from '../bridge/events.ts';
import type { HandlerRegistry } from '../bridge/handlers.ts';
import { JobManager } from '../jobs/job-manager.ts';
import { threadLauncher } from '../jobs/thread-launcher.ts';
import type { JobHost, JobLauncher } from '../jobs/types.ts';
import { CaseService } from './case-service.ts';
import { DataFolder, defaultDataDir, FieldError } from './data-folder.ts';
import { testEndpoint, type EndpointTestOptions } from './endpoint-test.ts';
import { prepareJob } from './job-prepare.ts';
import { listMethods } from './method-catalog.ts';
import { runDetails } from './run-details.ts';
import { MemorySecretStore, type SecretStore } from './secret-store.ts';
import { memoryDataDirPreference, readSettings, type DataDirPreference } from './settings-file.ts';

export type WorkbenchHandlers = Omit<HandlerRegistry, 'app.info' | 'datasets.list'>;

export interface WorkbenchOptions {
  events: ServerEventBus;
  /** The data folder; default: the preference's, else $PROVENANT_DATA or ~/.provenant. */
  dataDir?: string;
  preference?: DataDirPreference;
  /** Default: in memory (the bridge and the CLI); Electron passes its safeStorage store. */
  secrets?: (folder: () => DataFolder) => SecretStore;
  /** Default: a worker thread per job. */
  launcher?: JobLauncher;
  /** The compute backend in use, for settings.get (default: initBackend in this process). */
  engine?: () => Promise<Pick<EngineInfoDto, 'backend'>>;
  /** How long a cancelled job may take to stop before its worker is ended. */
  graceMs?: number;
  endpointTest?: EndpointTestOptions;
}

export interface Workbench {
  handlers: WorkbenchHandlers;
  jobs: JobHost;
  folder(): DataFolder;
  secrets: SecretStore;
  /** Cancels the jobs still running and waits for them. */
  close(): Promise<void>;
}

async function defaultEngine(): Promise<Pick<EngineInfoDto, 'backend'>> {
  const { initBackend } = await import('../engine/tensor/backend.ts');
  return initBackend();
}

export function createWorkbench(opts: WorkbenchOptions): Workbench {
  const preference = opts.preference ?? memoryDataDirPreference();
  // Created on the first write (a new case, a job), not here: merely starting the bridge leaves no trace.
  let folder = new DataFolder(opts.dataDir ?? preference.load() ?? defaultDataDir());
  const getFolder = () => folder;
  const secrets = opts.secrets ? opts.secrets(getFolder) : new MemorySecretStore();
  const engine = opts.engine ?? defaultEngine;
  const jobs = new JobManager({
    launch: opts.launcher ?? threadLauncher(),
    events: opts.events,
    graceMs: opts.graceMs,
    prepare: (jobId, spec) => prepareJob({ folder: getFolder, secrets, backend: () => readSettings(folder.settingsFile).backend }, jobId, spec),
  });
  const cases = new CaseService(getFolder, (caseId) => jobs.holder(`case:${caseId}`));

  const handlers: WorkbenchHandlers = {
    'cases.list': async () => cases.list(),
    'cases.create': async (input) => cases.create(input),
    'cases.get': async ({ caseId }) => cases.get(caseId),
    'cases.check': async ({ caseId }) => cases.check(caseId),
    'cases.addNote': async ({ caseId, text }) => cases.addNote(caseId, text),
    'exhibits.add': async (input) => cases.addExhibit(input),
    'endpoints.test': async (input) => testEndpoint(input, secrets, opts.endpointTest),
    'endpoints.add': async ({ caseId, endpoint }) => {
      // An endpoint naming a key that does not exist would fail at its first verification: say so now.
      if (endpoint.apiKey !== undefined && secrets.reveal(endpoint.apiKey) === undefined) {
        throw new FieldError('endpoint.apiKey', `no API key named "${endpoint.apiKey}"; add it in Settings → API keys first`);
      }
      return cases.addEndpoint(caseId, endpoint);
    },
    'jobs.start': async (spec) => jobs.start(spec),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'jobs.list': async ({ caseId }) => ({ jobs: jobs.list(caseId) }),
    'runs.get': async ({ caseId, runId }) => getFolder().readAsync(caseId, (store) => runDetails(store, runId)),
    'methods.list': async () => listMethods(),
    'settings.get': async () => ({ dataDir: folder.root, backend: (await engine()).backend, apiKeys: secrets.names(), secretStore: secrets.kind }),
    'settings.setDataDir': async ({ dataDir }) => {
      const running = jobs.list().filter((j) => j.status === 'running');
      if (running.length) throw new Error(`settings.setDataDir: ${running.length} job(s) still running in ${folder.root}; wait for them or cancel them first`);
      const next = new DataFolder(dataDir).ensure();
      readSettings(next.settingsFile); // a broken settings.json is named now, not at the next job
      folder = next;
      preference.save(next.root);
      return { dataDir: next.root };
    },
    'apiKeys.set': async ({ name, value }) => {
      secrets.set(name, value);
      return { names: secrets.names() };
    },
    'apiKeys.delete': async ({ name }) => {
      secrets.delete(name);
      return { names: secrets.names() };
    },
  };
  return { handlers, jobs, folder: getFolder, secrets, close: () => jobs.close() };
}
