/**
 * Trigger-set generation recorded in a case (`generate --case DIR`, the workbench's generate job):
 * the source (and the pool, when one is used) taken in as exhibits, a 'generate' run with the method, every parameter, the seed and
 * the engine, and the saved trigger set as an exhibit and a trigger-set row. A failure closes the
 * run as failed with its message; nothing is left half-recorded.
 */
import { runGenerate, type GenerateRequest, type GenerateResult } from '../engine/methods/generate-job.ts';
import { engineInfo } from '../engine/tensor/backend.ts';
import { openCase } from '../store/index.ts';

export async function generateInCase(caseDir: string, req: GenerateRequest & { outDir: string }, actor?: string): Promise<{ result: GenerateResult; runId: number; triggerSetId: number }> {
  const store = openCase(caseDir, { actor });
  try {
    const source = await store.addExhibit({ role: 'source', path: req.sourceDir });
    const pool = req.poolDir ? await store.addExhibit({ role: 'dataset', path: req.poolDir, notes: 'generation pool (lab models)' }) : undefined;
    const run = store.startRun({
      kind: 'generate', method: req.method, params: { ...req.params, sourceExhibit: source.id, ...(pool ? { poolExhibit: pool.id } : {}) }, seeds: { triggers: req.seed }, engine: engineInfo(),
    });
    try {
      const result = await runGenerate(req);
      const trig = await store.addExhibit({ role: 'trigger-set', path: result.saved!.dir });
      const ts = store.addTriggerSet({ exhibitId: trig.id, method: result.set.method, params: result.set.params, seed: result.set.seed, sha256: result.saved!.sha256 });
      store.finishRun(run.id, { status: 'complete', result: { triggerSet: ts.id, sha256: result.saved!.sha256, triggers: result.set.labels.length, seconds: result.seconds, params: result.set.params, poolSkipped: result.poolSkipped } });
      return { result, runId: run.id, triggerSetId: ts.id };
    } catch (err) {
      store.finishRun(run.id, { status: 'failed', error: (err as Error).message });
      throw err;
    }
  } finally {
    store.close();
  }
}
