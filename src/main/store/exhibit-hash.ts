/**
 * How an exhibit is fingerprinted at intake and re-checked by `check()`.
 *
 *  - A file: SHA-256 of its bytes (`sha256sum FILE`).
 *  - A directory: SHA-256 of the text made of one line "<sha256>  <relative path>\n" per file below
 *    it (recursively; '/' separators; sorted by path in byte order), the convention the model and
 *    trigger-set directories already use for their SHA256SUMS. With GNU tools:
 *      cd DIR && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' '\0' | xargs -0 sha256sum | sha256sum
 *    Empty directories do not count (nothing to hash). A symbolic link or any other non-regular
 *    entry is refused: what it points to can change without the exhibit changing.
 *
 * The per-file list of a directory is kept with the exhibit so a later check can name the file that
 * changed, disappeared or appeared, not just say that "the directory" differs.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export interface ExhibitFileEntry {
  /** Relative to the exhibit directory, '/'-separated. */
  path: string;
  size: number;
  sha256: string;
}

export interface ExhibitHash {
  kind: 'file' | 'directory';
  /** Bytes (a directory: the sum over its files). */
  size: number;
  sha256: string;
  /** Directories only: every file, sorted by path. */
  files?: ExhibitFileEntry[];
}

export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The SHA-256 of a directory's sorted "<sha256>  <path>\n" lines (entries must be sorted already). */
export function directoryDigest(files: readonly ExhibitFileEntry[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.sha256}  ${f.path}\n`);
  return h.digest('hex');
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every regular file below `dir` (relative '/' paths, byte order); refuses links and odd names. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (/[\n\r\\]/.test(e.name)) throw new Error(`${join(dir, rel)}: a file name with a line break or backslash cannot be listed in a hash manifest; rename it`);
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile()) out.push(rel);
    else throw new Error(`${join(dir, rel)}: not a regular file or directory (a link or device); an exhibit directory must hold plain files only`);
  }
  return out;
}

export async function hashExhibit(path: string): Promise<ExhibitHash> {
  const st = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(e.code === 'ENOENT' ? `${path}: no such file or directory` : `${path}: ${e.message}`);
  });
  if (st.isFile()) return { kind: 'file', size: st.size, sha256: await hashFile(path) };
  if (!st.isDirectory()) throw new Error(`${path}: not a regular file or directory (a link or device); name the file it points to`);
  const rels = (await listFiles(path)).sort(byteOrder);
  const files: ExhibitFileEntry[] = [];
  for (const rel of rels) {
    const file = join(path, rel);
    files.push({ path: rel, size: (await lstat(file)).size, sha256: await hashFile(file) });
  }
  return { kind: 'directory', size: files.reduce((s, f) => s + f.size, 0), sha256: directoryDigest(files), files };
}
