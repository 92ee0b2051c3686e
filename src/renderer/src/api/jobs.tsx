/**
 * Every job main runs, as the renderer sees it: started here (jobs.start) or found at load
 * (jobs.list), kept current by the pushed events (job.progress, then exactly one job.done or
 * job.failed). Components read jobs through useJobs(); a page refreshes its data when a job of its
 * case ends through useJobEnd().
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import type { JOB_KINDS, jobSpecSchema } from '../../../shared/workbench-contract.ts';
import { useClient } from './context.tsx';

export type JobKind = (typeof JOB_KINDS)[number];
export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobView {
  jobId: string;
  kind?: JobKind;
  caseId?: string;
  status: JobStatus;
  startedAt?: string;
  done: number;
  total: number;
  etaSeconds: number | null;
  message?: string;
  error?: string;
  result?: unknown;
  /** What the user asked for, in words ("Verify ftal"), when the job was started here. */
  label?: string;
  /** How many progress events arrived while it ran (0 = progress never seen live). */
  progressEvents: number;
}

type EndListener = (job: JobView) => void;

interface JobsContextValue {
  /** Newest first. */
  jobs: JobView[];
  start: (spec: JobSpecInput, label?: string) => Promise<string>;
  cancel: (jobId: string) => Promise<boolean>;
  onEnd: (listener: EndListener) => () => void;
}

const JobsContext = createContext<JobsContextValue | null>(null);

function blank(jobId: string): JobView {
  return { jobId, status: 'running', done: 0, total: 0, etaSeconds: null, progressEvents: 0 };
}

export function JobsProvider({ children }: { children: ReactNode }) {
  const { client } = useClient();
  // The jobs live in a ref (events mutate it, listeners read it at once); `version` re-renders.
  const store = useRef(new Map<string, JobView>());
  const [version, setVersion] = useState(0);
  const listeners = useRef(new Set<EndListener>());

  const update = useCallback((jobId: string, change: (job: JobView) => JobView): JobView => {
    const job = change(store.current.get(jobId) ?? blank(jobId));
    store.current.set(jobId, job);
    setVersion((v) => v + 1);
    return job;
  }, []);

  const refreshList = useCallback(async () => {
    try {
      const { jobs } = await client.invoke('jobs.list', {});
      for (const j of jobs) {
        update(j.jobId, (old) => ({
          ...old, ...j, etaSeconds: old.etaSeconds, label: old.label, progressEvents: old.progressEvents,
          // A job already ended here keeps its final state: the list may be older than the event.
          status: old.status !== 'running' ? old.status : j.status,
        }));
      }
    } catch {
      // A failed list leaves the jobs started in this window; the events keep them current.
    }
  }, [client, update]);

  useEffect(() => {
    const ended = (job: JobView) => {
      for (const l of listeners.current) l(job);
    };
    const offs = [
      client.on('job.progress', (p) => {
        update(p.jobId, (j) => ({
          ...j, done: p.done, total: p.total, etaSeconds: p.etaSeconds, message: p.message ?? j.message,
          progressEvents: j.status === 'running' ? j.progressEvents + 1 : j.progressEvents,
        }));
      }),
      client.on('job.done', (e) => {
        ended(update(e.jobId, (j) => ({ ...j, kind: e.kind, caseId: e.caseId ?? j.caseId, status: 'done', result: e.result, done: j.total || j.done, etaSeconds: 0 })));
      }),
      client.on('job.failed', (e) => {
        ended(update(e.jobId, (j) => ({ ...j, kind: e.kind, caseId: e.caseId ?? j.caseId, status: e.cancelled ? 'cancelled' : 'failed', error: e.error, etaSeconds: null })));
      }),
    ];
    void refreshList();
    return () => offs.forEach((off) => off());
  }, [client, update, refreshList]);

  const start = useCallback(
    async (spec: JobSpecInput, label?: string) => {
      const { jobId } = await client.invoke('jobs.start', spec);
      const caseId = 'caseId' in spec ? spec.caseId : undefined;
      update(jobId, (j) => ({ ...j, kind: spec.kind, ...(caseId ? { caseId } : {}), startedAt: j.startedAt ?? new Date().toISOString(), ...(label ? { label } : {}) }));
      return jobId;
    },
    [client, update],
  );

  const cancel = useCallback(async (jobId: string) => (await client.invoke('jobs.cancel', { jobId })).cancelled, [client]);

  const onEnd = useCallback((listener: EndListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  // Newest first (a job seen before its start time is known counts as new).
  const jobs = useMemo(
    () => [...store.current.values()].reverse().sort((a, b) => (b.startedAt ?? '\uffff').localeCompare(a.startedAt ?? '\uffff')),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` stands for the ref's content
    [version],
  );
  const value = useMemo(() => ({ jobs, start, cancel, onEnd }), [jobs, start, cancel, onEnd]);
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

export function useJobs(): JobsContextValue {
  const ctx = useContext(JobsContext);
  if (!ctx) throw new Error('useJobs() needs a <JobsProvider> above it');
  return ctx;
}

/** Calls `onEnd` whenever a job of this case (or, without a case, any job) ends. */
export function useJobEnd(caseId: string | undefined, onEnd: EndListener): void {
  const { onEnd: subscribe } = useJobs();
  const ref = useRef(onEnd);
  ref.current = onEnd;
  useEffect(() => subscribe((job) => (caseId === undefined || job.caseId === caseId ? ref.current(job) : undefined)), [subscribe, caseId]);
}

/** The newest job of these kinds for this case (what a tab shows its progress bar for). */
export function useLatestJob(caseId: string, kinds: readonly JobKind[]): JobView | undefined {
  const { jobs } = useJobs();
  return jobs.find((j) => j.caseId === caseId && j.kind !== undefined && kinds.includes(j.kind));
}
