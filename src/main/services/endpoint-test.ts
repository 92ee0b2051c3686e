/**
 * `endpoints.test`: one seeded probe input (uniform noise in [0,1], the same every time) sent to a
 * prediction API through the same httpOracle a verification uses, with no retries and a short
 * timeout. The answer is the latency and the label, or the oracle's error in words (HTTP status,
 * protocol mismatch, wrong shape, unknown API key) — with every secret masked. Nothing is recorded.
 */
import type { OutputOf, ParsedInputOf } from '../../shared/contract.ts';
import { createRng } from '../engine/data/random.ts';
import { inputHash } from '../engine/suspects/accounted-suspect.ts';
import { httpOracle } from '../engine/suspects/http/http-oracle.ts';
import { redactUrl } from '../engine/suspects/http/redact.ts';
import { authHeaders, type SecretStore } from './secret-store.ts';

export const PROBE_SEED = 20_250_101;

export interface EndpointTestOptions {
  timeoutMs?: number;
  /** Tests only: a stand-in for fetch. */
  fetch?: typeof fetch;
}

export async function testEndpoint(input: ParsedInputOf<'endpoints.test'>, secrets: SecretStore, opts: EndpointTestOptions = {}): Promise<OutputOf<'endpoints.test'>> {
  const e = input.endpoint;
  const shown = `${e.protocol} ${redactUrl(e.url)}`;
  const [h, w, c] = input.inputShape;
  const size = h * w * c;
  const rng = createRng(PROBE_SEED);
  const probe = new Float32Array(size);
  for (let i = 0; i < size; i++) probe[i] = rng.next();
  let latencyMs: number | undefined;
  let oracle;
  try {
    oracle = httpOracle({
      url: e.url, protocol: e.protocol, headers: authHeaders(e.apiKey, secrets), inputShape: input.inputShape, numClasses: input.numClasses,
      labelOnly: e.labelsOnly, retries: 0, timeoutMs: opts.timeoutMs ?? 10_000, concurrency: 1,
      ...(e.model ? { model: e.model } : {}), ...(e.scores ? { scores: e.scores } : {}), ...(e.json ? { json: e.json } : {}), ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    const answer = await oracle.answer(probe, 1, { hashes: [inputHash(probe, 0, size)], report: (x) => void (latencyMs = x.latencyMs) });
    const label = answer.labels[0];
    return { ok: true, latencyMs: latencyMs ?? 0, label, message: `${shown} answered class ${label} in ${Math.round(latencyMs ?? 0)} ms` };
  } catch (err) {
    return { ok: false, ...(latencyMs !== undefined ? { latencyMs } : {}), message: (err as Error).message || String(err) };
  } finally {
    await oracle?.close?.();
  }
}
