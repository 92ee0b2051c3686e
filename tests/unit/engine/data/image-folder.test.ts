import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resizeBilinear, toChannels } from '../../../../src/main/engine/data/image-decode.ts';
import { loadImageFolder } from '../../../../src/main/engine/data/image-folder.ts';
import { tempDir } from './fixtures.ts';

const tmp = tempDir('images');
afterAll(tmp.cleanup);

/** A solid-colour w x h RGBA image. */
function solid(w: number, h: number, [r, g, b, a]: number[]): { width: number; height: number; data: Buffer } {
  const data = Buffer.alloc(w * h * 4);
  for (let p = 0; p < w * h; p++) data.set([r, g, b, a], 4 * p);
  return { width: w, height: h, data };
}

function writePng(path: string, w: number, h: number, rgba: number[]): void {
  const png = new PNG({ width: w, height: h });
  solid(w, h, rgba).data.copy(png.data);
  writeFileSync(path, PNG.sync.write(png));
}

function writeJpeg(path: string, w: number, h: number, rgb: number[]): void {
  writeFileSync(path, jpeg.encode(solid(w, h, [...rgb, 255]), 95).data);
}

/** root/red (2 PNG + 1 JPEG, one .txt), root/blue (1 JPEG), root/notes.md at the top. */
function writeFolder(root: string): void {
  mkdirSync(join(root, 'red'), { recursive: true });
  mkdirSync(join(root, 'blue'));
  writePng(join(root, 'red', 'b.png'), 10, 6, [255, 0, 0, 255]);
  writePng(join(root, 'red', 'a.png'), 40, 40, [255, 0, 0, 0]); // fully transparent: alpha is dropped
  writeJpeg(join(root, 'red', 'c.JPG'), 16, 16, [255, 0, 0]);
  writeFileSync(join(root, 'red', 'readme.txt'), 'not an image');
  writeFileSync(join(root, 'red', '.DS_Store'), 'x');
  writeJpeg(join(root, 'blue', 'z.jpeg'), 64, 48, [0, 0, 255]);
  writeFileSync(join(root, 'notes.md'), '# notes');
}

