import { afterEach, describe, expect, it } from 'vitest';
import { httpOracle, type HttpOracleOptions } from '../../../../../src/main/engine/suspects/http/index.ts';
import { startSuspectServer, type Fault, type SuspectServer } from '../../../../helpers/suspect-server.ts';
import { fakeAnswer, K, randomInputs, recordingCall, SHAPE } from './fake-classifier.ts';

const servers: SuspectServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(protocol: 'kserve' | 'tfserving' | 'json', faults: (i: number) => Fault | undefined, extra: Partial<HttpOracleOptions> = {}) {
  const s = await startSuspectServer({ answer: fakeAnswer, inputShape: SHAPE, numClasses: K, protocol, faults, slowMs: 30, labelOnly: extra.labelOnly });
  servers.push(s);
  const opts: HttpOracleOptions = {
    url: s.endpoint,
    protocol,
    ...(protocol === 'json' ? { json: { requestTemplate: '{"data": "{{inputs}}"}', responsePath: 'results.*.scores', reply: 'scores' } } : {}),
    inputShape: SHAPE,
    numClasses: K,
    labelOnly: false,
    batchSize: 4,
    concurrency: 1, // request indices then follow input order, so the fault plan is easy to read
    backoffMs: 1,
    timeoutMs: 500, // generous: only the 'timeout' fault may hit it, even on a loaded machine
    retries: 3,
    ...extra,
  };
  return { s, oracle: httpOracle(opts) };
}

const N = 10; // 3 requests: inputs 0–3, 4–7, 8–9

describe.each(['kserve', 'tfserving', 'json'] as const)('httpOracle faults over %s', (protocol) => {
  it('transient faults (429, 500, 503, timeout, garbage, slow) are retried; the answers are exact', async () => {
    const plan: Record<number, Fault> = { 0: '429', 1: '500', 3: '503', 4: 'timeout', 5: 'garbage', 6: 'slow' };
    const { s, oracle } = await setup(protocol, (i) => plan[i]);
    const x = randomInputs(N);
    const want = await fakeAnswer(x, N);
    const call = recordingCall(N);
    const got = await oracle.answer(x, N, call);
    expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    for (let i = 0; i < N * K; i++) expect(Math.abs(got.probs![i] - want.probs[i])).toBeLessThan(1e-6);
    // Request 1: 429, 500, ok. Request 2: 503, timeout, garbage, slow ok. Request 3: ok.
    expect(call.reports.map((r) => [r.inputHashes[0], r.attempt, r.outcome, r.httpStatus])).toEqual([
      ['h0', 1, 'retry', 429],
      ['h0', 2, 'retry', 500],
      ['h0', 3, 'ok', 200],
      ['h4', 1, 'retry', 503],
      ['h4', 2, 'retry', undefined],
      ['h4', 3, 'retry', 200],
      ['h4', 4, 'ok', 200],
      ['h8', 1, 'ok', 200],
    ]);
    expect(call.reports[4].error).toMatch(/timed out after 500 ms/);
    expect(call.reports[5].error).toMatch(/not JSON/);
    expect(s.requests()).toBe(8);
  });

  it('a persistent 500 fails clearly after the configured retries, with every attempt reported', async () => {
    const { s, oracle } = await setup(protocol, () => '500', { retries: 2 });
    const call = recordingCall(N);
    const err = await oracle.answer(randomInputs(N), N, call).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`^${protocol} http://127\\.0\\.0\\.1:\\d+/.*: request 1 of 3 \\(inputs 0–3\\) failed \\(HTTP 500, gave up after 3 attempts\\): HTTP 500 Internal Server Error: internal error$`));
    expect(call.reports.map((r) => r.outcome)).toEqual(['retry', 'retry', 'failed']);
    expect(s.requests()).toBe(3);
  });

  it('systematic mismatches fail at once, without retry and without an answer', async () => {
    const cases: [Fault, RegExp][] = [
      ['wrong-classes', /row 0 has 6 scores, expected 5 \(one per class\)|shape \[4,6\]|has 6 scores/],
      ['wrong-rows', /reply has 3 rows for 4 inputs/],
    ];
    for (const [fault, message] of cases) {
      const { s, oracle } = await setup(protocol, (i) => (i === 1 ? fault : undefined));
      const call = recordingCall(N);
      const err = await oracle.answer(randomInputs(N), N, call).catch((e: Error) => e);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/request 2 of 3 \(inputs 4–7\) failed \(HTTP 200, attempt 1, not retried/);
      expect(s.requests()).toBe(2); // request 3 is never sent
      expect(call.reports.map((r) => r.outcome)).toEqual(['ok', 'failed']);
    }
  });

  it('a label outside [0, numClasses) in label-only mode fails at once', async () => {
    const { s, oracle } = await setup(protocol, (i) => (i === 0 ? 'wrong-classes' : undefined), {
      labelOnly: true,
      ...(protocol === 'json' ? { json: { requestTemplate: '{"data": "{{inputs}}"}', responsePath: 'results.*.label', reply: 'labels' } } : {}),
    });
    await expect(oracle.answer(randomInputs(N), N, recordingCall(N))).rejects.toThrow(/row 0: expected an integer label in \[0, 5\), got 5/);
    expect(s.requests()).toBe(1);
  });
});

