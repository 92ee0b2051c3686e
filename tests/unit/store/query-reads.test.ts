import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCase } from '../../../src/main/store/case-store.ts';
import { quantile } from '../../../src/main/store/query-reads.ts';
import { exchange, tmp } from './helpers.ts';

describe('query reads', () => {
  it('summarises a run: outcomes, retries, inputs answered, first/last time, latency median and p95, HTTP statuses', () => {
    const s = openCase(join(tmp(), 'case'), { create: { name: 'c' } });
    const run = s.startRun({ kind: 'verify', method: 'x' });
    const empty = s.querySummary(run.id);
    expect(empty).toEqual({ runId: 1, exchanges: 0, byOutcome: { ok: 0, retry: 0, failed: 0 }, retries: 0, inputsAnswered: 0, distinctInputsAnswered: 0, httpStatuses: {} });
    const { recorder } = s.recorder(run.id);
    recorder.record(exchange(1, ['a', 'b'], [0, 1]));
    recorder.record(exchange(2, ['c'], [], 'retry'));
    recorder.record(exchange(3, ['c'], [], 'failed'));
    recorder.record({ ...exchange(4, ['c', 'a'], [1, 0]), attempt: 3, httpStatus: 200 });
    const sum = s.querySummary(run.id);
    expect(sum).toEqual({
      runId: 1, exchanges: 4, byOutcome: { ok: 2, retry: 1, failed: 1 }, retries: 3, inputsAnswered: 4, distinctInputsAnswered: 3,
      firstTime: '2026-01-01T00:00:01.000Z', lastTime: '2026-01-01T00:00:04.000Z',
      latencyMedianMs: 5, latencyP95Ms: expect.closeTo(7.7, 12), httpStatuses: { 200: 1, 503: 2 },
    });
    expect(s.queries(run.id, { after: 1, limit: 2 }).map((q) => q.seq)).toEqual([2, 3]);
    expect([...s.eachQuery(run.id)].map((q) => q.seq)).toEqual([1, 2, 3, 4]);
    expect(() => s.querySummary(9)).toThrow(/run 9: no such run/);
    s.close();
  });

  it('quantile interpolates between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.95)).toBe(10);
    expect(quantile([0, 100], 0.95)).toBeCloseTo(95);
  });
});
