// Entry of a job's worker thread (or Electron utility process): the worker gets its own module
// graph, so the TypeScript loader is registered here before the real worker module is imported.
import { register } from 'tsx/esm/api';

register();
await import('./job-worker.ts');
