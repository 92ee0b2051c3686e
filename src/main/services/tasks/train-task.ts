/** The train job: a source model (trainSourceModel, the CLI's `train`), taken into the case as its source. */
import { trainSourceModel } from '../../engine/models/train-source.ts';
import type { TaskContext } from '../../jobs/job-runner.ts';
import { openCase } from '../../store/index.ts';
import { WORKBENCH_ACTOR, type TaskOf } from './types.ts';

export async function trainTask(t: TaskOf<'train'>, ctx: TaskContext) {
  const r = await trainSourceModel(
    { dataset: t.dataset, arch: t.arch, seed: t.seed, out: t.outDir, train: t.epochs ? { epochs: t.epochs } : {} },
    {
      signal: ctx.signal,
      log: ctx.log,
      onProgress: (p) => ctx.progress({
        done: (p.epoch - 1) * p.batches + p.batch, total: p.epochs * p.batches, etaSeconds: p.etaSeconds,
        message: `epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(3)}, accuracy ${(p.accuracy * 100).toFixed(1)}%`,
      }),
    },
  );
  let exhibitId: number | undefined;
  if (t.caseDir) {
    const store = openCase(t.caseDir, { actor: WORKBENCH_ACTOR });
    try {
      exhibitId = (await store.addExhibit({ role: 'source', path: r.saved.dir, notes: `trained by the workbench: ${t.dataset} ${t.arch} seed ${t.seed}` })).id;
    } finally {
      store.close();
    }
  }
  return {
    dir: r.saved.dir, sha256: r.saved.sha256, testAccuracy: r.testAccuracy, testSize: r.splits.test.indices.length,
    seconds: r.train.seconds, backend: r.meta.engine?.backend ?? null, ...(exhibitId !== undefined ? { exhibitId } : {}),
  };
}
