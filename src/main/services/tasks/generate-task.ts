/** The generate job: a trigger set made with one method and recorded in the case (generateInCase). */
import type { TaskContext } from '../../jobs/job-runner.ts';
import { generateInCase } from '../generate-in-case.ts';
import { WORKBENCH_ACTOR, type TaskOf } from './types.ts';

export async function generateTask(t: TaskOf<'generate'>, ctx: TaskContext) {
  const { result, runId, triggerSetId } = await generateInCase(
    t.caseDir,
    {
      method: t.method, sourceDir: t.sourceDir, ...(t.poolDir ? { poolDir: t.poolDir } : {}), params: t.params, seed: t.seed, outDir: t.outDir,
      signal: ctx.signal, onProgress: (p) => ctx.progress(p),
    },
    WORKBENCH_ACTOR,
  );
  return {
    runId, triggerSetId, dir: result.saved!.dir, sha256: result.saved!.sha256, method: result.set.method, triggers: result.set.labels.length,
    seconds: result.seconds, params: result.set.params, poolSkipped: result.poolSkipped,
  };
}
