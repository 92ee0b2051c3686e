import { WORKBENCH_CONTRACTS } from '../../../src/shared/workbench-contract.ts';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  SERVER_EVENTS,
  appInfoContract,
  contracts,
  datasetsListContract,
  defineContract,
  isChannel,
  isServerEvent,
  serverEvents,
} from '../../../src/shared/contract.ts';
import { describeIssues, formatPath, toIssues } from '../../../src/shared/issues.ts';
import { z } from 'zod';

function issuesOf(schema: z.ZodType, value: unknown) {
  const r = schema.safeParse(value);
  if (r.success) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return toIssues(r.error);
}

describe('contract', () => {
  it('indexes every contract by its channel, and the channel list is the allowlist', () => {
    expect([...CHANNELS].sort()).toEqual(['app.info', 'datasets.list', ...WORKBENCH_CONTRACTS.map((c) => c.channel)].sort());
    for (const c of CHANNELS) expect(contracts[c].channel).toBe(c);
    expect(isChannel('app.info')).toBe(true);
    expect(isChannel('toString')).toBe(false);
    expect(isChannel('fs.readFile')).toBe(false);
    expect(isChannel(42)).toBe(false);
  });

  it('defineContract returns a frozen contract', () => {
    const c = defineContract({ channel: 'x.y', input: z.object({}), output: z.null() });
    expect(Object.isFrozen(c)).toBe(true);
    expect(c.channel).toBe('x.y');
  });

  it('inputs without parameters accept undefined and {}, and reject unknown keys by name', () => {
    expect(appInfoContract.input.parse(undefined)).toEqual({});
    expect(appInfoContract.input.parse({})).toEqual({});
    const issues = issuesOf(appInfoContract.input, { verbose: true });
    expect(describeIssues(issues)).toContain('"verbose"');
  });

  it('datasets.list: a bad field is named in the issue path and message', () => {
    expect(datasetsListContract.input.parse({ kind: 'folder' })).toEqual({ kind: 'folder' });
    const issues = issuesOf(datasetsListContract.input, { kind: 'zip' });
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('kind');
    expect(describeIssues(issues)).toMatch(/^kind: /);
    expect(describeIssues(issuesOf(datasetsListContract.input, { knd: 'builtin' }))).toContain('"knd"');
    expect(issuesOf(datasetsListContract.input, 'builtin')[0].path).toBe('');
  });

  it('outputs are checked too: a wrong nested field is named with its full path', () => {
    const good = {
      name: 'Provenant',
      version: '0.1.0',
      engine: {
        backend: 'wasm',
        tfjsBackend: 'wasm',
        requested: 'auto',
        versions: { '@tensorflow/tfjs': '4.22.0' },
        skipped: [{ backend: 'node', reason: 'not installed' }],
        wasm: { simd: true, threads: 1, ourKernels: [] },
        node: 'v20',
        platform: 'linux-x64',
      },
    };
    expect(appInfoContract.output.parse(good)).toEqual(good);
    const bad = { ...good, engine: { ...good.engine, backend: 'gpu', skipped: [{ backend: 'node' }] } };
    const paths = issuesOf(appInfoContract.output, bad).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['engine.backend', 'engine.skipped[0].reason']));
  });

  it('server events: job.progress payloads are validated by field', () => {
    expect(SERVER_EVENTS).toContain('job.progress');
    expect(isServerEvent('job.progress')).toBe(true);
    expect(isServerEvent('constructor')).toBe(false);
    const ok = { jobId: 'j1', done: 3, total: 10, etaSeconds: null };
    expect(serverEvents['job.progress'].parse(ok)).toEqual(ok);
    const issues = issuesOf(serverEvents['job.progress'], { jobId: '', done: -1, total: 10, etaSeconds: 2 });
    expect(issues.map((i) => i.path).sort()).toEqual(['done', 'jobId']);
  });

  it('formats paths with indices', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['items', 2, 'name'])).toBe('items[2].name');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });
});
