/**
 * The suite builder end to end on a tiny source: the small preset in two worker threads, manifest
 * completeness, hashes against the files, resumption, and pool/suite separation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';
import { trainSourceModel } from '../../../../src/main/engine/models/train-source.ts';
import { hashModelDir } from '../../../../src/main/engine/models/model-io.ts';
import { buildSuite } from '../../../../src/main/engine/lab/suite-builder.ts';
import { recipeSeed } from '../../../../src/main/engine/lab/build-recipe.ts';
import { checkSeparation, type SuiteManifest } from '../../../../src/main/engine/lab/manifest.ts';
import { presetRecipes, PRESETS } from '../../../../src/main/engine/lab/recipes.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-lab-'));
const sourceDir = join(dir, 'source');
const suiteDir = join(dir, 'suite');
let manifest: SuiteManifest;

beforeAll(async () => {
  await initBackend('wasm');
  await trainSourceModel({
    dataset: 'mnist', arch: 'cnn', seed: 3, out: sourceDir,
    split: { unit: 'count', sizes: { ownerTrain: 1000, attacker: 1000, test: 300 } }, train: { epochs: 2 },
  });
  manifest = await buildSuite({ sourceDir, outDir: suiteDir, suiteSeed: 7, purpose: 'suite', preset: 'small', workers: 2 });
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildSuite (small preset, two workers)', () => {
  it('writes a complete manifest: every recipe, roles, params, seeds, accuracies', () => {
    expect(manifest.complete).toBe(true);
    expect(manifest.models.map((m) => m.id)).toEqual(presetRecipes('small').map((r) => r.id));
    expect(manifest.models.filter((m) => m.role === 'positive')).toHaveLength(9);
    expect(manifest.models.filter((m) => m.role === 'negative')).toHaveLength(4);
    for (const m of manifest.models) {
      expect(m.seed).toBe(recipeSeed(7, 'suite', m.id));
      // The tiny source (1,000 digits, 2 epochs) makes some one-epoch suspects weak: only ranges here.
      expect(m.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.testAccuracy).toBeLessThanOrEqual(1);
      expect(m.agreement).toBeGreaterThanOrEqual(0);
      expect(m.backend).toBe('wasm');
    }
    // Positives derived from the source agree with it far more than independent negatives do on average.
    const mean = (r: string) => manifest.models.filter((m) => m.role === r && m.kind !== 'wrapper').reduce((a, m) => a + m.agreement, 0);
    expect(mean('positive') / 7).toBeGreaterThan(0.5);
    expect(readFileSync(join(suiteDir, 'suite.md'), 'utf8')).toMatch(/\| positive \| ftll \| 1 \|/);
  });

  it('hashes in the manifest match the files on disk', async () => {
    for (const m of manifest.models.filter((e) => e.dir)) {
      expect((await hashModelDir(join(suiteDir, m.dir!))).sha256).toBe(m.sha256);
    }
    const onDisk = JSON.parse(readFileSync(join(suiteDir, 'manifest.json'), 'utf8'));
    expect(onDisk.models.map((m: { sha256?: string }) => m.sha256)).toEqual(manifest.models.map((m) => m.sha256));
  });

  it('resumes: a second build keeps every model already built from the same recipe', async () => {
    const mtimes = manifest.models.filter((e) => e.dir).map((m) => statSync(join(suiteDir, m.dir!, 'weights.bin')).mtimeMs);
    const again = await buildSuite({ sourceDir, outDir: suiteDir, suiteSeed: 7, purpose: 'suite', preset: 'small', workers: 1 });
    expect(again.models.map((m) => m.sha256)).toEqual(manifest.models.map((m) => m.sha256));
    expect(again.models.filter((e) => e.dir).map((m) => statSync(join(suiteDir, m.dir!, 'weights.bin')).mtimeMs)).toEqual(mtimes);
  }, 120_000);
});

describe('pools and suites are separate by construction', () => {
  it('every preset recipe gets different seeds as pool and as suite', () => {
    for (const p of PRESETS) for (const r of presetRecipes(p)) expect(recipeSeed(1, 'pool', r.id)).not.toBe(recipeSeed(1, 'suite', r.id));
  });

  it('checkSeparation refuses shared models and accepts disjoint ones', () => {
    const pool: SuiteManifest = { ...manifest, purpose: 'pool', models: manifest.models.map((m) => ({ ...m, seed: m.seed + 1, recipeHash: `p${m.recipeHash}`, sha256: `p${m.sha256}` })) };
    expect(() => checkSeparation(pool, manifest)).not.toThrow();
    const leaky = { ...pool, models: [...pool.models, manifest.models[2]] };
    expect(() => checkSeparation(leaky, manifest)).toThrow(/suite model "rtll" also appears in the generation pool/);
    expect(() => checkSeparation(manifest, manifest)).toThrow(/expected a generation pool/);
  });
});

describe('presets', () => {
  it('standard has ≥ 40 positives and ≥ 40 negatives covering every attack and wrapper; paper follows MFUE', () => {
    const std = presetRecipes('standard');
    expect(std.filter((r) => r.role === 'positive').length).toBeGreaterThanOrEqual(40);
    expect(std.filter((r) => r.role === 'negative').length).toBeGreaterThanOrEqual(40);
    const methods = new Set(std.map((r) => (r.kind === 'attack' ? r.attack : r.kind === 'wrapper' ? r.wrapper : 'independent')));
    for (const m of ['ftll', 'ftal', 'rtll', 'rtal', 'prune', 'adv-train', 'extract', 'crop-resize', 'flip', 'rotate', 'gaussian-noise', 'gaussian-blur', 'dp-logits', 'query-filter']) expect(methods).toContain(m);
    const paper = presetRecipes('paper');
    const count = (f: (r: (typeof paper)[number]) => boolean) => paper.filter(f).length;
    expect(count((r) => r.kind === 'attack' && ['ftll', 'ftal', 'rtll', 'rtal'].includes(r.attack))).toBe(16);
    expect(count((r) => r.kind === 'attack' && r.attack === 'prune')).toBe(4);
    expect(count((r) => r.kind === 'attack' && r.attack === 'extract')).toBe(16);
    expect(count((r) => r.kind === 'attack' && r.attack === 'adv-train')).toBe(28);
    expect(count((r) => r.role === 'negative')).toBe(60);
  });
});
