import { afterEach, describe, expect, it } from 'vitest';
import { httpOracle } from '../../../../../src/main/engine/suspects/http/index.ts';
import { redactUrl } from '../../../../../src/main/engine/suspects/http/redact.ts';
import { startSuspectServer, type SuspectServer } from '../../../../helpers/suspect-server.ts';
import { fakeAnswer, K, randomInputs, recordingCall, SHAPE } from './fake-classifier.ts';

const TOKEN = 'sk-live-7f3a9c2e1d';
const servers: SuspectServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('httpOracle secrets', () => {
  it('the bearer token reaches the server but never describe(), a report or an error', async () => {
    const s = await startSuspectServer({ answer: fakeAnswer, inputShape: SHAPE, numClasses: K, protocol: 'kserve', modelName: 'm', token: TOKEN, faults: (i) => (i === 0 ? '503' : i === 2 || i === 4 ? '500' : undefined) });
    servers.push(s);
    const base = { url: s.url, protocol: 'kserve' as const, model: 'm', inputShape: SHAPE, numClasses: K, labelOnly: false, batchSize: 2, concurrency: 1, backoffMs: 1, retries: 0 };
    const good = httpOracle({ ...base, retries: 3, headers: { Authorization: `Bearer ${TOKEN}` } });
    const call = recordingCall(4);
    await good.answer(randomInputs(4), 4, call);
    expect(s.log().map((r) => r.authorization)).toEqual(Array(4).fill(`Bearer ${TOKEN}`));
    expect(call.reports.map((r) => r.outcome)).toEqual(['retry', 'ok', 'retry', 'ok']);
    const failing = httpOracle({ ...base, headers: { Authorization: `Bearer ${TOKEN}` } });
    const failCall = recordingCall(2);
    const err = await failing.answer(randomInputs(2), 2, failCall).catch((e: Error) => e);
    const wrong = httpOracle({ ...base, headers: { Authorization: `Bearer ${TOKEN}x` } });
    const err401 = await wrong.answer(randomInputs(2), 2, recordingCall(2)).catch((e: Error) => e);
    const seen = [good.describe(), JSON.stringify(call.reports), JSON.stringify(failCall.reports), String(err), (err as Error).stack, String(err401)].join('\n');
    expect(String(err)).toMatch(/HTTP 50[03]/);
    expect(String(err401)).toMatch(/HTTP 401/);
    expect(seen).not.toContain(TOKEN);
  });

  it('a server echoing the credentials in its error body is scrubbed; so is a bad header value', async () => {
    const headers = { 'X-Api-Key': TOKEN, Authorization: `Bearer ${TOKEN}-b` };
    const echo = (async (_url: string, init: RequestInit) => {
      const h = init.headers as Record<string, string>;
      return new Response(JSON.stringify({ error: `key ${h['X-Api-Key']} and ${h.Authorization} rejected` }), { status: 400 });
    }) as unknown as typeof fetch;
    const o = httpOracle({ url: 'https://api.invalid/p', protocol: 'tfserving', inputShape: SHAPE, numClasses: K, labelOnly: true, headers, fetch: echo });
    const call = recordingCall(1);
    const err = await o.answer(randomInputs(1), 1, call).catch((e: Error) => e);
    expect(String(err)).toMatch(/HTTP 400: key \*\*\* and \*\*\* rejected/);
    expect(JSON.stringify(call.reports)).toMatch(/key \*\*\* and \*\*\* rejected/);
    expect(String(err) + JSON.stringify(call.reports)).not.toContain(TOKEN);
    const bad = (() => {
      try {
        httpOracle({ url: 'https://api.invalid/p', protocol: 'tfserving', inputShape: SHAPE, numClasses: K, labelOnly: true, headers: { Authorization: `Bearer ${TOKEN}\n` } });
      } catch (e) {
        return String(e);
      }
    })();
    expect(bad).toMatch(/http\.headers\.Authorization: header values cannot contain line breaks/);
    expect(bad).not.toContain(TOKEN);
  });

  it('URL credentials become Basic auth; userinfo and query values are masked in describe()', async () => {
    const s = await startSuspectServer({ answer: fakeAnswer, inputShape: SHAPE, numClasses: K, protocol: 'json' });
    servers.push(s);
    const url = s.endpoint.replace('http://', 'http://alice:pa55word@') + '?api_key=q-secret-99&v=2';
    const o = httpOracle({ url, protocol: 'json', json: { requestTemplate: '{"data": {{inputs}}}', responsePath: 'results.*.label', reply: 'labels' }, inputShape: SHAPE, numClasses: K, labelOnly: true });
    expect(o.describe()).toBe(`json http://***@${s.url.slice(7)}/predict?api_key=***&v=***`);
    await o.answer(randomInputs(3), 3, recordingCall(3));
    expect(s.log()[0].authorization).toBe(`Basic ${Buffer.from('alice:pa55word').toString('base64')}`);
    expect(redactUrl('https://u@h.example/a/b?x=1#frag')).toBe('https://***@h.example/a/b?x=***');
  });
});
