/**
 * The JobHost, whatever runs the work: it keeps the job records, queues jobs that write the same
 * case (or folder) behind one another, starts one worker per job through a JobLauncher, turns the
 * worker's messages into `job.progress` / `job.done` / `job.failed` events, and guarantees that each
 * job ends exactly once — with a result, with an error, cancelled, or with the reason its worker
 * died.
 *
 * Cancel: the worker is asked to stop (it aborts its AbortSignal; our jobs honour it and leave the
 * case consistent, e.g. a verification 'partial' and resumable) and is ended after a grace period if
 * it has not stopped by then.
 */
import { randomUUID } from 'node:crypto';
import type { JobSpec } from '../../shared/workbench-contract.ts';
import type { ServerEventBus } from '../bridge/events.ts';
import { KeyedLocks } from './keyed-locks.ts';
import { ProgressMeter } from './progress-meter.ts';
import type { FromWorker, JobHost, JobLauncher, JobProcess, JobView, PreparedJob } from './types.ts';

export interface JobManagerOptions {
  launch: JobLauncher;
  events: ServerEventBus;
  /** Checks a spec and works out the worker's payload and the job's locks; throws naming the field. */
  prepare: (jobId: string, spec: JobSpec) => PreparedJob | Promise<PreparedJob>;
  /** How long a cancelled worker may take to stop before it is ended (default 5 s). */
  graceMs?: number;
  /** Least time between two progress events of a job (default 100 ms). */
  progressIntervalMs?: number;
  /** Finished jobs kept for jobs.list (default 200). */
  keep?: number;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: string; cancelled: boolean };

interface JobState {
  view: JobView;
  meter: ProgressMeter;
  proc?: JobProcess;
  exited: boolean;
  ended: boolean;
  cancelRequested: boolean;
  killTimer?: ReturnType<typeof setTimeout>;
  release?: () => void;
  settled: Promise<JobView>;
  resolve: (v: JobView) => void;
}

const describe = (v: JobView) => `job ${v.jobId.slice(0, 8)} (${v.kind})`;

export class JobManager implements JobHost {
  readonly #jobs = new Map<string, JobState>();
  readonly #locks = new KeyedLocks();
  readonly #graceMs: number;
  readonly #intervalMs: number;
  readonly #keep: number;

  constructor(private readonly opts: JobManagerOptions) {
    this.#graceMs = opts.graceMs ?? 5000;
    this.#intervalMs = opts.progressIntervalMs ?? 100;
    this.#keep = opts.keep ?? 200;
  }