describe('loadImageFolder', () => {
  const root = join(tmp.dir, 'colours');
  beforeAll(() => writeFolder(root));

  it('imports at 28x28x1: sorted classes and files, grey values, warnings recorded', async () => {
    const progress: number[] = [];
    const ds = await loadImageFolder({ path: root, inputShape: [28, 28, 1], onProgress: (done) => progress.push(done) });
    expect(ds.classNames).toEqual(['blue', 'red']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 1, 1]);
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.images.length).toBe(4 * 784);
    expect(progress).toEqual([1, 2, 3, 4]);
    if (ds.source.kind !== 'folder') throw new Error('expected a folder source');
    expect(ds.source.files.map((f) => f.file)).toEqual(['blue/z.jpeg', 'red/a.png', 'red/b.png', 'red/c.JPG']);
    expect(ds.source.warnings).toEqual([
      'notes.md: skipped, files must sit in a class sub-folder',
      'red/readme.txt: skipped, not .png/.jpg/.jpeg',
    ]);
    // Pure red PNG -> luma 0.299 everywhere, after any resize.
    const redPng = ds.images.subarray(2 * 784, 3 * 784);
    for (const v of redPng) expect(v).toBeCloseTo(0.299, 5);
    // Blue JPEG -> about 0.114 (JPEG is lossy).
    expect(ds.images[0]).toBeCloseTo(0.114, 1);
  });

  it('imports at 32x32x3 keeping colour, and hashes the same files the same way', async () => {
    const a = await loadImageFolder({ path: root, inputShape: [32, 32, 3] });
    const b = await loadImageFolder({ path: root, inputShape: [28, 28, 1] });
    expect(a.images.length).toBe(4 * 32 * 32 * 3);
    const px = (i: number, p: number) => Array.from(a.images.subarray((i * 1024 + p) * 3, (i * 1024 + p) * 3 + 3));
    expect(px(1, 500)).toEqual([1, 0, 0]); // transparent red PNG: colour kept, alpha dropped
    expect(px(0, 0)[2]).toBeGreaterThan(0.9); // blue JPEG
    expect(a.source.sha256).toBe(b.source.sha256);
  });

  it('names a corrupt PNG', async () => {
    const bad = join(tmp.dir, 'corrupt');
    mkdirSync(join(bad, 'x'), { recursive: true });
    writePng(join(bad, 'x', 'ok.png'), 4, 4, [0, 0, 0, 255]);
    const png = PNG.sync.write(Object.assign(new PNG({ width: 8, height: 8 }), {}));
    writeFileSync(join(bad, 'x', 'broken.png'), png.subarray(0, png.length - 20));
    await expect(loadImageFolder({ path: bad, inputShape: [28, 28, 1] })).rejects.toThrow(
      new RegExp(`${join(bad, 'x', 'broken.png')}: corrupt PNG image`),
    );
  });

  it('names a file that is not an image at all', async () => {
    const bad = join(tmp.dir, 'fake-ext');
    mkdirSync(join(bad, 'x'), { recursive: true });
    writeFileSync(join(bad, 'x', 'text.png'), 'hello');
    await expect(loadImageFolder({ path: bad, inputShape: [8, 8, 1] })).rejects.toThrow(/text\.png: not a PNG or JPEG/);
  });

  it('rejects an empty class folder, a folder without classes, and a bad shape', async () => {
    const empty = join(tmp.dir, 'empty-class');
    mkdirSync(join(empty, 'a'), { recursive: true });
    mkdirSync(join(empty, 'b'));
    writePng(join(empty, 'a', '1.png'), 2, 2, [0, 0, 0, 255]);
    writeFileSync(join(empty, 'b', 'x.gif'), 'GIF89a');
    await expect(loadImageFolder({ path: empty, inputShape: [8, 8, 1] })).rejects.toThrow(/class folder .*empty-class\/b has no PNG\/JPEG images/);
    const flat = join(tmp.dir, 'flat');
    mkdirSync(flat);
    await expect(loadImageFolder({ path: flat, inputShape: [8, 8, 1] })).rejects.toThrow(/has no class sub-folders/);
    await expect(loadImageFolder({ path: join(tmp.dir, 'absent'), inputShape: [8, 8, 1] })).rejects.toThrow(/does not exist/);
    await expect(loadImageFolder({ path: root, inputShape: [8, 8, 2] })).rejects.toThrow(/inputShape/);
  });

  it('honours an AbortSignal', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(loadImageFolder({ path: root, inputShape: [8, 8, 1], signal: ctl.signal })).rejects.toThrow();
  });
});

describe('resizeBilinear', () => {
  it('upsamples like half-pixel bilinear with clamped edges', () => {
    const out = resizeBilinear(Float32Array.from([0, 1]), [1, 2], [1, 4], 1);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('downsamples by averaging (no aliasing of a fine checkerboard)', () => {
    const n = 64;
    const board = Float32Array.from({ length: n * n }, (_, i) => ((i % n) + Math.floor(i / n)) % 2);
    const out = resizeBilinear(board, [n, n], [8, 8], 1);
    for (const v of out) expect(v).toBeCloseTo(0.5, 2);
  });

  it('keeps a constant image constant and the same size unchanged', () => {
    const img = new Float32Array(5 * 7 * 3).fill(0.25);
    for (const v of resizeBilinear(img, [5, 7], [13, 3], 3)) expect(v).toBeCloseTo(0.25, 6);
    const same = Float32Array.from({ length: 6 }, (_, i) => i / 6);
    expect(Array.from(resizeBilinear(same, [2, 3], [2, 3], 1))).toEqual(Array.from(same));
  });

  it('converts to grey with BT.601 weights', () => {
    const grey = toChannels({ width: 1, height: 1, data: Uint8Array.from([255, 255, 0, 255]) }, 1);
    expect(grey[0]).toBeCloseTo(0.886, 6);
  });
});
