import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/main/cli/index.ts';
import { trainRequest } from '../../../src/main/cli/commands/train.ts';
import { capture } from '../../helpers/capture.ts';

afterEach(() => vi.restoreAllMocks());
beforeAll(() => {
  process.env.PROVENANT_BACKEND = 'wasm';
});

describe('provenant CLI', () => {
  it('prints usage for no command / help, exit 0; unknown command exit 2', async () => {
    const c = capture();
    expect(await main([])).toBe(0);
    expect(c.out()).toMatch(/usage: provenant/);
    expect(c.out()).toMatch(/train\s+train a source model/);
    expect(await main(['frobnicate'])).toBe(2);
    expect(c.err()).toMatch(/unknown command "frobnicate"/);
  });

  it('rejects bad flags with exit 2, naming the flag', async () => {
    const c = capture();
    expect(await main(['train', '--epochs', '0'])).toBe(2);
    expect(c.err()).toMatch(/--epochs: expected an integer >= 1, got "0"/);
    expect(await main(['train', '--arch', 'alexnet'])).toBe(2);
    expect(c.err()).toMatch(/--arch: expected one of mlp, lenet, cnn, vgg, resnet/);
    expect(await main(['train', '--bogus'])).toBe(2);
    expect(await main(['--backend', 'tpu', 'info', 'x'])).toBe(1);
    expect(c.err()).toMatch(/--backend: unknown backend "tpu"/);
  });

  it('maps training flags onto the request', () => {
    const r = trainRequest(['--dataset', 'mnist', '--arch', 'lenet', '--seed', '9', '--epochs', '3', '--lr', '0.05', '--momentum', '0.8', '--schedule', 'step', '--out', '/tmp/x']);
    expect(r).toMatchObject({ dataset: 'mnist', arch: 'lenet', seed: 9, out: '/tmp/x', train: { epochs: 3, learningRate: 0.05, optimizer: { name: 'sgd', momentum: 0.8 }, schedule: { name: 'step' } } });
    expect(() => trainRequest(['--dataset', 'folder'])).toThrow(/--data-dir is required with --dataset folder/);
    expect(() => trainRequest(['--dataset', 'folder', '--data-dir', '/x', '--input-shape', '28x28'])).toThrow(/--input-shape: expected HxWxC/);
  });

  it('info: a missing model and a corrupt model.json fail with exit 1 naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-cli-'));
    const c = capture();
    expect(await main(['info', join(dir, 'nope')])).toBe(1);
    expect(c.err()).toContain(join(dir, 'nope'));
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'model.json'), '{ not json');
    expect(await main(['info', join(dir, 'bad')])).toBe(1);
    expect(c.err()).toContain(join(dir, 'bad', 'model.json'));
  });

  it('train --json then info --json on the result (tiny run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-cli-'));
    const c = capture();
    const code = await main(['--json', 'train', '--arch', 'mlp', '--epochs', '1', '--out', join(dir, 'm')]);
    expect(code).toBe(0);
    const summary = JSON.parse(c.out());
    expect(summary.model).toBe(join(dir, 'm'));
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
    expect(c.err()).toMatch(/epoch 1\/1 \[#+\] 188\/188/);
    const c2 = capture();
    expect(await main(['--json', 'info', join(dir, 'm')])).toBe(0);
    const info = JSON.parse(c2.out());
    expect(info.sha256).toBe(summary.sha256);
    expect(info.meta.spec.arch).toBe('mlp');
  });

  it('demo --epochs 1 trains the source model, builds the small suite, fingerprints and verifies under --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-demo-'));
    const c = capture();
    expect(await main(['--json', 'demo', '--epochs', '1', '--out', dir, '--methods', 'ipguard'])).toBe(0);
    const summary = JSON.parse(c.out());
    expect(summary.fingerprints).toHaveLength(1);
    expect(summary.fingerprints[0].auc).toBeGreaterThanOrEqual(0);
    expect(summary.report).toBe(join(dir, 'eval-mnist.md'));
    expect(summary.sourceModel).toMatchObject({ dir: join(dir, 'source-model'), testSize: 2000 });
    expect(summary.sourceModel.testAccuracy).toBeGreaterThan(0.8);
    expect(summary.suite.models).toBe(13);
    // Step 4: a pirated and an innocent suspect judged against a 24-model calibration null.
    expect(summary.verdicts.map((v: { suspect: string }) => v.suspect)).toEqual(['ftal', 'neg-cnn-1']);
    for (const v of summary.verdicts) {
      expect(v).toMatchObject({ method: 'ipguard', nullSize: 24, queries: 100 });
      expect(['derived', 'not-derived']).toContain(v.decision);
      expect(readFileSync(v.queryLog, 'utf8').trim().split('\n').length).toBeGreaterThan(1);
    }
    // Step 5: the pirate's verification in a case, a signed bundle replayed bit for bit, the PDF.
    expect(summary.evidence).toMatchObject({ run: 1, decision: summary.verdicts[0].decision, reproduced: true, intact: true, report: join(dir, 'report.pdf') });
    expect(readFileSync(summary.evidence.report).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
