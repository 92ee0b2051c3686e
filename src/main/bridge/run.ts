/**
 * Browser mode without Electron: `npm run web` builds the renderer and runs this, which starts the
 * bridge and prints the address to open (`--port N`, `--host H`, `--data DIR`; default 127.0.0.1 on a
 * free port, the data folder $PROVENANT_DATA or ~/.provenant). `provenant serve` does the same
 * without building.
 */
import { resolve } from 'node:path';
import { startBridge } from './server.ts';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(flag('port') ?? process.env['PROVENANT_PORT'] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer 0..65535, got "${flag('port')}"`);
  process.exit(2);
}
const data = flag('data');
const bridge = await startBridge({ port, host: flag('host'), ...(data ? { dataDir: resolve(data) } : {}) });
console.log(`Provenant bridge on ${bridge.url} (data folder ${bridge.workbench?.folder().root})\nOpen: ${bridge.appUrl}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void bridge.close().then(() => process.exit(0)));
}
