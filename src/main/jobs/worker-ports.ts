/**
 * The two ports a job worker can be reached through, as the WorkerPort serveJob speaks: a worker
 * thread's `parentPort` (messages are the data) and an Electron utility process's
 * `process.parentPort` (messages arrive wrapped in a MessageEvent: `{ data }`). Typed here by shape
 * so that nothing imports electron.
 */
import type { MessagePort } from 'node:worker_threads';
import type { WorkerPort } from './job-runner.ts';
import type { ToWorker } from './types.ts';

export interface UtilityParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export function threadPort(port: Pick<MessagePort, 'on' | 'postMessage'>): WorkerPort {
  return { post: (msg) => port.postMessage(msg), onMessage: (l) => void port.on('message', (m: ToWorker) => l(m)) };
}

export function utilityPort(port: UtilityParentPort): WorkerPort {
  return { post: (msg) => port.postMessage(msg), onMessage: (l) => void port.on('message', (e) => l(e.data as ToWorker)) };
}
