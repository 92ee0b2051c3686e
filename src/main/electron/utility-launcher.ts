/**
 * Electron's JobLauncher: one utilityProcess per job (a worker thread would share main's heap limit,
 * so an out-of-memory job would take the whole app down). The child runs the same job worker as the
 * bridge's threads (src/main/jobs/job-worker.ts, which finds `process.parentPort`); messages are the
 * JobManager's protocol, exits and fatal errors become the reason a job failed.
 *
 * `fork` is utilityProcess.fork, passed in so this file is tested without Electron
 * (tests/unit/electron/utility-launcher.test.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromWorker, JobLauncher, JobProcess } from '../jobs/types.ts';

/** The part of Electron's UtilityProcess a launcher uses. */
export interface UtilityProcessLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
  kill(): boolean;
}

export type ForkLike = (modulePath: string, args?: string[], options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' }) => UtilityProcessLike;

/**
 * The worker's entry: the bundled one next to main (out/main/job-worker.js, when electron-vite
 * builds it as a second main entry), else the TypeScript sources through tsx (development).
 */
export function jobWorkerEntry(here = dirname(fileURLToPath(import.meta.url))): string {
  const candidates = [join(here, 'job-worker.js'), join(here, '../../src/main/jobs/job-worker-boot.mjs'), join(here, '../jobs/job-worker-boot.mjs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`the job worker is missing (looked for ${candidates.join(', ')})`);
  return found;
}

export function utilityLauncher(fork: ForkLike, entry: string): JobLauncher {
  return (): JobProcess => {
    const child = fork(entry, [], { serviceName: 'Provenant job', stdio: 'inherit' });
    let fatal: string | undefined;
    let exited: string | null = null;
    const exitListeners: ((reason: string | undefined) => void)[] = [];
    child.on('error', (type, location) => (fatal = `${type}${location ? ` at ${location}` : ''}`));
    child.on('exit', (code) => {
      exited = fatal ?? (code === 0 ? 'it exited without a result' : `it exited with code ${code}`);
      for (const l of exitListeners) l(exited);
    });
    return {
      send: (msg) => child.postMessage(msg),
      onMessage: (listener) => void child.on('message', (m) => listener(m as FromWorker)),
      onExit: (listener) => {
        if (exited !== null) listener(exited);
        else exitListeners.push(listener);
      },
      kill: () => void child.kill(),
    };
  };
}
