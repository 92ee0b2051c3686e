/**
 * The bridge's and the CLI's JobLauncher: one worker thread per job, started from
 * job-worker-boot.mjs, which registers the TypeScript loader in the new thread (the way the suite
 * builder starts its workers). A worker that throws outside the task or exits early is reported
 * through onExit with the reason; kill() terminates the thread.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, JobLauncher, JobProcess } from './types.ts';

export interface ThreadLauncherOptions {
  /** The worker's entry module (default: job-worker-boot.mjs next to this file). */
  entry?: URL;
  /** Data every worker of this launcher gets as workerData (tests pick their fake tasks with it). */
  workerData?: unknown;
}

export function threadLauncher(opts: ThreadLauncherOptions = {}): JobLauncher {
  const entry = opts.entry ?? new URL('./job-worker-boot.mjs', import.meta.url);
  return (): JobProcess => {
    const worker = new Worker(entry, { workerData: opts.workerData });
    let error: string | undefined;
    let exited: string | undefined | null = null;
    const exitListeners: ((reason: string | undefined) => void)[] = [];
    worker.on('error', (err) => (error = err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => {
      exited = error ?? (code === 0 ? 'it exited without a result' : `it exited with code ${code}`);
      for (const l of exitListeners) l(exited);
    });
    return {
      send: (msg) => worker.postMessage(msg),
      onMessage: (listener) => void worker.on('message', (m: FromWorker) => listener(m)),
      onExit: (listener) => {
        if (exited !== null) listener(exited);
        else exitListeners.push(listener);
      },
      kill: () => void worker.terminate(),
    };
  };
}
