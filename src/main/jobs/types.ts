/**
 * Long work (train, build a suite, generate, verify, replay, report, bundles) never runs in a
 * request: `jobs.start` answers a job id at once and the work runs in a worker — a worker thread for
 * the bridge and the CLI, a utilityProcess in Electron (a worker thread shares main's heap limit, so
 * an out-of-memory job would take the app down). One JobHost hides which.
 *
 * Every job ends exactly once: `job.done` with a plain-JSON result, or `job.failed` with the reason
 * (`cancelled: true` when it was cancelled). Progress arrives as `job.progress` events whose
 * done/total fraction never goes back.
 */
import type { z } from 'zod';
import type { JobSpec, jobSchema } from '../../shared/workbench-contract.ts';

export type JobKind = JobSpec['kind'];
/** A job as jobs.list shows it. */
export type JobView = z.output<typeof jobSchema>;

/** The messages main sends a job worker. */
export type ToWorker =
  | { type: 'start'; payload: unknown }
  | { type: 'cancel' };

/** The messages a job worker sends main. */
export type FromWorker =
  | { type: 'progress'; done: number; total: number; message?: string; etaSeconds?: number }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: string; cancelled: boolean };

/** One running worker, whatever it is (thread or process). */
export interface JobProcess {
  send(msg: ToWorker): void;
  onMessage(listener: (msg: FromWorker) => void): void;
  /** Called once when the worker has ended; `reason` says why when it ended abnormally. */
  onExit(listener: (reason: string | undefined) => void): void;
  /** Ends the worker at once (no cleanup inside it). */
  kill(): void;
}

/** Starts one worker for one job. */
export type JobLauncher = () => JobProcess;

/** What a job needs before it can start, worked out in main (paths checked, secrets resolved). */
export interface PreparedJob {
  /** What the worker receives (structured-clonable; may hold a secret: never logged or listed). */
  payload: unknown;
  /** Resources the job writes: jobs sharing a key run one after another (e.g. `case:<id>`). */
  locks: string[];
}

export interface JobHost {
  /** Starts a job; throws (naming the field) when the spec cannot be run. */
  start(spec: JobSpec): Promise<{ jobId: string }>;
  /** Asks a running or queued job to stop; false when no such job is still running. */
  cancel(jobId: string): boolean;
  list(caseId?: string): JobView[];
  /** Resolves with the job once it has ended. */
  settled(jobId: string): Promise<JobView>;
  /** Which running job holds a lock key, as words ("job 1a2b… (verify)"), if any. */
  holder(lock: string): string | undefined;
  /** Cancels every job and waits for them to end. */
  close(): Promise<void>;
}
