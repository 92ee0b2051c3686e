/**
 * Runs one workbench task inside a job worker: initialises this worker's compute backend, then
 * hands the payload to the task of its kind. Each task reports progress on one done/total scale and
 * returns a plain-JSON result (the shapes are listed in docs/decisions/workbench-contract.md).
 */
import { initBackend, parseBackendChoice } from '../../engine/tensor/backend.ts';
import type { TaskContext } from '../../jobs/job-runner.ts';
import { bundleExportTask, bundleImportTask, reportTask } from './evidence-tasks.ts';
import { generateTask } from './generate-task.ts';
import { replayTask } from './replay-task.ts';
import { suiteTask } from './suite-task.ts';
import { trainTask } from './train-task.ts';
import type { TaskPayload } from './types.ts';
import { verifyTask } from './verify-task.ts';

export async function runTask(payload: unknown, ctx: TaskContext): Promise<unknown> {
  const p = payload as TaskPayload;
  await initBackend(p.backend === 'auto' ? undefined : parseBackendChoice(p.backend, 'settings.backend'));
  switch (p.kind) {
    case 'train': return trainTask(p, ctx);
    case 'suite': return suiteTask(p, ctx);
    case 'generate': return generateTask(p, ctx);
    case 'verify': return verifyTask(p, ctx);
    case 'replay': return replayTask(p, ctx);
    case 'report': return reportTask(p, ctx);
    case 'bundle-export': return bundleExportTask(p, ctx);
    case 'bundle-import': return bundleImportTask(p, ctx);
    default: throw new Error(`unknown job kind ${JSON.stringify((p as { kind?: unknown }).kind)}`);
  }
}
