/**
 * Arbiter replay on real models: a bundle made from a real runVerify result (IPGuard on the ONNX-twin
 * fixtures, null = a 24-innocent calibration suite) replays bit for bit on the same suspect, also on
 * its ONNX twin in label-only mode; another suspect gives the differences; a budget gives no verdict
 * and resumes from the query log; a corrupt bundle is refused and leaves no temporary directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/main/engine/tensor/backend.ts';
import { buildSuite } from '../../../src/main/engine/lab/suite-builder.ts';
import { runGenerate } from '../../../src/main/engine/methods/generate-job.ts';
import { runVerify, type VerifyComplete } from '../../../src/main/engine/verify/verify-job.ts';
import { BundleError, exportBundle, generateSigningKey, type SigningKey } from '../../../src/main/evidence/bundle/index.ts';
import { replayBundle } from '../../../src/main/evidence/replay.ts';

const FIXTURES = resolve('tests/fixtures/onnx');
const dir = mkdtempSync(join(tmpdir(), 'provenant-replay-test-'));
const models = { source: join(dir, 'source'), innocent: join(dir, 'innocent') };
const sourceOnnx = join(FIXTURES, 'source', 'model.onnx');
const triggers = join(dir, 'ipguard');
const bundles = { labels: join(dir, 'labels.pvb'), probs: join(dir, 'probs.pvb') };
const results: Partial<Record<keyof typeof bundles, VerifyComplete>> = {};
let key: SigningKey;

beforeAll(async () => {
  await initBackend('wasm');
  cpSync(join(FIXTURES, 'source', 'tfjs'), models.source, { recursive: true });
  cpSync(join(FIXTURES, 'innocent', 'tfjs'), models.innocent, { recursive: true });
  const nullDir = join(dir, 'calibration');
  await buildSuite({ sourceDir: models.source, outDir: nullDir, suiteSeed: 2, purpose: 'suite', preset: 'calibration', workers: 2 });
  await runGenerate({ method: 'ipguard', sourceDir: models.source, outDir: triggers, seed: 1, params: { n: 24 } });
  key = await generateSigningKey(join(dir, 'owner.key'));
  for (const mode of ['labels', 'probs'] as const) {
    const r = await runVerify({ triggersDir: triggers, suspect: { kind: 'model-dir', dir: models.source }, nullSuiteDir: nullDir, labelsOnly: mode === 'labels' });
    if (r.status !== 'complete') throw new Error('verification did not complete');
    results[mode] = r;
    await exportBundle({ result: r, triggersDir: triggers, key, out: bundles[mode], caseId: 'case-7' });
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replayBundle', () => {
  it('reproduces the original numbers bit for bit on the same suspect, and says so', async () => {
    const tensors = tf.memory().numTensors;
    const r = await replayBundle({ bundle: bundles.probs, suspect: { kind: 'model-dir', dir: models.source }, trust: [key.fingerprint] });
    expect(tf.memory().numTensors).toBe(tensors);
    const o = results.probs!;
    expect(o.verdict.decision).toBe('derived');
    expect(r.reproduced).toBe(true);
    expect(r.differences).toEqual([]);
    expect(r.signer).toMatchObject({ trusted: true, fingerprint: key.fingerprint });
    expect(r.notes).toEqual([r.signer.note]); // same suspect, same mode, same decision code
    for (const [k, v] of [['score', o.score], ['pEmpirical', o.verdict.pEmpirical], ['pParametric', o.verdict.pParametric], ['decision', o.verdict.decision]] as const) {
      expect(Object.is(r.replayed![k], v)).toBe(true);
      expect(Object.is(r.original[k], v)).toBe(true);
    }
    expect(r.replayed!.explanation).toBe(o.verdict.explanation);
    expect(r.queries).toMatchObject({ needed: 24, sent: 24 });
    expect(r.bundleSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the ONNX twin of the suspect reproduces the label-only numbers (another identity, noted)', async () => {
    const r = await replayBundle({ bundle: bundles.labels, suspect: { kind: 'onnx', file: sourceOnnx } });
    expect(r.differences).toEqual([]);
    expect(r.reproduced).toBe(true);
    expect(r.replayed).toMatchObject({ labelsOnly: true, suspect: expect.stringMatching(/^onnx sha256:/) });
    expect(r.notes.some((n) => /the suspect is onnx sha256:.* the bundle's was model-dir sha256:/.test(n))).toBe(true);
    expect(r.signer).toMatchObject({ trusted: false });
    expect(r.notes[0]).toMatch(/no trusted keys were given/);
  });

  it('another suspect gives the differences, named and with both values', async () => {
    const r = await replayBundle({ bundle: bundles.labels, suspect: { kind: 'model-dir', dir: models.innocent } });
    expect(r.reproduced).toBe(false);
    expect(r.replayed!.decision).toBe('not-derived');
    expect(r.differences).toEqual(expect.arrayContaining([
      `score: original ${r.original.score}, replay ${r.replayed!.score}`,
      'decision: original derived, replay not-derived',
      expect.stringMatching(/^pEmpirical: original 0\.04, replay /),
      expect.stringMatching(/^pParametric: /),
    ]));
  });

  it('a budget stops the replay without a verdict; the query log resumes it without re-sending', async () => {
    const log = join(dir, 'replay.jsonl');
    const first = await replayBundle({ bundle: bundles.labels, suspect: { kind: 'model-dir', dir: models.source }, budget: 5, queryLog: log });
    expect(first).toMatchObject({ reproduced: false, replayed: null, queries: { sent: 5, budget: 5 } });
    expect(first.differences[0]).toMatch(/query budget \(5\) ran out .* replay again with the same query log to resume/);
    const again = await replayBundle({ bundle: bundles.labels, suspect: { kind: 'model-dir', dir: models.source }, queryLog: log });
    expect(again.reproduced).toBe(true);
    expect(again.queries).toMatchObject({ needed: 24, sent: 19, resumedReplies: 5 });
    const sent = readFileSync(log, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l)).filter((e) => e.outcome === 'ok').flatMap((e) => e.inputHashes);
    expect(sent).toHaveLength(24);
    expect(new Set(sent).size).toBe(24);
  });

  it('a corrupt bundle is refused before any query, and no temporary directory is left', async () => {
    const temps = () => readdirSync(tmpdir()).filter((f) => f.startsWith('provenant-replay-') && !f.startsWith('provenant-replay-test-')).length;
    const before = temps();
    const bad = join(dir, 'bad.pvb');
    const b = readFileSync(bundles.labels);
    b[b.length - 500] ^= 0x01;
    writeFileSync(bad, b);
    await expect(replayBundle({ bundle: bad, suspect: { kind: 'model-dir', dir: models.source } })).rejects.toBeInstanceOf(BundleError);
    expect(temps()).toBe(before);
  });
});
