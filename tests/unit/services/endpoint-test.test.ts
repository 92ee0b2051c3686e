/**
 * endpoints.test against a local prediction API (tests/helpers/suspect-server.ts): one seeded
 * probe, its latency and label; the API key sent as the Authorization header; failures (a refused
 * key, an unknown key name, nothing listening, a wrong protocol) as a message, never a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../src/main/services/secret-store.ts';
import { testEndpoint } from '../../../src/main/services/endpoint-test.ts';
import { startSuspectServer, type SuspectServer } from '../../helpers/suspect-server.ts';

let server: SuspectServer;
const seen: Float32Array[] = [];
const secrets = new MemorySecretStore();

beforeAll(async () => {
  secrets.set('api', 'Bearer k3y-value');
  server = await startSuspectServer({
    inputShape: [4, 4, 1], numClasses: 3, protocol: 'kserve', modelName: 'm', labelOnly: true, token: 'k3y-value',
    answer: async (x, n) => {
      seen.push(x.slice());
      return { labels: Int32Array.from({ length: n }, () => 2), probs: new Float32Array(n * 3) };
    },
  });
});
afterAll(() => server.close());

const input = (endpoint: Record<string, unknown>) => ({ endpoint: { protocol: 'kserve' as const, labelsOnly: true, model: 'm', url: server.url, ...endpoint }, inputShape: [4, 4, 1] as [number, number, number], numClasses: 3 });

describe('endpoints.test', () => {
  it('sends one seeded probe with the stored key and reports latency and label', async () => {
    const r = await testEndpoint(input({ apiKey: 'api' }), secrets);
    expect(r).toMatchObject({ ok: true, label: 2, latencyMs: expect.any(Number) });
    expect(r.message).toMatch(/^kserve http:\/\/127\.0\.0\.1:\d+\/ answered class 2 in \d+ ms$/);
    await testEndpoint(input({ apiKey: 'api' }), secrets);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual(seen[1]); // the same probe every time
    expect(new Set(seen[0]).size).toBeGreaterThan(8);
    expect(server.log().map((q) => q.authorization)).toEqual(['Bearer k3y-value', 'Bearer k3y-value']);
  });

  it('says what went wrong, without the key', async () => {
    secrets.set('wrong', 'Bearer not-it');
    const refused = await testEndpoint(input({ apiKey: 'wrong' }), secrets);
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/401/);
    expect(refused.message).not.toContain('not-it');
    expect(await testEndpoint(input({ apiKey: 'missing' }), secrets)).toMatchObject({ ok: false, message: expect.stringContaining('endpoint.apiKey: no API key named "missing"') });
    const down = await testEndpoint(input({ url: 'http://127.0.0.1:9/', apiKey: 'api' }), secrets);
    expect(down.ok).toBe(false);
    expect(down.message).not.toContain('k3y-value');
    const protocol = await testEndpoint({ ...input({ apiKey: 'api' }), endpoint: { ...input({}).endpoint, protocol: 'tfserving', apiKey: 'api' } }, secrets);
    expect(protocol).toMatchObject({ ok: false, message: expect.stringMatching(/404/) });
  });
});
