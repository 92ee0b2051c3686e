import { afterEach, describe, expect, it } from 'vitest';
import { httpOracle, type HttpOracleOptions } from '../../../../../src/main/engine/suspects/http/index.ts';
import { preprocess, PreprocessingSchema } from '../../../../../src/main/engine/suspects/preprocess.ts';
import { startSuspectServer, type SuspectServer, type SuspectServerOptions } from '../../../../helpers/suspect-server.ts';
import { fakeAnswer, K, randomInputs, recordingCall, SHAPE } from './fake-classifier.ts';

const servers: SuspectServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Protocol = 'kserve' | 'tfserving' | 'json';
async function serve(protocol: Protocol, extra: Partial<SuspectServerOptions> = {}) {
  const s = await startSuspectServer({ answer: fakeAnswer, inputShape: SHAPE, numClasses: K, protocol, modelName: 'm1', ...extra });
  servers.push(s);
  return s;
}
function clientFor(s: SuspectServer, protocol: Protocol, labelOnly: boolean, extra: Partial<HttpOracleOptions> = {}): HttpOracleOptions {
  const json = { requestTemplate: '{"data": "{{inputs}}"}', responsePath: labelOnly ? 'results.*.label' : 'results.*.scores', reply: labelOnly ? ('labels' as const) : ('scores' as const) };
  return {
    url: protocol === 'json' ? s.endpoint : s.url,
    protocol,
    ...(protocol === 'json' ? { json } : { model: 'm1' }),
    inputShape: SHAPE,
    numClasses: K,
    labelOnly,
    batchSize: 8,
    ...extra,
  };
}

const N = 37; // not a multiple of the batch size: 5 requests, the last with 5 inputs

describe.each(['kserve', 'tfserving', 'json'] as const)('httpOracle over %s', (protocol) => {
  it('probability mode returns exactly the probabilities and labels of the model behind the API, in order', async () => {
    const s = await serve(protocol);
    const x = randomInputs(N);
    const want = await fakeAnswer(x, N);
    const call = recordingCall(N);
    const got = await httpOracle(clientFor(s, protocol, false)).answer(x, N, call);
    expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    expect(got.probs).toHaveLength(N * K);
    for (let i = 0; i < N * K; i++) expect(Math.abs(got.probs![i] - want.probs[i])).toBeLessThan(1e-6);
    expect(s.requests()).toBe(5);
    expect(call.reports.map((r) => [r.outcome, r.attempt, r.httpStatus, r.inputHashes.length])).toEqual([
      ...Array(4).fill(['ok', 1, 200, 8]),
      ['ok', 1, 200, 5],
    ]);
    const sorted = [...call.reports].sort((a, b) => Number(a.inputHashes[0].slice(1)) - Number(b.inputHashes[0].slice(1)));
    expect(sorted.flatMap((r) => r.inputHashes)).toEqual(call.hashes);
    expect(sorted.flatMap((r) => r.labels)).toEqual(Array.from(want.labels));
    expect(sorted.flatMap((r) => r.probs).length).toBe(N * K);
  });

  it('logits mode reads score rows as logits (softmax in float64)', async () => {
    const s = await serve(protocol, { scores: 'logits' });
    const x = randomInputs(N, 5);
    const want = await fakeAnswer(x, N);
    const got = await httpOracle(clientFor(s, protocol, false, { scores: 'logits' })).answer(x, N, recordingCall(N));
    expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    for (let i = 0; i < N * K; i++) expect(Math.abs(got.probs![i] - want.probs[i])).toBeLessThan(1e-6);
    // Declared as probabilities, the same logits are refused, not misread.
    await expect(httpOracle(clientFor(s, protocol, false)).answer(x, N, recordingCall(N))).rejects.toThrow(/not a probability.*declare scores: "logits"/);
  });

  it('label-only mode returns only labels, from a labels-only API and from one that also sends scores', async () => {
    const x = randomInputs(N, 7);
    const want = await fakeAnswer(x, N);
    for (const serverLabelOnly of [true, false]) {
      const s = await serve(protocol, { labelOnly: serverLabelOnly });
      const call = recordingCall(N);
      const oracle = httpOracle(clientFor(s, protocol, true));
      expect(oracle.labelOnly).toBe(true);
      const got = await oracle.answer(x, N, call);
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      expect(got.probs).toBeUndefined();
      expect(call.reports.every((r) => r.outcome === 'ok' && r.labels !== undefined && r.probs === undefined)).toBe(true);
    }
  });

  it('probability mode on a labels-only API fails clearly, at once', async () => {
    const s = await serve(protocol, { labelOnly: true });
    const opts = clientFor(s, protocol, false);
    if (protocol === 'json') {
      // The json preset declares where the scores are; a labels reply is refused when the options are read.
      expect(() => httpOracle({ ...opts, json: { ...opts.json!, reply: 'labels', responsePath: 'results.*.label' } })).toThrow(/http\.json\.reply: probability mode/);
      await expect(httpOracle(opts).answer(randomInputs(3), 3, recordingCall(3))).rejects.toThrow(/no "scores" at results\.0/);
    } else {
      const call = recordingCall(3);
      await expect(httpOracle(opts).answer(randomInputs(3), 3, call)).rejects.toThrow(/labels only; probability mode needs scores/);
      expect(call.reports.map((r) => r.outcome)).toEqual(['failed']);
    }
    expect(s.requests()).toBe(1);
  });

  it('sends the declared layout and preprocessing (nchw, scale, mean/std, bgr)', async () => {
    const s = await serve(protocol, { layout: 'nchw' });
    const pre = { layout: 'nchw' as const, scale: 255, mean: [120, 110, 100], std: [60, 50, 40], channelOrder: 'bgr' as const };
    const x = randomInputs(10, 9);
    // The server hands `answer` NHWC values: what the API's model sees is the preprocessed input.
    const seen = preprocess(x, 10, SHAPE, PreprocessingSchema.parse({ ...pre, layout: 'nhwc' }));
    const want = await fakeAnswer(seen, 10);
    const got = await httpOracle(clientFor(s, protocol, false, { preprocessing: pre })).answer(x, 10, recordingCall(10));
    for (let i = 0; i < 10 * K; i++) expect(Math.abs(got.probs![i] - want.probs[i])).toBeLessThan(1e-6);
  });
});

