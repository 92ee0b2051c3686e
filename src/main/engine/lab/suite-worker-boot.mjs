// Worker-thread entry of the suite builder: the worker gets its own module graph, so the
// TypeScript loader is registered here before the real worker module is imported.
import { register } from 'tsx/esm/api';

register();
await import('./suite-worker.ts');
