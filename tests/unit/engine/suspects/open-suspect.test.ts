import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSuspect, suspectKind } from '../../../../src/main/engine/suspects/open-suspect.ts';
import { suspectSpec } from '../../../../src/main/cli/commands/verify.ts';
import { initBackend } from '../../../../src/main/engine/tensor/backend.ts';

const FIX = resolve('tests/fixtures/onnx/source');
const MNIST = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10, labelOnly: true };

describe('suspectKind / suspectSpec (what --suspect names)', () => {
  it('tells a URL, an .onnx file and a model directory apart, and names what is missing', () => {
    expect(suspectKind('https://api.example/v2')).toBe('http');
    expect(suspectKind(join(FIX, 'model.onnx'))).toBe('onnx');
    expect(suspectKind(join(FIX, 'tfjs'))).toBe('model-dir');
    expect(() => suspectKind('/no/such/model')).toThrow(/"\/no\/such\/model": no such file or directory/);
    const f = join(mkdtempSync(join(tmpdir(), 'susp-')), 'weights.bin');
    writeFileSync(f, 'x');
    expect(() => suspectKind(f)).toThrow(/a file that is not \.onnx/);
  });

  it('builds HTTP specs from flags; the secret comes from the environment only', () => {
    const spec = suspectSpec('http://h:1', { protocol: 'kserve', model: 'm', 'auth-env': 'K', header: ['X-Case: 7'], 'batch-size': '16', mean: '0.1,0.2,0.3', layout: 'nchw' }, { K: 'Bearer s3cret' });
    expect(spec).toMatchObject({ kind: 'http', protocol: 'kserve', model: 'm', batchSize: 16, headers: { Authorization: 'Bearer s3cret', 'X-Case': '7' }, preprocessing: { mean: [0.1, 0.2, 0.3], layout: 'nchw' } });
    expect(() => suspectSpec('http://h:1', { protocol: 'kserve', 'auth-env': 'MISSING' }, {})).toThrow(/--auth-env MISSING: the environment variable is not set/);
    expect(() => suspectSpec('http://h:1', {})).toThrow(/--protocol kserve\|tfserving\|json is required/);
    expect(() => suspectSpec('http://h:1', { protocol: 'json' })).toThrow(/--json-request, --json-response and --json-reply/);
    expect(() => suspectSpec('http://h:1', { protocol: 'grpc' })).toThrow(/--protocol/);
    expect(() => suspectSpec('http://h:1', { protocol: 'kserve', header: ['no-colon'] })).toThrow(/--header: expected "Name: value"/);
    expect(() => suspectSpec(join(FIX, 'tfjs'), { scale: '255' })).toThrow(/apply to \.onnx files and URLs/);
  });
});

describe('openSuspect', () => {
  it('opens a model directory and an ONNX file with their hashes as identity', async () => {
    await initBackend('wasm');
    const dir = await openSuspect({ kind: 'model-dir', dir: join(FIX, 'tfjs') }, MNIST);
    expect(dir.identity).toMatch(/^model-dir sha256:[0-9a-f]{64}$/);
    await dir.oracle.close?.();
    const onnx = await openSuspect({ kind: 'onnx', file: join(FIX, 'model.onnx') }, MNIST);
    expect(onnx.identity).toMatch(/^onnx sha256:[0-9a-f]{64}$/);
    expect(onnx.exhibit.sha256).toBe(onnx.identity.slice('onnx sha256:'.length));
    await onnx.oracle.close?.();
  });

  it('refuses a suspect whose input or class count differs from the trigger set', async () => {
    await expect(openSuspect({ kind: 'onnx', file: join(FIX, 'model.onnx') }, { ...MNIST, inputShape: [32, 32, 3] })).rejects.toThrow(/takes 28×28×1 inputs with 10 classes; the trigger set is for 32×32×3 with 10/);
    await expect(openSuspect({ kind: 'model-dir', dir: join(FIX, 'tfjs') }, { ...MNIST, numClasses: 43 })).rejects.toThrow(/the trigger set is for 28×28×1 with 43/);
  });

  it('names an HTTP suspect by protocol and redacted URL, never its credentials', async () => {
    const s = await openSuspect({ kind: 'http', url: 'https://user:pw@api.example/v1?key=abc', protocol: 'tfserving', model: 'm', headers: { Authorization: 'Bearer zzz' } }, MNIST);
    expect(s.identity).toMatch(/^http tfserving https:\/\/.*api\.example/);
    expect(s.identity + s.oracle.describe()).not.toMatch(/pw|abc|zzz/);
  });
});
