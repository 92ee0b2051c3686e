import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashExhibit } from '../../../src/main/store/exhibit-hash.ts';
import { sha256Hex } from '../../../src/main/store/canonical.ts';
import { tmp } from './helpers.ts';

function sampleDir(): string {
  const d = tmp('exh-');
  mkdirSync(join(d, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(d, 'empty'));
  writeFileSync(join(d, 'b.bin'), Buffer.from([1, 2, 3]));
  writeFileSync(join(d, 'B.txt'), 'upper');
  writeFileSync(join(d, 'sub', 'a.txt'), 'hello\n');
  writeFileSync(join(d, 'sub', 'deeper', 'z'), '');
  return d;
}

describe('hashExhibit', () => {
  it('a file: SHA-256 of its bytes and its size', async () => {
    const f = join(tmp('exh-'), 'm.onnx');
    writeFileSync(f, 'abc');
    expect(await hashExhibit(f)).toEqual({ kind: 'file', size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
  });

  it('a directory: SHA-256 of "<sha256>  <path>\\n" lines sorted by path in byte order, per-file list kept', async () => {
    const d = sampleDir();
    const h = await hashExhibit(d);
    expect(h.kind).toBe('directory');
    expect(h.files!.map((f) => f.path)).toEqual(['B.txt', 'b.bin', 'sub/a.txt', 'sub/deeper/z']); // 'B' < 'b' in byte order
    expect(h.size).toBe(5 + 3 + 6 + 0);
    const lines = h.files!.map((f) => `${sha256Hex(f.path === 'b.bin' ? Buffer.from([1, 2, 3]) : f.path === 'B.txt' ? 'upper' : f.path === 'sub/a.txt' ? 'hello\n' : '')}  ${f.path}\n`).join('');
    expect(h.sha256).toBe(sha256Hex(lines));
  });

  it('matches the documented GNU coreutils pipeline', async () => {
    const d = sampleDir();
    const shell = `cd "${d}" && find . -type f | sed 's|^\\./||' | LC_ALL=C sort | tr '\\n' '\\0' | xargs -0 sha256sum | sha256sum`;
    const out = execFileSync('sh', ['-c', shell], { encoding: 'utf8' }).split(' ')[0];
    expect((await hashExhibit(d)).sha256).toBe(out);
  });

  it('refuses a link inside a directory, and a missing path, naming them', async () => {
    const d = sampleDir();
    symlinkSync(join(d, 'b.bin'), join(d, 'sub', 'link'));
    await expect(hashExhibit(d)).rejects.toThrow(/sub\/link: not a regular file/);
    await expect(hashExhibit(join(d, 'nope'))).rejects.toThrow(/nope: no such file or directory/);
  });
});
