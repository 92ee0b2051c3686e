#!/usr/bin/env node
// Runs the CLI straight from the TypeScript sources (tsx compiles on the fly), so a fresh clone
// needs no build step before `npm run demo` or `npx provenant`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
