/**
 * The utilityProcess launcher's message protocol without Electron: a fake `utilityProcess.fork`
 * whose child is the real worker side (serveJob over utilityPort, i.e. process.parentPort with
 * MessageEvents) running in this process, messages structured-cloned both ways as Electron does.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../src/shared/workbench-contract.ts';
import { ServerEventBus } from '../../../src/main/bridge/events.ts';
import { jobWorkerEntry, utilityLauncher, type ForkLike, type UtilityProcessLike } from '../../../src/main/electron/utility-launcher.ts';
import { JobManager } from '../../../src/main/jobs/job-manager.ts';
import { serveJob, type TaskRunner } from '../../../src/main/jobs/job-runner.ts';
import { utilityPort } from '../../../src/main/jobs/worker-ports.ts';

const tasks: TaskRunner = async (payload, ctx) => {
  const p = payload as { task: string };
  if (p.task === 'count') {
    for (let i = 1; i <= 3; i++) {
      await new Promise((r) => setTimeout(r, 2));
      ctx.progress({ done: i, total: 3 });
    }
    return { counted: 3 };
  }
  if (p.task === 'wait-abort') {
    ctx.progress({ done: 1, total: 2 });
    return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('verify: cancelled')), { once: true }));
  }
  return new Promise(() => {}); // 'hang': the test makes the child die
};

/** A fake utilityProcess.fork: the child is serveJob over a fake process.parentPort. */
function fakeFork() {
  const children: (UtilityProcessLike & EventEmitter & { killed: boolean; forkedWith: unknown[] })[] = [];
  const fork: ForkLike = (modulePath, args, options) => {
    const child = Object.assign(new EventEmitter(), { killed: false, forkedWith: [modulePath, args, options] }) as unknown as (typeof children)[number];
    const parentPort = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void };
    parentPort.postMessage = (m) => queueMicrotask(() => !child.killed && child.emit('message', structuredClone(m)));
    child.postMessage = (m) => queueMicrotask(() => parentPort.emit('message', { data: structuredClone(m) }));
    child.kill = () => {
      if (child.killed) return false;
      child.killed = true;
      queueMicrotask(() => child.emit('exit', 15));
      return true;
    };
    serveJob(utilityPort(parentPort), tasks);
    children.push(child);
    return child;
  };
  return { fork, children };
}

function setup() {
  const { fork, children } = fakeFork();
  const events = new ServerEventBus();
  const log: { event: string; payload: any }[] = [];
  events.subscribe((event, payload) => log.push({ event, payload }));
  const jobs = new JobManager({ launch: utilityLauncher(fork, '/app/out/main/job-worker.js'), events, graceMs: 200, progressIntervalMs: 0, prepare: (_id, spec) => ({ payload: (spec as any).fake, locks: [] }) });
  const start = (task: string) => jobs.start({ kind: 'verify', fake: { task } } as unknown as JobSpec).then((r) => r.jobId);
  return { jobs, children, log, start };
}

describe('utilityProcess launcher (faked Electron)', () => {
  it('runs a job in a child forked from the worker entry: progress, one job.done, the child ended', async () => {
    const { jobs, children, log, start } = setup();
    const id = await start('count');
    const view = await jobs.settled(id);
    expect(view).toMatchObject({ status: 'done', result: { counted: 3 }, done: 3, total: 3 });
    expect(children[0].forkedWith).toEqual(['/app/out/main/job-worker.js', [], { serviceName: 'Provenant job', stdio: 'inherit' }]);
    expect(log.map((e) => e.event)).toEqual(['job.progress', 'job.progress', 'job.progress', 'job.done']);
    expect(children[0].killed).toBe(true); // main ends the child after the final message
  });

  it('cancel reaches the child\'s AbortSignal; the job fails once, cancelled', async () => {
    const { jobs, log, start } = setup();
    const id = await start('wait-abort');
    while (!log.length) await new Promise((r) => setTimeout(r, 1));
    jobs.cancel(id);
    expect(await jobs.settled(id)).toMatchObject({ status: 'cancelled', error: 'verify: cancelled' });
    expect(log.filter((e) => e.event !== 'job.progress')).toEqual([{ event: 'job.failed', payload: expect.objectContaining({ cancelled: true }) }]);
  });

  it('a child that dies (fatal error, exit code) fails the job with the reason', async () => {
    const { jobs, children, start } = setup();
    const fatal = await start('hang');
    const exit = await start('hang');
    await new Promise((r) => setTimeout(r, 5));
    children[0].emit('error', 'FatalError', 'v8::OOM', '{}');
    children[0].emit('exit', 133);
    children[1].emit('exit', 9);
    expect(await jobs.settled(fatal)).toMatchObject({ status: 'failed', error: "the job's worker ended before the job did: FatalError at v8::OOM" });
    expect(await jobs.settled(exit)).toMatchObject({ status: 'failed', error: "the job's worker ended before the job did: it exited with code 9" });
  });
});

describe('jobWorkerEntry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-entry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers the bundled worker next to main, else the sources through tsx, else says what is missing', () => {
    mkdirSync(join(dir, 'out/main'), { recursive: true });
    mkdirSync(join(dir, 'src/main/jobs'), { recursive: true });
    writeFileSync(join(dir, 'src/main/jobs/job-worker-boot.mjs'), '');
    expect(jobWorkerEntry(join(dir, 'out/main'))).toBe(join(dir, 'src/main/jobs/job-worker-boot.mjs'));
    writeFileSync(join(dir, 'out/main/job-worker.js'), '');
    expect(jobWorkerEntry(join(dir, 'out/main'))).toBe(join(dir, 'out/main/job-worker.js'));
    expect(() => jobWorkerEntry(join(dir, 'a/b/c/d'))).toThrow(/the job worker is missing/);
    // From the sources (tests, tsx), the boot file next to the jobs module is found.
    expect(jobWorkerEntry()).toMatch(/src\/main\/jobs\/job-worker-boot\.mjs$/);
  });
});
