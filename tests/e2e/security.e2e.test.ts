/**
 * What a page of the renderer can reach, checked from inside the page in Chromium: no Node (no
 * require, process, Buffer, module), no preload object in browser mode, only the contract's
 * channels through the bridge and only with the token, malformed input refused with the field named,
 * and a CSP that refuses inline scripts, other origins and eval. (In Electron, the preload's
 * allowlist is checked by electron-smoke.test.ts where an Electron binary exists, and without one by
 * tests/unit/bridge/ipc.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../src/shared/api.ts';
import { ServerEventBus } from '../../src/main/bridge/events.ts';
import { startBridge, type Bridge } from '../../src/main/bridge/server.ts';
import { createFakeWorkbench } from './fixtures/fake-workbench.ts';
import { SKIP_BROWSER, buildRenderer, launchBrowser, requireChromium } from './support/harness.ts';

describe.skipIf(SKIP_BROWSER)('what the renderer page can reach', () => {
  let workDir: string;
  let bridge: Bridge;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    requireChromium();
    workDir = await mkdtemp(join(tmpdir(), 'provenant-e2e-sec-'));
    const events = new ServerEventBus();
    const rendererDir = await buildRenderer(join(workDir, 'renderer'));
    bridge = await startBridge({ handlers: createFakeWorkbench(events).handlers, events, rendererDir });
    context = await launchBrowser(join(workDir, 'profile'));
    page = await context.newPage();
    await page.goto(bridge.appUrl);
    await page.getByTestId('app-title').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('has no Node globals and, in browser mode, no preload object', async () => {
    // Functions run in the page (this file is type-checked without the DOM library: globals are untyped).
    const reach = await page.evaluate(() => {
      const g = globalThis as any;
      return { require: typeof g.require, process: typeof g.process, Buffer: typeof g.Buffer, module: typeof g.module, global: typeof g.global, provenant: typeof g.provenant };
    });
    expect(reach).toEqual({ require: 'undefined', process: 'undefined', Buffer: 'undefined', module: 'undefined', global: 'undefined', provenant: 'undefined' });
  });

  it('reaches main only through the contract, only with the token; malformed input is refused naming the field', async () => {
    const token = await page.evaluate(() => (globalThis as any).sessionStorage.getItem('provenant.bridgeToken') as string);
    expect(token).toBe(bridge.token);
    const call = (channel: string, body: unknown, withToken: boolean) =>
      page.evaluate(
        async ({ channel, body, withToken, header, token }) => {
          const res = await fetch(`/api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(withToken ? { [header]: token } : {}) }, body: JSON.stringify(body) });
          return { status: res.status, body: (await res.json()) as any };
        },
        { channel, body, withToken, header: TOKEN_HEADER, token },
      );
    expect((await call('cases.list', {}, true)).status).toBe(200);
    const noToken = await call('cases.list', {}, false);
    expect([noToken.status, noToken.body.error.code]).toEqual([401, 'unauthorized']);
    const notInContract = await call('fs.readFile', { path: '/etc/passwd' }, true);
    expect([notInContract.status, notInContract.body.error.code]).toEqual([404, 'unknown_channel']);
    const malformed = await call('jobs.start', { kind: 'verify', caseId: 'c1', triggersDir: '', suspect: { kind: 'file' }, nullSuiteDir: '/x', level: 2 }, true);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_input');
    expect(malformed.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['level', 'suspect.path', 'triggersDir']);
  });

  it('enforces the CSP: no inline script, no other origin, no eval', async () => {
    const csp = await page.evaluate(async () => {
      const g = globalThis as any;
      const policy = String(g.document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content);
      const s = g.document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      g.document.body.appendChild(s);
      let fetchResult: string;
      try {
        await fetch('http://127.0.0.2:9/steal');
        fetchResult = 'sent';
      } catch {
        fetchResult = 'blocked';
      }
      return { policy, inlineRan: g.__inlineRan === true, fetchResult };
    });
    expect(csp.inlineRan).toBe(false);
    expect(csp.fetchResult).toBe('blocked');
    // eval is refused by policy (code evaluated from the test's side is exempt, so it is read, not tried).
    const directive = (name: string) => csp.policy.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `));
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('connect-src')).toBe("connect-src 'self'");
  });
});
