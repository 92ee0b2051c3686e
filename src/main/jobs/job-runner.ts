/**
 * The worker side of a job, over any message port (a worker thread's parentPort, a utility
 * process's process.parentPort): wait for `start`, run the task with an AbortSignal that `cancel`
 * aborts, forward its progress, and end with exactly one `done` (a plain-JSON result) or `failed`
 * message. Main ends the worker after the final message.
 */
import type { FromWorker, ToWorker } from './types.ts';

export interface WorkerPort {
  post(msg: FromWorker): void;
  onMessage(listener: (msg: ToWorker) => void): void;
}

export interface TaskContext {
  signal: AbortSignal;
  progress(p: { done: number; total: number; message?: string; etaSeconds?: number }): void;
  /** A line for the job's message (e.g. "model 3 of 13 built"). */
  log(line: string): void;
}

export type TaskRunner = (payload: unknown, ctx: TaskContext) => Promise<unknown>;

/** Results cross a process boundary and are kept as evidence of what a job answered: plain JSON only. */
export function plainJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

export function serveJob(port: WorkerPort, runTask: TaskRunner): void {
  const controller = new AbortController();
  let started = false;
  let last = { done: 0, total: 0 };
  port.onMessage((msg) => {
    if (msg.type === 'cancel') {
      controller.abort(new Error('cancelled'));
      return;
    }
    if (msg.type !== 'start' || started) return;
    started = true;
    const ctx: TaskContext = {
      signal: controller.signal,
      progress: (p) => {
        last = { done: p.done, total: p.total };
        port.post({ type: 'progress', ...p });
      },
      log: (line) => port.post({ type: 'progress', ...last, message: line }),
    };
    runTask(msg.payload, ctx).then(
      (result) => {
        let plain: unknown;
        try {
          plain = plainJson(result);
        } catch (err) {
          port.post({ type: 'failed', error: `the job's result is not plain JSON: ${(err as Error).message}`, cancelled: false });
          return;
        }
        port.post({ type: 'done', result: plain });
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        port.post({ type: 'failed', error: message || 'failed', cancelled: controller.signal.aborted });
      },
    );
  });
}