  async start(spec: JobSpec): Promise<{ jobId: string }> {
    const jobId = randomUUID();
    const prepared = await this.opts.prepare(jobId, spec);
    let resolve!: (v: JobView) => void;
    const settled = new Promise<JobView>((r) => (resolve = r));
    const caseId = 'caseId' in spec ? spec.caseId : undefined;
    const state: JobState = {
      view: { jobId, kind: spec.kind, ...(caseId ? { caseId } : {}), status: 'running', startedAt: new Date().toISOString(), done: 0, total: 0 },
      meter: new ProgressMeter(performance.now(), this.#intervalMs),
      exited: false, ended: false, cancelRequested: false, settled, resolve,
    };
    this.#jobs.set(jobId, state);
    this.#prune();
    void this.#run(state, prepared);
    return { jobId };
  }

  cancel(jobId: string): boolean {
    const s = this.#jobs.get(jobId);
    if (!s || s.ended) return false;
    s.cancelRequested = true;
    if (!s.proc) {
      this.#finish(s, { ok: false, error: 'cancelled before it started', cancelled: true });
      return true;
    }
    s.proc.send({ type: 'cancel' });
    s.killTimer ??= setTimeout(() => {
      if (s.ended) return;
      s.proc?.kill();
      this.#finish(s, { ok: false, error: `cancelled (the worker did not stop within ${this.#graceMs / 1000} s and was ended)`, cancelled: true });
    }, this.#graceMs);
    return true;
  }

  list(caseId?: string): JobView[] {
    return [...this.#jobs.values()]
      .map((s) => s.view)
      .filter((v) => caseId === undefined || v.caseId === caseId)
      .map((v) => structuredClone(v));
  }

  settled(jobId: string): Promise<JobView> {
    const s = this.#jobs.get(jobId);
    if (!s) return Promise.reject(new Error(`no job ${jobId}`));
    return s.settled.then((v) => structuredClone(v));
  }

  holder(lock: string): string | undefined {
    return this.#locks.holder(lock);
  }

  async close(): Promise<void> {
    const running = [...this.#jobs.values()].filter((s) => !s.ended);
    for (const s of running) this.cancel(s.view.jobId);
    await Promise.all(running.map((s) => s.settled));
  }

  async #run(s: JobState, prepared: PreparedJob): Promise<void> {
    const waitingFor = [...new Set(prepared.locks.map((k) => this.#locks.holder(k)).filter(Boolean))];
    if (waitingFor.length) s.view.message = `waiting for ${waitingFor.join(', ')}`;
    s.release = await this.#locks.acquire(prepared.locks, describe(s.view));
    if (s.ended) return s.release(); // cancelled while it waited
    delete s.view.message;
    let proc: JobProcess;
    try {
      proc = this.opts.launch();
    } catch (err) {
      return this.#finish(s, { ok: false, error: `could not start a worker: ${(err as Error).message}`, cancelled: false });
    }
    s.proc = proc;
    proc.onMessage((msg) => this.#onMessage(s, msg));
    proc.onExit((reason) => {
      s.exited = true;
      if (s.ended) return;
      this.#finish(s, s.cancelRequested
        ? { ok: false, error: 'cancelled', cancelled: true }
        : { ok: false, error: `the job's worker ended before the job did: ${reason ?? 'no reason given'}`, cancelled: false });
    });
    proc.send({ type: 'start', payload: prepared.payload });
  }

  #onMessage(s: JobState, msg: FromWorker): void {
    if (s.ended) return;
    if (msg.type === 'progress') {
      const ev = s.meter.update(msg);
      if (!ev) return;
      Object.assign(s.view, { done: ev.done, total: ev.total });
      if (ev.message) s.view.message = ev.message;
      this.opts.events.emit('job.progress', { jobId: s.view.jobId, ...ev });
    } else if (msg.type === 'done') {
      this.#finish(s, { ok: true, result: msg.result });
    } else if (msg.type === 'failed') {
      this.#finish(s, { ok: false, error: msg.error, cancelled: msg.cancelled || s.cancelRequested });
    }
  }

  #finish(s: JobState, outcome: Outcome): void {
    if (s.ended) return;
    s.ended = true;
    clearTimeout(s.killTimer);
    const v = s.view;
    const base = { jobId: v.jobId, kind: v.kind, ...(v.caseId ? { caseId: v.caseId } : {}) };
    try {
      if (outcome.ok) {
        const total = v.total || 1;
        if (v.done < total) {
          // The bar ends full, whatever the worker last reported.
          Object.assign(v, { done: total, total });
          this.opts.events.emit('job.progress', { jobId: v.jobId, done: total, total, etaSeconds: 0 });
        }
        Object.assign(v, { status: 'done', result: outcome.result });
        this.opts.events.emit('job.done', { ...base, result: outcome.result });
      } else {
        Object.assign(v, { status: outcome.cancelled ? 'cancelled' : 'failed', error: outcome.error });
        this.opts.events.emit('job.failed', { ...base, error: outcome.error, cancelled: outcome.cancelled });
      }
    } catch (err) {
      console.error(`${describe(v)}: could not send its final event:`, err);
    } finally {
      s.release?.();
      if (s.proc && !s.exited) s.proc.kill();
      s.resolve(v);
    }
  }

  /** Forgets the oldest finished jobs beyond `keep`. */
  #prune(): void {
    const finished = [...this.#jobs.values()].filter((s) => s.ended);
    for (const s of finished.slice(0, Math.max(0, finished.length - this.#keep))) this.#jobs.delete(s.view.jobId);
  }
}
