import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTriggerSet, readTriggerSet, saveTriggerSet } from '../../../../src/main/engine/methods/trigger-set-io.ts';
import type { TriggerSet } from '../../../../src/main/engine/methods/types.ts';

let root: string;
let k = 0;
const fresh = () => join(root, `t${k++}`);
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'provenant-triggers-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function makeSet(n = 20, shape: [number, number, number] = [5, 4, 3]): TriggerSet {
  const per = shape[0] * shape[1] * shape[2];
  const inputs = new Float32Array(n * per);
  for (let i = 0; i < inputs.length; i++) inputs[i] = ((i * 7919) % 1000) / 999;
  return {
    format: 'provenant-triggers/1',
    method: 'ipguard',
    params: { k: 10, nested: { z: 1, a: [1, 2, 'x'] }, lr: 0.01 },
    seed: 42,
    inputShape: shape,
    numClasses: 10,
    inputs,
    labels: Int32Array.from({ length: n }, (_, i) => i % 10),
    aux: { loss: Float32Array.from({ length: n }, (_, i) => i / 3), traj: Int32Array.from({ length: n }, (_, i) => i >> 2) },
    source: { sha256: 'a'.repeat(64), arch: 'cnn' },
    pools: { positives: ['b'.repeat(64)], negatives: [] },
    engine: { backend: 'wasm', tfjsBackend: 'wasm', requested: 'auto', versions: { tfjs: '4.22.0' }, skipped: [], node: 'v20', platform: 'linux' },
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)));
  }
  return out.sort();
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const f of await listFiles(dir)) m.set(f, createHash('sha256').update(await readFile(join(dir, f))).digest('hex'));
  return m;
}