describe('httpOracle refusals', () => {
  it('401 fails at once with a hint, no retry', async () => {
    const s = await startSuspectServer({ answer: fakeAnswer, inputShape: SHAPE, numClasses: K, protocol: 'kserve', modelName: 'm', token: 'right-token-123' });
    servers.push(s);
    const oracle = httpOracle({ url: s.url, protocol: 'kserve', model: 'm', inputShape: SHAPE, numClasses: K, labelOnly: true, headers: { Authorization: 'Bearer wrong-token-456' } });
    const call = recordingCall(3);
    await expect(oracle.answer(randomInputs(3), 3, call)).rejects.toThrow(/failed \(HTTP 401, attempt 1, not retried: this failure would repeat\): HTTP 401 Unauthorized: unauthorized \(check the credentials in headers\)/);
    expect(call.reports).toMatchObject([{ outcome: 'failed', httpStatus: 401, attempt: 1 }]);
    expect(s.requests()).toBe(1);
  });

  it('404 (unknown model) fails at once; a network error is retried, then fails naming it', async () => {
    const s = await startSuspectServer({ answer: fakeAnswer, inputShape: SHAPE, numClasses: K, protocol: 'tfserving', modelName: 'm' });
    servers.push(s);
    const base = { protocol: 'tfserving' as const, inputShape: SHAPE, numClasses: K, labelOnly: true, backoffMs: 1, retries: 2 };
    await expect(httpOracle({ ...base, url: s.url, model: 'other' }).answer(randomInputs(2), 2, recordingCall(2))).rejects.toThrow(/HTTP 404.*check url and model/);
    const url = s.url;
    await s.close();
    servers.pop();
    const call = recordingCall(2);
    await expect(httpOracle({ ...base, url, model: 'm' }).answer(randomInputs(2), 2, call)).rejects.toThrow(/gave up after 3 attempts\): network error: ECONNREFUSED/);
    expect(call.reports.map((r) => r.outcome)).toEqual(['retry', 'retry', 'failed']);
  });

  it('NaN / Infinity in a reply, or a missing response path, fail at once', async () => {
    const bodies = ['{"predictions": [[NaN, 0, 0, 0, 1]]}', '{"predictions": [[1e999, 0, 0, 0, 0]]}', '{"nothing": []}'];
    const messages = [/contains NaN or Infinity/, /class 0: expected a finite number, got Infinity/, /no "predictions" array/];
    for (let b = 0; b < bodies.length; b++) {
      let calls = 0;
      const fetch = (async () => (calls++, new Response(bodies[b], { status: 200 }))) as typeof globalThis.fetch;
      const oracle = httpOracle({ url: 'http://api.invalid/p', protocol: 'tfserving', inputShape: SHAPE, numClasses: K, labelOnly: false, fetch });
      await expect(oracle.answer(randomInputs(1), 1, recordingCall(1))).rejects.toThrow(messages[b]);
      expect(calls).toBe(1);
    }
    let calls = 0;
    const fetch = (async () => (calls++, new Response('{"results": [{"score": [1]}]}'))) as typeof globalThis.fetch;
    const json = { requestTemplate: '{"x": "{{inputs}}"}', responsePath: 'results.*.scores', reply: 'scores' as const };
    const oracle = httpOracle({ url: 'http://api.invalid/p', protocol: 'json', json, inputShape: SHAPE, numClasses: K, labelOnly: false, fetch });
    await expect(oracle.answer(randomInputs(1), 1, recordingCall(1))).rejects.toThrow(/response path: no "scores" at results\.0 \(keys: "score"\)/);
    expect(calls).toBe(1);
  });
});
