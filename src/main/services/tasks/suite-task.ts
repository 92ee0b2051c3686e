/**
 * The suite job: a suite of pirated and innocent models (or a generation pool, or a calibration
 * null) built around a source, in the case's suites/ folder. The builder resumes a folder it built
 * before, so a cancelled build goes on where it stopped when started again.
 */
import { buildSuite } from '../../engine/lab/suite-builder.ts';
import type { TaskContext } from '../../jobs/job-runner.ts';
import type { TaskOf } from './types.ts';

export async function suiteTask(t: TaskOf<'suite'>, ctx: TaskContext) {
  const m = await buildSuite({
    sourceDir: t.sourceDir, outDir: t.outDir, suiteSeed: t.seed, purpose: t.purpose, preset: t.preset, signal: ctx.signal,
    log: ctx.log,
    onProgress: (p) => {
      // Percent of each model: finished models count 100, those being built their own share.
      const running = p.running.reduce((a, r) => a + (r.p && r.p.total > 0 ? Math.floor((100 * r.p.done) / r.p.total) : 0), 0);
      const message = p.last
        ? `${p.done}/${p.total} models; ${p.last.id} (${p.last.role}) test accuracy ${(p.last.testAccuracy * 100).toFixed(1)}%`
        : `${p.done}/${p.total} models; building ${p.running.map((r) => r.id).join(', ')}`;
      ctx.progress({ done: 100 * p.done + running, total: 100 * p.total, etaSeconds: p.etaSeconds, message });
    },
  });
  const positives = m.models.filter((e) => e.role === 'positive').length;
  return { dir: t.outDir, purpose: m.purpose, preset: m.preset, positives, negatives: m.models.length - positives, complete: m.complete, seconds: m.seconds };
}