describe('trigger set IO', () => {
  it('writes the documented layout and SHA256SUMS', async () => {
    const dir = fresh();
    const saved = await saveTriggerSet(makeSet(), dir);
    const files = await listFiles(dir);
    expect(files).toContain('triggers.json');
    expect(files).toContain('inputs.f32');
    expect(files).toContain('labels.i32');
    expect(files).toContain('aux-loss.f32');
    expect(files).toContain('aux-traj.i32');
    expect(files.filter((f) => f.startsWith('previews/'))).toHaveLength(16);
    expect(files).toContain('previews/trigger-015.png');
    const sums = await readFile(join(dir, 'SHA256SUMS'), 'utf8');
    expect(saved.sha256).toBe(createHash('sha256').update(sums).digest('hex'));
    expect(saved.files.map((f) => f.file)).toEqual(files.filter((f) => f !== 'SHA256SUMS'));
    for (const line of sums.trim().split('\n')) {
      const [hex, file] = line.split('  ');
      expect(createHash('sha256').update(await readFile(join(dir, file))).digest('hex')).toBe(hex);
    }
    expect((await readFile(join(dir, 'inputs.f32'))).readFloatLE(4)).toBe(makeSet().inputs[1]);
    const json = JSON.parse(await readFile(join(dir, 'triggers.json'), 'utf8'));
    expect(Object.keys(json)[0]).toBe('format');
    expect(json.arrays.inputs).toMatchObject({ file: 'inputs.f32', dtype: 'float32', length: 20 * 60 });
    expect(JSON.stringify(json)).not.toMatch(/date|time/i);
  });

  it('previews decode to round(v·255), grey and RGB', async () => {
    for (const c of [1, 3] as const) {
      const set = makeSet(3, [6, 5, c]);
      const dir = fresh();
      await saveTriggerSet(set, dir);
      const png = PNG.sync.read(await readFile(join(dir, 'previews/trigger-002.png')));
      expect([png.width, png.height]).toEqual([5, 6]);
      const per = 30 * c;
      const v = set.inputs[2 * per + (c === 1 ? 7 : 7 * 3 + 1)];
      expect(png.data[7 * 4 + (c === 1 ? 0 : 1)]).toBe(Math.round(v * 255));
    }
  });

  it('is byte-identical when saved twice (PNGs included), and with reordered keys', async () => {
    const a = fresh();
    const b = fresh();
    const s1 = await saveTriggerSet(makeSet(), a);
    const set = makeSet();
    set.params = { lr: 0.01, nested: { a: [1, 2, 'x'], z: 1 }, k: 10 };
    set.aux = { traj: set.aux.traj, loss: set.aux.loss };
    const s2 = await saveTriggerSet(set, b);
    expect(await snapshot(b)).toEqual(await snapshot(a));
    expect(s2.sha256).toBe(s1.sha256);
  });

  it('loads back equal arrays and metadata', async () => {
    const dir = fresh();
    const set = makeSet();
    const saved = await saveTriggerSet(set, dir);
    const { set: back, saved: again } = await readTriggerSet(dir);
    expect(back).toEqual(set);
    expect(back.inputs).toBeInstanceOf(Float32Array);
    expect(back.aux.traj).toBeInstanceOf(Int32Array);
    expect(again).toEqual(saved);
  });

  it('refuses a non-empty directory unless overwrite, and overwrites atomically', async () => {
    const dir = fresh();
    await saveTriggerSet(makeSet(), dir);
    await expect(saveTriggerSet(makeSet(4), dir)).rejects.toThrow(/not empty/);
    await saveTriggerSet(makeSet(4), dir, { overwrite: true });
    expect((await loadTriggerSet(dir)).labels.length).toBe(4);
    expect((await readdir(root)).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
  });

  it('names the file on corruption, truncation, or a missing file', async () => {
    const dir = fresh();
    await saveTriggerSet(makeSet(), dir);
    const inputs = join(dir, 'inputs.f32');
    const orig = await readFile(inputs);
    const flipped = Buffer.from(orig);
    flipped[10] ^= 1;
    await writeFile(inputs, flipped);
    await expect(loadTriggerSet(dir)).rejects.toThrow(/inputs\.f32: sha256 .* does not match/);
    await truncate(inputs, orig.length - 4);
    await expect(loadTriggerSet(dir)).rejects.toThrow(/inputs\.f32: \d+ bytes.*truncated/);
    await writeFile(inputs, orig);
    await truncate(join(dir, 'aux-traj.i32'), 8);
    await expect(loadTriggerSet(dir)).rejects.toThrow(/aux-traj\.i32/);

    const d2 = fresh();
    await saveTriggerSet(makeSet(), d2);
    const png = join(d2, 'previews/trigger-003.png');
    await writeFile(png, Buffer.concat([await readFile(png), Buffer.from([0])]));
    await expect(loadTriggerSet(d2)).rejects.toThrow(/trigger-003\.png/);
    await rm(png);
    await expect(loadTriggerSet(d2)).rejects.toThrow(/trigger-003\.png: not found/);

    const d3 = fresh();
    await saveTriggerSet(makeSet(), d3);
    const jp = join(d3, 'triggers.json');
    await writeFile(jp, (await readFile(jp, 'utf8')).replace('"seed": 42', '"seed": 43'));
    await expect(loadTriggerSet(d3)).rejects.toThrow(/SHA256SUMS: does not match .*triggers\.json/);
    await writeFile(jp, '{ not json');
    await expect(loadTriggerSet(d3)).rejects.toThrow(/triggers\.json: not valid JSON/);
  });

  it('rejects an unknown format and inconsistent shapes', async () => {
    const dir = fresh();
    await saveTriggerSet(makeSet(), dir);
    const jp = join(dir, 'triggers.json');
    const text = await readFile(jp, 'utf8');
    await writeFile(jp, text.replace('provenant-triggers/1', 'provenant-triggers/9'));
    await expect(loadTriggerSet(dir)).rejects.toThrow(/triggers\.json: unknown trigger set format "provenant-triggers\/9"/);
    await expect(loadTriggerSet(fresh())).rejects.toThrow(/triggers\.json: not found/);

    const bad = makeSet();
    bad.inputShape = [5, 4, 2];
    await expect(saveTriggerSet(bad, fresh())).rejects.toThrow(/inputs has 1200 values/);
    const bad2 = makeSet();
    bad2.labels[3] = 10;
    await expect(saveTriggerSet(bad2, fresh())).rejects.toThrow(/labels\[3\]/);
    const bad3 = makeSet();
    bad3.aux.loss = new Float32Array(3);
    await expect(saveTriggerSet(bad3, fresh())).rejects.toThrow(/aux "loss" has length 3/);
    // w values per trigger round-trip (e.g. one image-sized probe direction per trigger).
    const wide = makeSet();
    wide.aux.probe = Float32Array.from({ length: 20 * 60 }, (_, i) => i / 7);
    const wideDir = fresh();
    await saveTriggerSet(wide, wideDir);
    expect((await loadTriggerSet(wideDir)).aux.probe).toEqual(wide.aux.probe);
    const bad4 = makeSet();
    bad4.params = { x: NaN };
    await expect(saveTriggerSet(bad4, fresh())).rejects.toThrow(/params\.x/);
  });

  it('stores an empty set and sets without previewable channels', async () => {
    const empty = makeSet(0);
    const d = fresh();
    await saveTriggerSet(empty, d);
    expect((await loadTriggerSet(d)).inputs.length).toBe(0);
    const four = makeSet(2, [2, 2, 4]);
    const d2 = fresh();
    await saveTriggerSet(four, d2);
    expect((await listFiles(d2)).some((f) => f.startsWith('previews/'))).toBe(false);
    expect(await loadTriggerSet(d2)).toEqual(four);
  });
});
