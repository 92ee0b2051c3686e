import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireWriterLock } from '../../../src/main/store/case-lock.ts';
import { openCase } from '../../../src/main/store/case-store.ts';
import { tmp } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('writer lock', () => {
  it('a second writer in the same process is refused until the first releases', () => {
    const dir = tmp('lock-');
    const a = acquireWriterLock(dir);
    expect(() => acquireWriterLock(dir)).toThrow(/open for writing by another process/);
    a.release();
    a.release(); // idempotent
    acquireWriterLock(dir).release();
  });

  it('is held by another process while it lives, and freed by the OS when it is killed with SIGKILL', async () => {
    const dir = join(tmp('lock-'), 'case');
    openCase(dir, { create: { name: 'c' } }).close();
    const script = join(tmp('lock-'), 'hold.mts');
    writeFileSync(script, `import { openCase } from ${JSON.stringify(join(ROOT, 'src/main/store/case-store.ts'))};\nopenCase(process.argv[2]);\nconsole.log('holding');\nsetInterval(() => {}, 1000);\n`);
    const child = spawn(process.execPath, [join(ROOT, 'bin/run-ts.mjs'), script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((ok, fail) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('holding') && ok());
        child.on('exit', (code) => fail(new Error(`holder exited early (${code})`)));
      });
      expect(() => openCase(dir)).toThrow(/open for writing by another process/);
      const reader = openCase(dir, { readOnly: true });
      expect(reader.info().name).toBe('c');
      reader.close();
    } finally {
      const exited = new Promise((ok) => child.on('exit', ok));
      child.kill('SIGKILL');
      await exited;
    }
    openCase(dir).close(); // no stale lock to clean up
  });
});
