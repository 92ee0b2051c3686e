/**
 * From a validated `jobs.start` spec to what its worker runs (tasks/types.ts), in main, before the
 * job is accepted — so that a bad path or an unknown API key is a `jobs.start` error naming the
 * field, not a job that fails later:
 *
 *  - `caseId` is looked up in the data folder (a UUID, never a path);
 *  - artefact inputs (sourceDir, poolDir, triggersDir, nullSuiteDir) must exist and lie inside the
 *    data folder, or be (inside) an exhibit of the case: work only ever reads what the case has
 *    taken in or built; evidence intake (a suspect file, a bundle to import or replay) may come
 *    from anywhere, as exhibits.add does;
 *  - outputs are always chosen here, inside the case (case-artefacts.ts);
 *  - an endpoint's `apiKey` becomes its Authorization header, read from the secret store.
 *
 * The locks say what the job writes: a case's store (one writer at a time), a suite folder, a
 * report file, the signing key.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { JobSpec } from '../../shared/workbench-contract.ts';
import type { SuspectSpec } from '../engine/suspects/open-suspect.ts';
import type { PreparedJob } from '../jobs/types.ts';
import { caseArtefacts, jobTag } from './case-artefacts.ts';
import { DataFolder, FieldError, isInside } from './data-folder.ts';
import { authHeaders, type SecretStore } from './secret-store.ts';
import type { TaskBase, TaskPayload } from './tasks/types.ts';

export interface PrepareDeps {
  folder: () => DataFolder;
  secrets: SecretStore;
  /** The backend choice workers initialise (settings.json). */
  backend: () => string;
}

type Suspect = Extract<JobSpec, { kind: 'verify' }>['suspect'];

function existing(field: string, abs: string, want?: 'file' | 'directory'): string {
  if (!existsSync(abs)) throw new FieldError(field, `${abs}: no such file or directory`);
  const st = statSync(abs);
  if (want === 'file' && !st.isFile()) throw new FieldError(field, `${abs}: expected a file`);
  if (want === 'directory' && !st.isDirectory()) throw new FieldError(field, `${abs}: expected a directory`);
  return abs;
}

