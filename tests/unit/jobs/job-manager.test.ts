/**
 * The JobManager over real worker threads running fake tasks (fixtures/fake-task-worker.ts): the
 * event stream of each job (monotone progress, exactly one final event), results as plain JSON,
 * cancel (cooperative, and by termination after the grace period), crashing workers, queued and
 * concurrent jobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEventName, ServerEvents } from '../../../src/shared/contract.ts';
import type { JobSpec } from '../../../src/shared/workbench-contract.ts';
import { ServerEventBus } from '../../../src/main/bridge/events.ts';
import { JobManager } from '../../../src/main/jobs/job-manager.ts';
import { threadLauncher } from '../../../src/main/jobs/thread-launcher.ts';

type Ev = { [E in ServerEventName]: { event: E; payload: ServerEvents[E]; at: number } }[ServerEventName];
type Fake = { task: string; n?: number; delayMs?: number };

function setup(graceMs = 2000) {
  const events = new ServerEventBus();
  const log: Ev[] = [];
  events.subscribe((event, payload) => log.push({ event, payload, at: performance.now() } as Ev));
  const jobs = new JobManager({
    launch: threadLauncher({ entry: new URL('./fixtures/fake-task-worker-boot.mjs', import.meta.url) }),
    events,
    graceMs,
    progressIntervalMs: 0,
    prepare: (_id, spec) => {
      const s = spec as unknown as { fake: Fake; locks?: string[] };
      if (s.fake.task === 'refuse') throw new Error('sourceDir: outside the data folder');
      return { payload: s.fake, locks: s.locks ?? [] };
    },
  });
  const start = (fake: Fake, locks?: string[]) => jobs.start({ kind: 'report', caseId: 'c', runId: 1, fake, locks } as unknown as JobSpec).then((r) => r.jobId);
  const of = (jobId: string) => log.filter((e) => e.payload.jobId === jobId);
  managers.push(jobs);
  return { jobs, log, start, of };
}
const managers: JobManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** The fraction never goes back, and exactly one final event ends the stream. */
function expectWellFormed(evs: Ev[]): Ev {
  const finals = evs.filter((e) => e.event !== 'job.progress');
  expect(finals).toHaveLength(1);
  expect(evs.at(-1)).toBe(finals[0]);
  let last = 0;
  for (const e of evs) {
    if (e.event !== 'job.progress') continue;
    const f = e.payload.total ? e.payload.done / e.payload.total : 0;
    expect(f).toBeGreaterThanOrEqual(last);
    last = f;
  }
  return finals[0];
}

describe('JobManager over worker threads', () => {
  it('a job reports monotone progress and ends with exactly one job.done carrying plain JSON', async () => {
    const { jobs, start, of } = setup();
    const id = await start({ task: 'count', n: 6 });
    const view = await jobs.settled(id);
    expect(view).toMatchObject({ status: 'done', done: 6, total: 6, result: { counted: 6, at: '1970-01-01T00:00:00.000Z' } });
    const final = expectWellFormed(of(id));
    expect(final).toMatchObject({ event: 'job.done', payload: { kind: 'report', caseId: 'c', result: { counted: 6 } } });
    const progress = of(id).filter((e) => e.event === 'job.progress');
    expect(progress.map((e) => (e.payload as ServerEvents['job.progress']).done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((progress.at(-1)!.payload as ServerEvents['job.progress']).etaSeconds).toBe(0);
    expect(jobs.cancel(id)).toBe(false); // already over
  }, 20_000);

  it('cancel: the worker aborts its signal and the job fails once with cancelled: true', async () => {
    const { jobs, start, of } = setup();
    const id = await start({ task: 'wait-abort' });
    while (!of(id).length) await new Promise((r) => setTimeout(r, 10));
    expect(jobs.cancel(id)).toBe(true);
    expect(jobs.cancel(id)).toBe(true); // a second request changes nothing
    const view = await jobs.settled(id);
    expect(view).toMatchObject({ status: 'cancelled', error: 'wait-abort: cancelled' });
    expect(expectWellFormed(of(id))).toMatchObject({ event: 'job.failed', payload: { cancelled: true, error: 'wait-abort: cancelled' } });
  }, 20_000);

  it('cancel: a worker that ignores its signal is ended after the grace period', async () => {
    const { jobs, start, of } = setup(300);
    const id = await start({ task: 'ignore-abort' });
    while (!of(id).length) await new Promise((r) => setTimeout(r, 10));
    jobs.cancel(id);
    const view = await jobs.settled(id);
    expect(view.status).toBe('cancelled');
    expect(view.error).toMatch(/did not stop within 0.3 s and was ended/);
    expectWellFormed(of(id));
  }, 20_000);

  it('a crashing worker becomes job.failed with the reason; so does one that exits', async () => {
    const { jobs, start, of } = setup();
    const crash = await start({ task: 'crash' });
    const exit = await start({ task: 'exit' });
    const [c, e] = await Promise.all([jobs.settled(crash), jobs.settled(exit)]);
    expect(c).toMatchObject({ status: 'failed', error: expect.stringMatching(/worker ended before the job did: segfault-like failure/) });
    expect(e).toMatchObject({ status: 'failed', error: expect.stringMatching(/exited with code 3/) });
    expect(expectWellFormed(of(crash))).toMatchObject({ event: 'job.failed', payload: { cancelled: false } });
    expectWellFormed(of(exit));
  }, 20_000);

  it('concurrent jobs run side by side; jobs sharing a lock run one after another', async () => {
    const { jobs, start, of } = setup();
    const a = await start({ task: 'count', n: 10, delayMs: 40 }, ['case:1']);
    const b = await start({ task: 'count', n: 10, delayMs: 40 }, ['case:2']);
    const queued = await start({ task: 'count', n: 2 }, ['case:1']);
    expect(jobs.list().find((j) => j.jobId === queued)!.message).toMatch(/^waiting for job [0-9a-f]{8} \(report\)$/);
    expect(jobs.holder('case:1')).toMatch(/\(report\)$/);
    await Promise.all([a, b, queued].map((id) => jobs.settled(id)));
    for (const id of [a, b, queued]) expect(expectWellFormed(of(id)).event).toBe('job.done');
    // a and b overlap: b reported progress before a ended; the queued job started after a ended.
    const end = (id: string) => of(id).at(-1)!.at;
    const first = (id: string) => of(id)[0].at;
    expect(first(b)).toBeLessThan(end(a));
    expect(first(queued)).toBeGreaterThan(end(a));
    expect(jobs.list()).toHaveLength(3);
    expect(jobs.holder('case:1')).toBeUndefined();
  }, 30_000);

  it('a job cancelled while it waits never starts; the one it waited for goes on', async () => {
    const { jobs, start, of } = setup();
    const a = await start({ task: 'count', n: 5, delayMs: 30 }, ['case:1']);
    const waiting = await start({ task: 'count', n: 2 }, ['case:1']);
    expect(jobs.cancel(waiting)).toBe(true);
    expect(await jobs.settled(waiting)).toMatchObject({ status: 'cancelled', error: 'cancelled before it started' });
    expect(of(waiting).map((e) => e.event)).toEqual(['job.failed']);
    expect((await jobs.settled(a)).status).toBe('done');
  }, 20_000);

  it('a spec that cannot run is refused by start, with no job and no event', async () => {
    const { jobs, start, log } = setup();
    await expect(start({ task: 'refuse' })).rejects.toThrow(/^sourceDir: /);
    expect(jobs.list()).toEqual([]);
    expect(log).toEqual([]);
  });
});
