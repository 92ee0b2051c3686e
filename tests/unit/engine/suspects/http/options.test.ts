import { describe, expect, it } from 'vitest';
import { parseHttpOptions } from '../../../../../src/main/engine/suspects/http/options.ts';
import { parseRequestTemplate } from '../../../../../src/main/engine/suspects/http/request-template.ts';
import { parseResponsePath, selectPath } from '../../../../../src/main/engine/suspects/http/response-path.ts';
import { toAnswer } from '../../../../../src/main/engine/suspects/http/reply.ts';
import { resolveEndpoint } from '../../../../../src/main/engine/suspects/http/endpoint.ts';

const base = { url: 'https://api.example/', protocol: 'kserve', model: 'net', inputShape: [28, 28, 1], numClasses: 10, labelOnly: true };

describe('http options', () => {
  it('fills defaults', () => {
    const c = parseHttpOptions(base);
    expect(c).toMatchObject({ batchSize: 32, concurrency: 4, timeoutMs: 30_000, retries: 5, backoffMs: 250, scores: 'probabilities', inputName: 'input', headers: {} });
    expect(c.preprocessing).toEqual({ scale: 1, channelOrder: 'rgb', layout: 'nhwc' });
  });

  it('names the field at fault', () => {
    const bad = (patch: object) => () => parseHttpOptions({ ...base, ...patch });
    expect(bad({ concurrency: 0 })).toThrow('http.concurrency: expected a positive integer');
    expect(bad({ batchSize: 2.5 })).toThrow('http.batchSize: expected a positive integer');
    expect(bad({ retries: -1 })).toThrow('http.retries: expected an integer >= 0');
    expect(bad({ url: 'ftp://x' })).toThrow('http.url: expected an http(s) URL');
    expect(bad({ protocol: 'grpc' })).toThrow('http.protocol: expected "kserve", "tfserving" or "json"');
    expect(bad({ inputShape: [28, 28] })).toThrow(/http\.inputShape/);
    expect(bad({ ratePerSecond: 0 })).toThrow('http.ratePerSecond: expected a number > 0');
    expect(bad({ preprocessing: { scale: -1 } })).toThrow(/http\.preprocessing\.scale/);
    expect(bad({ retry: 3 })).toThrow(/http: Unrecognized key: "retry"/);
    expect(bad({ json: { requestTemplate: '{}', responsePath: '', reply: 'labels' } })).toThrow('http.json: only for protocol "json", not "kserve"');
  });

  it('checks the json protocol settings where they are read', () => {
    const json = (j: object, labelOnly = true) => () => parseHttpOptions({ ...base, model: undefined, protocol: 'json', labelOnly, json: { requestTemplate: '{"x": "{{inputs}}"}', responsePath: 'p', reply: 'labels', ...j } });
    expect(json({})).not.toThrow();
    expect(() => parseHttpOptions({ ...base, model: undefined, protocol: 'json' })).toThrow(/http\.json: required when protocol is "json"/);
    expect(json({ requestTemplate: '{"x": 1}' })).toThrow('http.json.requestTemplate: expected exactly one "{{inputs}}" or "{{input}}" placeholder value, found 0');
    expect(json({ requestTemplate: '{"x": ' })).toThrow(/http\.json\.requestTemplate: not valid JSON/);
    expect(json({ responsePath: 'a..b' })).toThrow('http.json.responsePath: empty segment 2 in "a..b"');
    expect(json({}, false)).toThrow(/http\.json\.reply: probability mode \(labelOnly: false\) needs "scores"/);
  });

  it('builds kserve / tfserving endpoints from a base URL and a model name', () => {
    const ep = (patch: object) => resolveEndpoint(parseHttpOptions({ ...base, ...patch })).url;
    expect(ep({ url: 'https://h.example/root/' })).toBe('https://h.example/root/v2/models/net/infer');
    expect(ep({ protocol: 'tfserving', url: 'https://h.example?key=1' })).toBe('https://h.example/v1/models/net:predict?key=1');
    expect(ep({ model: undefined, url: 'https://h.example/custom/infer' })).toBe('https://h.example/custom/infer');
  });
});