export function prepareJob(deps: PrepareDeps, jobId: string, spec: JobSpec): PreparedJob {
  const folder = deps.folder();
  const base: TaskBase = { jobId, dataDir: folder.root, backend: deps.backend() };
  const tag = jobTag(jobId);
  const caseId = 'caseId' in spec ? spec.caseId : undefined;
  const caseDir = caseId !== undefined ? folder.caseDir(caseId) : undefined;
  const caseLock = caseId !== undefined ? [`case:${caseId}`] : [];
  const artefacts = caseDir ? caseArtefacts(caseDir) : undefined;

  /** An artefact the job reads: inside the data folder, or (inside) one of the case's exhibits. */
  const artefact = (field: string, path: string, want: 'file' | 'directory' = 'directory'): string => {
    const abs = existing(field, folder.resolve(path), want);
    const real = realpathSync(abs);
    if (isInside(realpathSync(folder.root), real)) return abs;
    if (caseId !== undefined) {
      const exhibits = folder.read(caseId, (s) => s.exhibits().map((e) => e.location));
      if (exhibits.some((loc) => existsSync(loc) && isInside(realpathSync(loc), real))) return abs;
    }
    throw new FieldError(field, `${abs} is outside the data folder (${folder.root}) and is not an exhibit of this case; add it as an exhibit first`);
  };

  const suspect = (field: string, s: Suspect): SuspectSpec => {
    if (s.kind === 'file') {
      const abs = existing(`${field}.path`, folder.resolve(s.path));
      if (statSync(abs).isDirectory()) return { kind: 'model-dir', dir: abs };
      if (/\.onnx$/i.test(abs)) return { kind: 'onnx', file: abs };
      throw new FieldError(`${field}.path`, `${abs}: expected a model directory or an .onnx file`);
    }
    const e = s.endpoint;
    return {
      kind: 'http', url: e.url, protocol: e.protocol, headers: authHeaders(e.apiKey, deps.secrets, `${field}.endpoint.apiKey`),
      ...(e.model ? { model: e.model } : {}), ...(e.scores ? { scores: e.scores } : {}), ...(e.json ? { json: e.json } : {}),
    };
  };

  const runOf = (runId: number) => {
    const run = folder.read(caseId!, (s) => s.run(runId));
    if (!run) throw new FieldError('runId', `the case has no run ${runId}`);
    if (run.kind !== 'verify' || run.status !== 'complete') throw new FieldError('runId', `run ${runId} is a ${run.status} ${run.kind} run; this needs a complete verification`);
    return run;
  };

  const prepared = (payload: TaskPayload, locks: string[]): PreparedJob => ({ payload, locks });

  switch (spec.kind) {
    case 'train': {
      const name = `${spec.dataset}-${spec.arch}-seed${spec.seed}-${tag}`;
      const outDir = artefacts ? join(artefacts.models, `source-${name}`) : join(folder.ensure().modelsDir, name);
      return prepared({ ...base, kind: 'train', dataset: spec.dataset, arch: spec.arch, seed: spec.seed, ...(spec.epochs ? { epochs: spec.epochs } : {}), outDir, ...(caseDir ? { caseDir } : {}) }, caseLock);
    }
    case 'suite': {
      const outDir = artefacts!.suite(spec.purpose, spec.preset, spec.seed);
      const sourceDir = artefact('sourceDir', spec.sourceDir);
      return prepared({ ...base, kind: 'suite', sourceDir, outDir, preset: spec.preset, purpose: spec.purpose, seed: spec.seed }, [`dir:${outDir}`]);
    }
    case 'generate': {
      const sourceDir = artefact('sourceDir', spec.sourceDir, /\.onnx$/i.test(spec.sourceDir) ? 'file' : 'directory');
      const poolDir = spec.poolDir ? artefact('poolDir', spec.poolDir) : undefined;
      const outDir = join(artefacts!.triggers, `${spec.method}-seed${spec.seed}-${tag}`);
      return prepared({ ...base, kind: 'generate', caseDir: caseDir!, method: spec.method, sourceDir, ...(poolDir ? { poolDir } : {}), params: spec.params, seed: spec.seed, outDir }, caseLock);
    }
    case 'verify': {
      const triggersDir = artefact('triggersDir', spec.triggersDir);
      const nullSuiteDir = artefact('nullSuiteDir', spec.nullSuiteDir);
      return prepared({
        ...base, kind: 'verify', caseDir: caseDir!, triggersDir, nullSuiteDir, suspect: suspect('suspect', spec.suspect), labelsOnly: spec.labelsOnly, level: spec.level,
        ...(spec.budget !== undefined ? { budget: spec.budget } : {}),
      }, caseLock);
    }
    case 'replay': {
      const bundle = existing('bundle', folder.resolve(spec.bundle), 'file');
      return prepared({ ...base, kind: 'replay', bundle, suspect: suspect('suspect', spec.suspect), ...(spec.labelsOnly !== undefined ? { labelsOnly: spec.labelsOnly } : {}), trust: spec.trust }, []);
    }
    case 'report': {
      runOf(spec.runId);
      const out = artefacts!.report(spec.runId);
      return prepared({ ...base, kind: 'report', caseDir: caseDir!, runId: spec.runId, out }, [`file:${out}`]);
    }
    case 'bundle-export': {
      runOf(spec.runId);
      const keyFile = join(folder.ensure().keysDir, 'signing-key.pem');
      return prepared({ ...base, kind: 'bundle-export', caseDir: caseDir!, runId: spec.runId, keyFile, out: artefacts!.bundle(spec.runId) }, [...caseLock, 'signing-key']);
    }
    case 'bundle-import': {
      const file = existing('file', folder.resolve(spec.file), 'file');
      const outDir = join(artefacts!.imported, `${basename(file).replace(/\.pvb$/i, '').replace(/[^\w.-]+/g, '_')}-${tag}`);
      return prepared({ ...base, kind: 'bundle-import', caseDir: caseDir!, file, trust: spec.trust, outDir }, caseLock);
    }
  }
}
