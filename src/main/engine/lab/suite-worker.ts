/**
 * A worker thread of the suite builder: initialises its own tfjs backend, loads the lab environment
 * once, then builds the recipes it is sent, one at a time, reporting progress. Started through
 * suite-worker-boot.mjs, which registers the TypeScript loader in the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendChoice } from '../tensor/backend.ts';
import { buildModelRecipe } from './build-recipe.ts';
import { loadLabEnv, type LabEnvRequest } from './lab-env.ts';
import type { Recipe } from './recipes.ts';

const port = parentPort!;
const { env: request, backend } = workerData as { env: LabEnvRequest; backend: BackendChoice };

try {
  await initBackend(backend);
  const env = await loadLabEnv(request);
  port.on('message', async (msg: { type: 'build'; recipe: Recipe }) => {
    try {
      const entry = await buildModelRecipe(env, msg.recipe, { onProgress: (p) => port.postMessage({ type: 'progress', id: msg.recipe.id, p }) });
      port.postMessage({ type: 'done', id: msg.recipe.id, entry });
    } catch (err) {
      port.postMessage({ type: 'error', id: msg.recipe.id, message: (err as Error).message ?? String(err) });
    }
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'fatal', message: (err as Error).message ?? String(err) });
}