describe('request template and response path', () => {
  it('fills the placeholder (quoted or bare) with the inputs', () => {
    expect(parseRequestTemplate('{"a": {"b": "{{inputs}}"}, "n": 1}').fill([[1], [2]])).toBe('{"a":{"b":[[1],[2]]},"n":1}');
    const single = parseRequestTemplate('{"instances": [ {{input}} ]}');
    expect(single.single).toBe(true);
    expect(single.fill([0.5])).toBe('{"instances":[[0.5]]}');
  });

  it('follows keys, indices and "*" and names the place where a reply differs', () => {
    const reply = { outputs: [{ data: [1, 2] }], results: [{ label: 3 }, { label: 4 }], obj: { '0': 'x' } };
    expect(selectPath(reply, parseResponsePath('outputs.0.data'))).toEqual([1, 2]);
    expect(selectPath(reply, parseResponsePath('results.*.label'))).toEqual([3, 4]);
    expect(selectPath(reply, parseResponsePath('obj.0'))).toBe('x');
    expect(selectPath(reply, parseResponsePath(''))).toBe(reply);
    expect(() => selectPath(reply, parseResponsePath('outputs.1.data'))).toThrow('response path: outputs has 1 elements, no element 1');
    expect(() => selectPath({ results: [{ label: 1 }, { lbl: 2 }] }, parseResponsePath('results.*.label'))).toThrow('response path: no "label" at results.1 (keys: "lbl")');
    expect(() => selectPath({ results: {} }, parseResponsePath('results.*'))).toThrow('expected an array at results (for "*"), found an object');
  });
});

describe('reply checks', () => {
  const o = { numClasses: 3, labelOnly: false, scores: 'probabilities' as const };
  it('takes argmax labels (first maximum) and keeps probabilities', () => {
    const a = toAnswer({ kind: 'scores', rows: [[0.2, 0.4, 0.4], [0.7, 0.2, 0.1]] }, 2, o);
    expect(Array.from(a.labels)).toEqual([1, 0]);
    expect(Array.from(a.probs!)).toEqual(Array.from(Float32Array.from([0.2, 0.4, 0.4, 0.7, 0.2, 0.1])));
  });
  it('softmaxes logits in float64 without overflow', () => {
    const a = toAnswer({ kind: 'scores', rows: [[1000, 1000 + Math.log(3), 0]] }, 1, { ...o, scores: 'logits' });
    expect(a.probs![0]).toBeCloseTo(0.25, 7);
    expect(a.probs![1]).toBeCloseTo(0.75, 7);
  });
  it('refuses what does not fit', () => {
    expect(() => toAnswer({ kind: 'scores', rows: [[0.5, 0.5, 0]] }, 2, o)).toThrow('reply has 1 rows for 2 inputs');
    expect(() => toAnswer({ kind: 'scores', rows: [[0.5, 0.5]] }, 1, o)).toThrow('row 0 has 2 scores, expected 3');
    expect(() => toAnswer({ kind: 'scores', rows: [[0.5, '0.5', 0]] }, 1, o)).toThrow('row 0, class 1: expected a finite number, got "0.5"');
    expect(() => toAnswer({ kind: 'scores', rows: [[0.5, 0.4, 0]] }, 1, o)).toThrow(/probabilities sum to 0\.9/);
    expect(() => toAnswer({ kind: 'labels', labels: [1] }, 1, o)).toThrow(/labels only; probability mode needs scores/);
    expect(() => toAnswer({ kind: 'labels', labels: [3] }, 1, { ...o, labelOnly: true })).toThrow('row 0: expected an integer label in [0, 3), got 3');
    expect(() => toAnswer({ kind: 'labels', labels: [1.5] }, 1, { ...o, labelOnly: true })).toThrow(/got 1\.5/);
    // Label-only: unnormalised scores are fine (only the argmax is used), and no probabilities leave.
    expect(toAnswer({ kind: 'scores', rows: [[5, -2, 9]] }, 1, { ...o, labelOnly: true })).toEqual({ labels: Int32Array.from([2]) });
  });
});
