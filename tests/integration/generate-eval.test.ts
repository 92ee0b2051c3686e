/**
 * `provenant generate` and `provenant eval` end to end on a tiny source, a small evaluation suite and
 * a small generation pool: trigger sets reproduce byte for byte, the report has every metric and
 * figure, a method that needs a pool fails clearly without one, and a pool that overlaps the suite
 * is refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/main/cli/index.ts';
import { initBackend } from '../../src/main/engine/tensor/backend.ts';
import { trainSourceModel } from '../../src/main/engine/models/train-source.ts';
import { buildSuite } from '../../src/main/engine/lab/suite-builder.ts';
import { loadPool } from '../../src/main/engine/lab/suite-loader.ts';
import type { EvalReport } from '../../src/main/engine/verify/evaluate.ts';
import { capture } from '../helpers/capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-eval-'));
const sourceDir = join(dir, 'source');
const suiteDir = join(dir, 'suite');
const poolDir = join(dir, 'pool');

beforeAll(async () => {
  process.env.PROVENANT_BACKEND = 'wasm';
  await initBackend('wasm');
  await trainSourceModel({
    dataset: 'mnist', arch: 'cnn', seed: 5, out: sourceDir,
    split: { unit: 'count', sizes: { ownerTrain: 1000, attacker: 1000, test: 300 } }, train: { epochs: 2 },
  });
  await buildSuite({ sourceDir, outDir: suiteDir, suiteSeed: 2, purpose: 'suite', preset: 'small', workers: 2 });
  await buildSuite({ sourceDir, outDir: poolDir, suiteSeed: 2, purpose: 'pool', preset: 'small', workers: 2 });
}, 400_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('provenant generate', () => {
  it('saves a trigger set that reproduces byte for byte from the same seed', async () => {
    const c = capture();
    const args = ['--json', 'generate', '--method', 'ipguard', '--source', sourceDir, '--param', 'n=8', '--param', 'iterations=40', '--seed', '4'];
    expect(await main([...args, '--out', join(dir, 'ip-a')])).toBe(0);
    expect(await main([...args, '--out', join(dir, 'ip-b')])).toBe(0);
    const [a, b] = c.out().trim().split(/\n(?=\{)/).map((s) => JSON.parse(s));
    expect(a.triggers).toBe(8);
    expect(a.params).toMatchObject({ n: 8, iterations: 40, margin: 0.5 });
    expect(b.sha256).toBe(a.sha256);
    expect(readFileSync(join(dir, 'ip-a', 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(dir, 'ip-b', 'SHA256SUMS'), 'utf8'));
  });

  it('names the bad parameter, the unknown method and the missing pool', async () => {
    const c = capture();
    expect(await main(['generate', '--method', 'ipguard', '--source', sourceDir, '--param', 'margn=1', '--out', join(dir, 'x')])).toBe(1);
    expect(c.err()).toMatch(/ipguard\.margn: unknown parameter/);
    expect(await main(['generate', '--method', 'nope', '--source', sourceDir])).toBe(2);
    expect(c.err()).toMatch(/--method: expected one of ipguard/);
    expect(await main(['generate', '--method', 'ipguard', '--source', sourceDir, '--param', 'n'])).toBe(2);
    expect(c.err()).toMatch(/--param: expected NAME=VALUE/);
    expect(await main(['generate', '--method', 'cae', '--source', sourceDir, '--out', join(dir, 'y')])).toBe(1);
    expect(c.err()).toMatch(/cae needs a generation pool .*--pools/);
  });

  it('refuses a pool whose manifest is not a pool, and skips wrappers in a pool', async () => {
    await expect(loadPool(suiteDir)).rejects.toThrow(/evaluation suite .* not a generation pool/);
    const pool = await loadPool(poolDir);
    try {
      expect(pool.positives.length + pool.negatives.length).toBe(pool.manifest.models.filter((e) => e.kind !== 'wrapper').length);
      expect(pool.skipped.map((s) => s.id)).toEqual(['source+blur', 'source+noise']);
    } finally {
      pool.dispose();
    }
  });
});

describe('provenant verify', () => {
  it('scores a suspect, refuses a verdict on a 4-model null, and refuses a null used in generation', async () => {
    const c = capture();
    const trig = join(dir, 'cae-tiny');
    const gen = ['generate', '--method', 'cae', '--source', sourceDir, '--pools', poolDir, '--params', JSON.stringify({ n: 4, candidates: 8, iterations: 5 }), '--out', trig];
    expect(await main(gen)).toBe(0);
    const suspect = join(suiteDir, 'models', 'ftal');
    expect(await main(['--json', 'verify', '--triggers', trig, '--suspect', suspect, '--null', suiteDir, '--labels-only'])).toBe(0);
    const r = JSON.parse(c.out().slice(c.out().indexOf('{')));
    expect(r.method).toBe('cae');
    expect(r.status).toBe('complete');
    expect(r.queries).toMatchObject({ needed: 4, answered: 4, sent: 4, reused: 0 });
    expect(r.suspect.labelsOnly).toBe(true);
    expect(r.nullScores).toHaveLength(4);
    expect(r.verdict.decision).toBe('insufficient-null');
    // An innocent verified against its own suite is left out of its own null.
    const c2 = capture();
    expect(await main(['--json', 'verify', '--triggers', trig, '--suspect', join(suiteDir, 'models', 'neg-cnn-1'), '--null', suiteDir])).toBe(0);
    expect(JSON.parse(c2.out().slice(c2.out().indexOf('{'))).excludedFromNull).toEqual(['neg-cnn-1']);
    expect(await main(['verify', '--triggers', trig, '--suspect', suspect, '--null', poolDir])).toBe(1);
    expect(c2.err()).toMatch(/was used to generate the trigger set; the null must be held out/);
    expect(await main(['verify', '--triggers', trig, '--suspect', suspect])).toBe(2);
    expect(c2.err()).toMatch(/--null SUITE_DIR is required/);
  });
});

describe('provenant eval', () => {
  it('writes AUC, TPR@FPR, ARUC, per-family means, queries, timings and figures for each method', async () => {
    const c = capture();
    const out = join(dir, 'eval');
    const params = JSON.stringify({ ipguard: { n: 10, iterations: 60 }, 'adv-tra': { trajectories: 4, length: 8, classes: 3, searchRounds: 6 } });
    const code = await main(['eval', '--suite', suiteDir, '--pools', poolDir, '--methods', 'ipguard,adv-tra', '--params', params, '--out', out]);
    expect(c.err()).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(out, 'eval-mnist.json'), 'utf8')) as EvalReport;
    expect(r.suite).toMatchObject({ positives: 9, negatives: 4, preset: 'small' });
    expect(r.pool).toMatchObject({ preset: 'small', skipped: 2 });
    expect(r.methods.map((m) => m.label)).toEqual(['ipguard', 'adv-tra']);
    for (const m of r.methods) {
      expect(m.error).toBeUndefined();
      for (const v of [m.metrics!.auc, m.metrics!.aruc, m.metrics!.tprAt1.tpr, m.metrics!.tprAt10.tpr]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
      expect(m.scores).toHaveLength(13);
      expect(m.families!.some((f) => f.family === 'query-time: gaussian-blur')).toBe(true);
      expect(existsSync(join(m.generation!.dir, 'SHA256SUMS'))).toBe(true);
      expect(existsSync(join(out, 'eval-mnist', `scores-${m.method}.svg`))).toBe(true);
    }
    expect(r.methods[0].queries!.mean).toBe(10);
    // 4 negatives cannot support a verdict: every suspect is refused, none accused.
    expect(r.methods[0].verdicts).toMatchObject({ level: 1e-3, refused: 13, falseAccusations: 0, detections: 0, model: 'beta-binomial' });
    expect(r.methods[0].scores!.every((s) => s.trials === 10 && s.matched === Math.round(s.score * 10))).toBe(true);
    expect(r.methods[1].queries!.mean).toBe(4 * 8);
    // The ipguard row's AUC is exactly what its recorded scores give (nothing summarised elsewhere).
    const ip = r.methods[0].scores!;
    const pos = ip.filter((s) => s.role === 'positive').map((s) => s.score);
    const neg = ip.filter((s) => s.role === 'negative').map((s) => s.score);
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    expect(r.methods[0].metrics!.auc).toBeCloseTo(wins / (pos.length * neg.length), 12);
    const md = readFileSync(join(out, 'eval-mnist.md'), 'utf8');
    expect(md).toMatch(/\| ipguard \| labels \| \d\.\d{4} \|/);
    expect(readFileSync(join(out, 'eval-mnist', 'roc.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('--append re-runs one method into the earlier report and refuses a report of another run', async () => {
    const c = capture();
    const out = join(dir, 'eval');
    const before = JSON.parse(readFileSync(join(out, 'eval-mnist.json'), 'utf8')) as EvalReport;
    const args = ['eval', '--suite', suiteDir, '--pools', poolDir, '--methods', 'ipguard', '--params', JSON.stringify({ ipguard: { n: 6, iterations: 30 } }), '--out', out, '--append'];
    expect(await main(args)).toBe(0);
    const after = JSON.parse(readFileSync(join(out, 'eval-mnist.json'), 'utf8')) as EvalReport;
    expect(after.methods.map((m) => m.label)).toEqual(['ipguard', 'adv-tra']);
    expect(after.methods[0].generation!.triggers).toBe(6);
    expect(after.methods[1]).toEqual(before.methods[1]);
    expect(after.runs!.map((r) => r.methods)).toEqual([['ipguard', 'adv-tra'], ['ipguard']]);
    expect(await main([...args, '--seed', '9'])).toBe(1);
    expect(c.err()).toMatch(/--append: the earlier report has another trigger seed/);
  });

  it('refuses a generation pool that shares a model with the suite', async () => {
    const fake = join(dir, 'fake-pool');
    cpSync(suiteDir, fake, { recursive: true });
    const m = JSON.parse(readFileSync(join(fake, 'manifest.json'), 'utf8'));
    writeFileSync(join(fake, 'manifest.json'), JSON.stringify({ ...m, purpose: 'pool' }));
    const c = capture();
    expect(await main(['eval', '--suite', suiteDir, '--pools', fake, '--methods', 'ipguard', '--out', join(dir, 'eval2')])).toBe(1);
    expect(c.err()).toMatch(/also appears in the generation pool/);
  });
});
