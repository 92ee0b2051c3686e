#!/usr/bin/env node
// Runs before `npm run demo` and `npm test`: on a fresh clone (no node_modules yet) it installs the
// locked dependencies with `npm ci`, so the README's quick start is exactly two commands. When the
// dependencies are present it does nothing and costs a few milliseconds.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('node_modules/.package-lock.json')) {
  console.error('provenant: dependencies are not installed yet; running "npm ci" once (better-sqlite3 builds from source, ~2 min)');
  const r = spawnSync('npm', ['ci'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
