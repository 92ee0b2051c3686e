/**
 * A job's worker: a worker thread (bridge, CLI) or an Electron utility process. It serves one job
 * over whichever port it has and runs the workbench's tasks (src/main/services/tasks).
 */
import { parentPort } from 'node:worker_threads';
import { runTask } from '../services/tasks/index.ts';
import { serveJob } from './job-runner.ts';
import { threadPort, utilityPort, type UtilityParentPort } from './worker-ports.ts';

const utility = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
if (!parentPort && !utility) throw new Error('job-worker: started neither as a worker thread nor as a utility process');
serveJob(parentPort ? threadPort(parentPort) : utilityPort(utility!), runTask);
