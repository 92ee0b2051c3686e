import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdxUint8, parseIdx, readIdxFile } from '../../../../src/main/engine/data/idx.ts';
import { tempDir } from './fixtures.ts';

const tmp = tempDir('idx');
afterAll(tmp.cleanup);

describe('IDX parser', () => {
  const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
  const idx = encodeIdxUint8([2, 3, 4], pixels);

  it('reads a plain uint8 file: header, dims and data', () => {
    const path = join(tmp.dir, 'plain-idx3-ubyte');
    writeFileSync(path, idx);
    const { raw, idx: parsed } = readIdxFile(path);
    expect(raw.length).toBe(4 + 3 * 4 + 24);
    expect(parsed.type).toBe(0x08);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
  });

  it('reads the same file gzip-compressed (detected by magic, not by name)', () => {
    const path = join(tmp.dir, 'compressed-idx3-ubyte.gz');
    writeFileSync(path, gzipSync(idx));
    const { idx: parsed } = readIdxFile(path);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
  });

  it('reads big-endian multi-byte types', () => {
    const bytes = new Uint8Array(4 + 4 + 8);
    const view = new DataView(bytes.buffer);
    bytes[2] = 0x0c; // int32
    bytes[3] = 1;
    view.setUint32(4, 2);
    view.setInt32(8, -5);
    view.setInt32(12, 70000);
    expect(Array.from(parseIdx(bytes, 'ints').data)).toEqual([-5, 70000]);
  });

  it('rejects a bad magic number, naming the file', () => {
    const path = join(tmp.dir, 'bad-magic-idx1-ubyte');
    const bad = idx.slice();
    bad[0] = 0x12;
    writeFileSync(path, bad);
    expect(() => readIdxFile(path)).toThrow(new RegExp(`${path}: bad IDX magic number 0x12000803`));
  });

  it('rejects an unknown element type, naming the file', () => {
    const bad = idx.slice();
    bad[2] = 0x07;
    expect(() => parseIdx(bad, 'weird.idx')).toThrow(/weird\.idx: bad IDX magic/);
  });

  it('rejects a truncated or oversized file with both sizes', () => {
    expect(() => parseIdx(idx.subarray(0, idx.length - 1), 'short.idx')).toThrow(/short\.idx: IDX size mismatch.*need 40 bytes, file has 39 \(truncated\?\)/);
    const long = new Uint8Array(idx.length + 3);
    long.set(idx);
    expect(() => parseIdx(long, 'long.idx')).toThrow(/long\.idx: IDX size mismatch/);
    expect(() => parseIdx(new Uint8Array([0, 0]), 'tiny.idx')).toThrow(/tiny\.idx: not an IDX file/);
  });

  it('rejects corrupt gzip, naming the file', () => {
    const gz = gzipSync(idx);
    const broken = gz.subarray(0, gz.length - 10);
    expect(() => parseIdx(broken, 'broken.gz')).toThrow(/broken\.gz: corrupt gzip data/);
  });
});
