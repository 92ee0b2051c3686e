/** `provenant serve`: the contract on 127.0.0.1 with a token in the printed address; stops on the signal. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../../src/shared/api.ts';
import { serveCommand } from '../../../src/main/cli/commands/serve.ts';
import { UsageError } from '../../../src/main/cli/args.ts';
import type { CliContext } from '../../../src/main/cli/context.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'provenant-serve-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function context() {
  const controller = new AbortController();
  const out: string[] = [];
  const ctx: CliContext = { out: (l) => out.push(l), log: () => {}, stderr: process.stderr, signal: controller.signal, json: false };
  return { ctx, out, stop: () => controller.abort() };
}

describe('provenant serve', () => {
  it('prints the address with the token in the fragment and serves the workbench on the data folder until stopped', async () => {
    const { ctx, out, stop } = context();
    const served = serveCommand(['--data', dataDir, '--no-open'], ctx);
    while (out.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(out[0]).toMatch(new RegExp(`^Provenant workbench on http://127\\.0\\.0\\.1:\\d+ \\(data folder ${dataDir};`));
    const m = /^Open: (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]{64})$/.exec(out[1]);
    expect(m).not.toBeNull();
    const [, url, token] = m!;
    const api = (headers: Record<string, string>) => fetch(`${url}/api/cases.list`, { method: 'POST', headers }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect((await api({})).status).toBe(401);
    expect(await api({ [TOKEN_HEADER]: token })).toMatchObject({ status: 200, body: { ok: true, value: { dataDir, cases: [] } } });
    stop();
    expect(await served).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('refuses a bad port', async () => {
    const { ctx } = context();
    await expect(serveCommand(['--port', '70000', '--no-open'], ctx)).rejects.toThrow(UsageError);
    await expect(serveCommand(['--port', 'x', '--no-open'], ctx)).rejects.toThrow(/--port/);
  });
});
