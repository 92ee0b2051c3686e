/**
 * Writing an artefact directory (a model, a trigger set) so that a crash never leaves a half-written
 * one: files go to a sibling temp directory, are flushed, and the directory is renamed into place
 * (an existing one is moved aside first and removed after). Readers see the old directory or the
 * new one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Creates `file` (must not exist), writes `data` and flushes it to disk. */
export async function writeDurably(file: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes renames durable on POSIX; best effort (directories cannot be opened for sync on Windows). */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => null);
  await fh?.sync().catch(() => undefined);
  await fh?.close();
}

/**
 * Fills a fresh temp directory with `fill(tmp)` and atomically puts it at `target` (absolute),
 * replacing what was there. The caller has checked that replacing is allowed.
 */
export async function replaceDirectoryAtomically(target: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const existing = await stat(target).catch(() => null);
  await mkdir(dirname(target), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${target}.tmp-${tag}`;
  await mkdir(tmp);
  try {
    await fill(tmp);
    await syncDir(tmp);
    if (existing && (await readdir(target)).length === 0) {
      await rmdir(target);
      await rename(tmp, target);
    } else if (existing) {
      const old = `${target}.old-${tag}`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    await syncDir(dirname(target));
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
