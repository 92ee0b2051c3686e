/** The replay job: the arbiter's check of a signed bundle on a suspect (replayBundle), bit for bit. */
import { replayBundle } from '../../evidence/replay.ts';
import type { TaskContext } from '../../jobs/job-runner.ts';
import type { TaskOf } from './types.ts';

export async function replayTask(t: TaskOf<'replay'>, ctx: TaskContext) {
  const r = await replayBundle({
    bundle: t.bundle, suspect: t.suspect, ...(t.labelsOnly !== undefined ? { labelsOnly: t.labelsOnly } : {}), trust: t.trust,
    signal: ctx.signal, onProgress: (p) => ctx.progress(p),
  });
  return {
    reproduced: r.reproduced, original: r.original, replayed: r.replayed, differences: r.differences, notes: r.notes,
    signer: { fingerprint: r.signer.fingerprint, trusted: r.signer.trusted, note: r.signer.note }, bundleSha256: r.bundleSha256, queries: r.queries,
  };
}
