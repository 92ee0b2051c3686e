import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountedSuspect } from '../../../src/main/engine/suspects/accounted-suspect.ts';
import type { Oracle } from '../../../src/main/engine/suspects/types.ts';
import { openCase } from '../../../src/main/store/case-store.ts';
import { exchange, tmp } from './helpers.ts';

/** A 1×1×1-input, 3-class oracle whose answer depends on the input only; counts what it is sent. */
function fakeOracle(): Oracle & { sentInputs: number[] } {
  const sentInputs: number[] = [];
  return {
    sentInputs, inputShape: [1, 1, 1], numClasses: 3, labelOnly: false, describe: () => 'fake',
    async answer(inputs, n, call) {
      sentInputs.push(...inputs);
      const labels = Int32Array.from(inputs, (v) => Math.round(v * 10) % 3);
      const probs = Float32Array.from({ length: n * 3 }, (_, i) => (labels[Math.floor(i / 3)] === i % 3 ? 0.8 : 0.1));
      call.report({ time: new Date().toISOString(), latencyMs: 1, attempt: 1, inputHashes: call.hashes, outcome: 'ok', labels: Array.from(labels), probs: Array.from(probs) });
      return { labels, probs };
    },
  };
}

describe('store.recorder', () => {
  it('records every exchange durably and numbered; reopening the run rebuilds the cache and continues the numbering', () => {
    const dir = join(tmp(), 'case');
    let s = openCase(dir, { create: { name: 'c' } });
    const run = s.startRun({ kind: 'verify', method: 'ipguard' });
    const r = s.recorder(run.id);
    expect(r).toMatchObject({ seqStart: 0, resumed: { exchanges: 0, replies: 0 } });
    r.recorder.record(exchange(1, ['h1'], [], 'retry'));
    r.recorder.record(exchange(2, ['h1', 'h2'], [1, 0]));
    s.close(); // a crash: the run is never finished
    s = openCase(dir);
    expect(s.run(run.id)?.status).toBe('running');
    const again = s.recorder(run.id);
    expect(again.seqStart).toBe(2);
    expect(again.resumed).toEqual({ exchanges: 2, replies: 2 });
    expect(again.cache.get('h1')?.label).toBe(1);
    expect(Array.from(again.cache.get('h2')!.probs!)).toEqual([0.75, 0.25]);
    expect(again.cache.get('h3')).toBeUndefined();
    expect(() => again.recorder.record(exchange(2, ['h9'], [0]))).toThrow(/query 2 is already recorded/);
    again.recorder.record(exchange(3, ['h3'], [0]));
    expect(s.queries(run.id).map((q) => q.seq)).toEqual([1, 2, 3]);
    expect(s.queries(run.id)[1]).toMatchObject({ runId: 1, seq: 2, outcome: 'ok', inputHashes: ['h1', 'h2'], labels: [1, 0], probs: [0.25, 0.75, 0.75, 0.25], attempt: 1 });
    expect(s.queries(run.id)[0]).toMatchObject({ outcome: 'retry', httpStatus: 503, error: 'HTTP 503' });
    expect(s.audit().filter((e) => e.action === 'query.record')).toHaveLength(3);
    s.close();
  });

  it('refuses a finished run, a partial one until resumed, a bad exchange, and writes once the run is finished', () => {
    const s = openCase(join(tmp(), 'case'), { create: { name: 'c' } });
    const run = s.startRun({ kind: 'verify', method: 'x' });
    const r = s.recorder(run.id);
    expect(() => r.recorder.record({ ...exchange(1, ['a', 'b'], [1]) })).toThrow(/one label per input/);
    expect(() => r.recorder.record({ ...exchange(1, ['a'], [1]), probs: [0.5, NaN] })).toThrow(/probs: value\[1\] is NaN/);
    s.finishRun(run.id, { status: 'partial' });
    expect(() => r.recorder.record(exchange(1, ['a'], [1]))).toThrow(/the run is partial/);
    expect(() => s.recorder(run.id)).toThrow(/it is partial \(resume it first\)/);
    s.resumeRun(run.id);
    s.recorder(run.id).recorder.record(exchange(1, ['a'], [1]));
    s.finishRun(run.id, { status: 'complete' });
    expect(() => s.recorder(run.id)).toThrow(/it is complete/);
    expect(() => s.recorder(77)).toThrow(/run 77: no such run/);
    expect(s.queries(run.id)).toHaveLength(1);
    s.close();
  });

  it('with accountedSuspect: an interrupted run resumed from the case sends no input twice and gives the same answers', async () => {
    const dir = join(tmp(), 'case');
    const inputs = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    const straight = await accountedSuspect(fakeOracle()).query(inputs, 6);

    let s = openCase(dir, { create: { name: 'c' } });
    const run = s.startRun({ kind: 'verify', method: 'x' });
    const first = fakeOracle();
    let r = s.recorder(run.id);
    const a = accountedSuspect(first, { cache: r.cache, recorder: r.recorder, seqStart: r.seqStart, budget: 4 });
    await expect(a.query(inputs, 6)).rejects.toThrow(/budget exhausted/);
    expect(first.sentInputs).toHaveLength(4);
    s.finishRun(run.id, { status: 'partial' });
    s.close();

    s = openCase(dir);
    s.resumeRun(run.id);
    r = s.recorder(run.id);
    expect(r.resumed.replies).toBe(4);
    const second = fakeOracle();
    const b = accountedSuspect(second, { cache: r.cache, recorder: r.recorder, seqStart: r.seqStart });
    const resumed = await b.query(inputs, 6);
    expect(second.sentInputs.map((v) => Math.fround(v))).toEqual([0.5, 0.6].map(Math.fround)); // only what was missing
    expect(Array.from(resumed.labels)).toEqual(Array.from(straight.labels));
    expect(Array.from(resumed.probs!)).toEqual(Array.from(straight.probs!));
    expect(s.queries(run.id).map((q) => q.seq)).toEqual([1, 2]);
    const hashes = s.queries(run.id).flatMap((q) => q.inputHashes);
    expect(new Set(hashes).size).toBe(6); // every input recorded once
    s.close();
  });
});