describe('httpOracle protocol details', () => {
  it('kserve: outputName picks an output; json "{{input}}" sends one input per request', async () => {
    const x = randomInputs(6, 13);
    const want = await fakeAnswer(x, 6);
    const k = await serve('kserve');
    const byName = await httpOracle(clientFor(k, 'kserve', true, { outputName: 'label' })).answer(x, 6, recordingCall(6));
    expect(Array.from(byName.labels)).toEqual(Array.from(want.labels));
    await expect(httpOracle(clientFor(k, 'kserve', true, { outputName: 'nope' })).answer(x, 6, recordingCall(6))).rejects.toThrow(/no output named "nope" \(outputs: "scores", "label"\)/);

    const j = await serve('json');
    const single = clientFor(j, 'json', false, { json: { requestTemplate: '{"data": ["{{input}}"]}', responsePath: 'results.0.scores', reply: 'scores' } });
    const call = recordingCall(6);
    const got = await httpOracle(single).answer(x, 6, call);
    expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    expect(j.requests()).toBe(6);
    expect(j.log().map((r) => r.n)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(call.reports.every((r) => r.inputHashes.length === 1)).toBe(true);
  });

  it('n = 0 sends nothing; wrong input sizes and hash counts are refused', async () => {
    const s = await serve('tfserving');
    const o = httpOracle(clientFor(s, 'tfserving', true));
    expect((await o.answer(new Float32Array(0), 0, recordingCall(0))).labels).toHaveLength(0);
    await expect(o.answer(new Float32Array(10), 2, recordingCall(2))).rejects.toThrow(/expected 2×4×4×3 = 96 input values, got 10/);
    await expect(o.answer(randomInputs(2), 2, recordingCall(3))).rejects.toThrow(/expected 2 input hashes, got 3/);
    expect(s.requests()).toBe(0);
  });
});
