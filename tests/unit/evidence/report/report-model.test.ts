import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReportModel, ReportModelError, type ReportModelInput } from '../../../../src/main/evidence/report/report-model.ts';
import { renderReport } from '../../../../src/main/evidence/report/render-report.ts';
import { fixtureModel } from './report-fixture.ts';

/** The fixture with one change applied (deep-cloned first; typed arrays kept). */
function broken(change: (m: any) => void): unknown {
  const m = fixtureModel() as any;
  const copy = { ...m, case: { ...m.case }, run: { ...m.run }, verdict: { ...m.verdict }, triggerSet: { ...m.triggerSet }, reproducibility: { ...m.reproducibility }, exhibits: m.exhibits.map((e: object) => ({ ...e })), nullScores: [...m.nullScores] };
  change(copy);
  return copy;
}

function rejection(input: unknown): string {
  try {
    parseReportModel(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ReportModelError);
    return (e as Error).message;
  }
  throw new Error('the model was accepted');
}

describe('report model validation', () => {
  it('accepts the fixture and converts plain arrays to typed pixels', () => {
    const m = parseReportModel(fixtureModel());
    expect(m.triggerSet.thumbnails[0].trigger).toBeInstanceOf(Float32Array);
    const plain = fixtureModel();
    plain.triggerSet.thumbnails = plain.triggerSet.thumbnails!.map((t) => ({ ...t, trigger: Array.from(t.trigger), original: undefined }));
    expect(parseReportModel(plain).triggerSet.thumbnails[1].trigger).toBeInstanceOf(Float32Array);
  });

  it.each([
    ['verdict.pEmpirical', (m: any) => (m.verdict.pEmpirical = 1.5)],
    ['run.method', (m: any) => (m.run.method = 'watermark')],
    ['case.id', (m: any) => (m.case.id = '')],
    ['exhibits[1].sha256', (m: any) => (m.exhibits[1].sha256 = 'ABC123')],
    ['generatedAt', (m: any) => (m.generatedAt = 'yesterday')],
    ['run.seeds.generation', (m: any) => (m.run.seeds = { generation: 1.5 })],
    ['triggerSet.inputShape', (m: any) => (m.triggerSet.inputShape = [28, 28])],
    ['reproducibility.bundle.signerFingerprint', (m: any) => (m.reproducibility.bundle = { ...m.reproducibility.bundle, signerFingerprint: 'nope' })],
  ])('names the field at fault: %s', (field, change) => {
    expect(rejection(broken(change))).toContain(`${field}:`);
  });

  it('rejects a model that contradicts itself, naming the field', () => {
    expect(rejection(broken((m) => m.nullScores.pop()))).toMatch(/nullScores: lists 59 innocent models but verdict.nullSize is 60/);
    expect(rejection(broken((m) => (m.verdict.nullMax = 0.99)))).toContain('verdict.nullMax:');
    expect(rejection(broken((m) => (m.verdict.level = 0.01)))).toContain('verdict.level: is 0.01 but run.level is 0.001');
    expect(rejection(broken((m) => (m.triggerSet.thumbnails = [{ ...m.triggerSet.thumbnails[0], trigger: new Float32Array(10) }])))).toContain('triggerSet.thumbnails[0].trigger: has 10 values, expected 28×28×1 = 784');
    expect(rejection(broken((m) => (m.triggerSet.matches = [1, 0, 1])))).toContain('triggerSet.matches: has 3 flags for 100 triggers');
    expect(rejection(broken((m) => (m.triggerSet.matches = m.triggerSet.matches.map(() => 2))))).toContain('triggerSet.matches:');
    expect(rejection(broken((m) => (m.triggerSet.thumbnails = [{ ...m.triggerSet.thumbnails[0], trigger: new Float32Array(784).fill(NaN) }])))).toContain('triggerSet.thumbnails[0].trigger:');
    expect(rejection(broken((m) => (m.reproducibility = { replayCommand: 'provenant replay x' })))).toContain('reproducibility.replayCommand:');
  });

  it('lists every issue, not only the first', () => {
    const msg = rejection(broken((m) => {
      m.verdict.pEmpirical = -1;
      m.case.name = '';
    }));
    expect(msg).toContain('verdict.pEmpirical:');
    expect(msg).toContain('case.name:');
  });

  it('accepts an empty null given as NaN (verdict() with no innocent models)', () => {
    const m = broken((x) => {
      x.nullScores = [];
      x.verdict = { ...x.verdict, decision: 'insufficient-null', nullSize: 0, nullMax: NaN, pParametric: null, model: null, supportedBy: 'none', pEmpirical: 1 };
    });
    expect(parseReportModel(m).verdict.nullMax).toBeNull();
  });

  it('renderReport refuses an invalid model before writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-invalid-'));
    const invalid = broken((m) => (m.queries = { ...m.queries, sent: -1 })) as ReportModelInput;
    await expect(renderReport(invalid, join(dir, 'r.pdf'))).rejects.toThrow(/queries\.sent:/);
    expect(existsSync(join(dir, 'r.pdf'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
