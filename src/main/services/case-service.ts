/**
 * Cases in the data folder, as the workbench sees them: list, create, show, check, notes, exhibit
 * intake and endpoints. Reads open the case read-only (WAL: they never wait for a running job);
 * writes open it for writing for the moment of the write — and are refused with the job's name when
 * a job holds the case (one writer per case, src/main/store/case-lock.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { OutputOf, ParsedInputOf } from '../../shared/contract.ts';
import type { endpointSpecSchema } from '../../shared/workbench-contract.ts';
import { redactUrl } from '../engine/suspects/http/redact.ts';
import { openCase, type CaseStore, type Exhibit, type Run } from '../store/index.ts';
import { DataFolder, FieldError } from './data-folder.ts';
import { listSuites } from './case-artefacts.ts';

export type EndpointSpec = z.output<typeof endpointSpecSchema>;

/** Says which job holds a case for writing (undefined when none does). */
export type CaseBusy = (caseId: string) => string | undefined;

export function exhibitView(e: Exhibit): OutputOf<'exhibits.add'> {
  return { id: e.id, role: e.role, kind: e.kind, path: e.location, size: e.size, sha256: e.sha256, acquiredAt: e.acquiredAt, ...(e.notes ? { notes: e.notes } : {}) };
}

export function runView(store: CaseStore, r: Run): OutputOf<'cases.get'>['runs'][number] {
  const q = store.querySummary(r.id);
  const v = store.verdict(r.id);
  return {
    id: r.id, kind: r.kind, method: r.method, status: r.status, startedAt: r.startedAt,
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}), ...(r.identity ? { identity: r.identity } : {}), ...(r.error ? { error: r.error } : {}),
    params: r.params ?? null,
    queries: { exchanges: q.exchanges, inputsAnswered: q.inputsAnswered, retries: q.retries },
    ...(v
      ? {
          verdict: {
            decision: v.decision, score: v.score, pEmpirical: v.pEmpirical, pParametric: v.pParametric, nullSize: v.nullSize,
            nullMax: Number.isFinite(v.nullMax) ? v.nullMax : null, explanation: v.explanation, level: v.level, supportedBy: v.supportedBy,
          },
        }
      : {}),
  };
}

function summary(store: CaseStore): OutputOf<'cases.create'> {
  const info = store.info();
  const runs = store.runs();
  return {
    id: info.id, name: info.name, dir: info.dir, createdAt: info.createdAt, parties: info.parties,
    ...(info.description ? { description: info.description } : {}),
    runs: runs.length, verdicts: runs.filter((r) => store.verdict(r.id)).length,
  };
}

export class CaseService {
  constructor(
    private readonly folder: () => DataFolder,
    private readonly busy: CaseBusy = () => undefined,
    private readonly actor = 'provenant workbench',
  ) {}

  list(): OutputOf<'cases.list'> {
    const folder = this.folder();
    const cases: OutputOf<'cases.list'>['cases'] = [];
    for (const dir of folder.caseDirs()) {
      // One damaged case must not hide the others: it is skipped here and named by cases.get.
      let store: CaseStore | undefined;
      try {
        store = openCase(dir, { readOnly: true });
        cases.push(summary(store));
      } catch (err) {
        console.warn(`cases.list: skipping ${dir}: ${(err as Error).message}`);
      } finally {
        store?.close();
      }
    }
    cases.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { dataDir: folder.root, cases };
  }

  /** Made in a hidden folder first, then renamed to cases/<slug>-<short id> once the id is known. */
  create(input: ParsedInputOf<'cases.create'>): OutputOf<'cases.create'> {
    const folder = this.folder().ensure();
    const tmp = join(folder.casesDir, `.creating-${randomUUID()}`);
    let id: string;
    try {
      const store = openCase(tmp, { create: { name: input.name, parties: input.parties, ...(input.description ? { description: input.description } : {}) }, actor: this.actor });
      id = store.info().id;
      store.close();
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    const dir = folder.caseDirFor(input.name, id);
    if (existsSync(dir)) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`${dir}: already exists`);
    }
    renameSync(tmp, dir);
    return this.read(id, summary);
  }

  get(caseId: string): OutputOf<'cases.get'> {
    return this.read(caseId, (store) => ({
      case: summary(store),
      exhibits: store.exhibits().map(exhibitView),
      endpoints: store.endpoints().map((e) => ({ id: e.id, url: e.url, protocol: e.protocol, mode: e.mode, createdAt: e.createdAt })),
      triggerSets: store.triggerSets().map((t) => ({ id: t.id, exhibitId: t.exhibitId, method: t.method, seed: t.seed, sha256: t.sha256, params: t.params ?? null })),
      runs: store.runs().map((r) => runView(store, r)),
      suites: listSuites(store.dir),
      notes: store.notes().map((n) => ({ id: n.id, time: n.time, text: n.text })),
    }));
  }

  async check(caseId: string): Promise<OutputOf<'cases.check'>> {
    const store = openCase(this.folder().caseDir(caseId), { readOnly: true });
    try {
      const r = await store.check();
      return { ok: r.ok, chainEntries: r.chain.entries, head: r.chain.head ? { seq: r.chain.head.seq, hash: r.chain.head.hash } : null, rowsChecked: r.rows.checked, exhibitsChecked: r.exhibits.checked, problems: r.problems };
    } finally {
      store.close();
    }
  }

  addNote(caseId: string, text: string): OutputOf<'cases.addNote'> {
    return this.write(caseId, (store) => ({ id: store.addNote(text).id }));
  }

  async addExhibit(input: ParsedInputOf<'exhibits.add'>): Promise<OutputOf<'exhibits.add'>> {
    const path = this.folder().resolve(input.path);
    if (!existsSync(path)) throw new FieldError('path', `${path}: no such file or directory`);
    const st = statSync(path);
    if (!st.isFile() && !st.isDirectory()) throw new FieldError('path', `${path}: not a file or a directory`);
    return this.writeAsync(input.caseId, async (store) => exhibitView(await store.addExhibit({ role: input.role, path, ...(input.notes ? { notes: input.notes } : {}) })));
  }

  addEndpoint(caseId: string, endpoint: EndpointSpec): OutputOf<'endpoints.add'> {
    // The case keeps the redacted URL and the mode only; the API key stays in the secret store.
    return this.write(caseId, (store) => {
      const e = store.addEndpoint({ url: redactUrl(endpoint.url), protocol: endpoint.protocol, mode: endpoint.labelsOnly ? 'labels' : 'probabilities' });
      return { id: e.id, url: e.url, protocol: e.protocol, mode: e.mode, createdAt: e.createdAt };
    });
  }

  read<T>(caseId: string, fn: (store: CaseStore) => T): T {
    return this.folder().read(caseId, fn);
  }

  private openForWriting(caseId: string): CaseStore {
    const dir = this.folder().caseDir(caseId);
    const holder = this.busy(caseId);
    if (holder) throw new Error(`the case is busy: ${holder} is writing to it; try again when it ends`);
    return openCase(dir, { actor: this.actor });
  }

  private write<T>(caseId: string, fn: (store: CaseStore) => T): T {
    const store = this.openForWriting(caseId);
    try {
      return fn(store);
    } finally {
      store.close();
    }
  }

  private async writeAsync<T>(caseId: string, fn: (store: CaseStore) => Promise<T>): Promise<T> {
    const store = this.openForWriting(caseId);
    try {
      return await fn(store);
    } finally {
      store.close();
    }
  }
}
