/**
 * A job's worker: a worker thread (bridge, CLI) or an Electron utility process. It serves one job
 * over whichever port it has and runs the workbench's tasks (src/main/services/tasks).
 */
import { parentPort } from 'node:worker_threads';
import { runTask } from '../services/tasks/index.ts';
import { serveJob, type WorkerPort } from './job-runner.ts';
import type { FromWorker, ToWorker } from './types.ts';

/** Electron's utility-process port (process.parentPort), typed here so this file needs no electron import. */
interface UtilityParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function port(): WorkerPort {
  if (parentPort) {
    const p = parentPort;
    return { post: (msg: FromWorker) => p.postMessage(msg), onMessage: (l) => void p.on('message', (m: ToWorker) => l(m)) };
  }
  const utility = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
  if (!utility) throw new Error('job-worker: started neither as a worker thread nor as a utility process');
  return { post: (msg) => utility.postMessage(msg), onMessage: (l) => utility.on('message', (e) => l(e.data as ToWorker)) };
}

serveJob(port(), runTask);
