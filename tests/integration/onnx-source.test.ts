/**
 * A PyTorch model as the source, end to end from the command line: `import` the ONNX export, `info`
 * on the file and on the imported directory, `generate` from the directory and from the .onnx file
 * directly (the same triggers), MFUE's gradient-heavy generation through the imported graph, and a
 * calibrated verdict on ONNX suspects (its own export: derived; an independent model: not).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/main/cli/index.ts';
import { initBackend } from '../../src/main/engine/tensor/backend.ts';
import { readTriggerSet } from '../../src/main/engine/methods/trigger-set-io.ts';
import { capture } from '../helpers/capture.ts';

const ONNX = resolve('tests/fixtures/onnx');
const dir = mkdtempSync(join(tmpdir(), 'provenant-onnx-source-'));
const imported = join(dir, 'source');
const json = (out: string) => JSON.parse(out.slice(out.indexOf('{')));

beforeAll(async () => {
  process.env.PROVENANT_BACKEND = 'wasm';
  await initBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('an ONNX source from the command line', () => {
  it('import: a source model directory with graph.onnx, a recorded split and its test accuracy', async () => {
    const c = capture();
    expect(await main(['--json', 'import', join(ONNX, 'source', 'model.onnx'), '--dataset', 'mnist', '--out', imported])).toBe(0);
    const r = json(c.out());
    expect(r.spec).toMatchObject({ arch: 'onnx', inputShape: [28, 28, 1], numClasses: 10, onnx: { file: 'model.onnx', input: { layout: 'nchw' } } });
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    const c2 = capture();
    expect(await main(['info', imported])).toBe(0);
    expect(c2.out()).toMatch(/graph\.onnx .* B {2}acefc8b1/);
    expect(c2.out()).toMatch(/arch {7}onnx: model\.onnx/);
    expect(await main(['--json', 'info', join(ONNX, 'source', 'model.onnx')])).toBe(0);
    const d = json(c2.out().slice(c2.out().lastIndexOf('{\n  "file"')));
    expect(d).toMatchObject({ classes: 10, opset: 13, unsupported: [], producer: { name: 'pytorch' } });
    expect(Object.keys(d.operators)).toEqual(expect.arrayContaining(['Conv', 'Relu', 'Gemm']));
    expect(await main(['import', join(ONNX, 'source', 'model.onnx'), '--out', join(dir, 'x')])).toBe(2);
    expect(c2.err()).toMatch(/--dataset is required/);
  });

  it('generate from the imported directory and from the .onnx file: the same triggers', async () => {
    const c = capture();
    const args = ['generate', '--method', 'ipguard', '--param', 'n=12', '--seed', '3'];
    expect(await main([...args, '--source', imported, '--out', join(dir, 'ip-dir')])).toBe(0);
    expect(await main([...args, '--source', join(ONNX, 'source', 'model.onnx'), '--dataset', 'mnist', '--out', join(dir, 'ip-file')])).toBe(0);
    const [a, b] = [await readTriggerSet(join(dir, 'ip-dir')), await readTriggerSet(join(dir, 'ip-file'))];
    expect(Buffer.from(b.set.inputs.buffer).equals(Buffer.from(a.set.inputs.buffer))).toBe(true);
    expect(a.set.source.arch).toBe('onnx');
    expect(await main([...args, '--source', join(ONNX, 'source', 'model.onnx'), '--out', join(dir, 'ip-x')])).toBe(1);
    expect(c.err()).toMatch(/an ONNX source carries no dataset record; name its dataset/);
    expect(await main([...args, '--source', imported, '--mean', '0.5', '--out', join(dir, 'ip-y')])).toBe(2);
    expect(c.err()).toMatch(/apply to an \.onnx source/);
  });

  it('MFUE generates through the imported graph; ONNX suspects get calibrated verdicts', async () => {
    const c = capture();
    const mfue = { n: 6, rounds: 3, stepsPerRound: 2, mimics: 2, mimicSteps: 3, mimicBatch: 16, mimicAdv: 2, mimicPgdSteps: 2, probes: 20, searchRounds: 3, probeSteps: 3 };
    expect(await main(['generate', '--method', 'mfue', '--source', imported, '--params', JSON.stringify(mfue), '--out', join(dir, 'mfue')])).toBe(0);
    // The null: innocents of the same task. Built around the twin's tfjs directory, whose recorded
    // split has a small attacker part (200 digits), so 24 models train in seconds.
    expect(await main(['lab', 'build', '--source', join(ONNX, 'source', 'tfjs'), '--preset', 'calibration', '--seed', '2', '--out', join(dir, 'null')])).toBe(0);
    const verdict = async (suspect: string) => {
      const c2 = capture();
      expect(await main(['--json', 'verify', '--triggers', join(dir, 'ip-dir'), '--suspect', suspect, '--null', join(dir, 'null'), '--labels-only'])).toBe(0);
      return json(c2.out()).verdict.decision;
    };
    expect(await verdict(join(ONNX, 'source', 'model-nhwc.onnx'))).toBe('derived');
    expect(await verdict(join(ONNX, 'innocent', 'model.onnx'))).toBe('not-derived');
    expect(c.err()).not.toMatch(/FAILED/);
  });
});
