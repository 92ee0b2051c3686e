import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openQueryLog, type QueryLogIdentity } from '../../../../src/main/engine/suspects/query-log.ts';
import type { QueryExchange } from '../../../../src/main/engine/suspects/types.ts';

const ID: QueryLogIdentity = { suspect: 'onnx sha256:ab', triggersSha256: 'cd', method: 'ipguard', labelOnly: false };
const K = 2;
const ex = (seq: number, hashes: string[], labels: number[], outcome: QueryExchange['outcome'] = 'ok'): QueryExchange => ({
  seq, oracle: 'x', time: '2026-01-01T00:00:00.000Z', latencyMs: 1, attempt: 1, inputHashes: hashes, outcome,
  ...(outcome === 'ok' ? { labels, probs: labels.flatMap((l) => (l ? [0.25, 0.75] : [0.75, 0.25])) } : { error: 'HTTP 500' }),
});
const tmp = () => join(mkdtempSync(join(tmpdir(), 'qlog-')), 'queries.jsonl');

describe('openQueryLog', () => {
  it('writes a header, then one line per exchange; reopening restores every reply and the numbering', () => {
    const file = tmp();
    const log = openQueryLog(file, ID, K);
    log.recorder.record(ex(1, ['h1'], [], 'retry'));
    log.recorder.record(ex(2, ['h1', 'h2'], [1, 0]));
    log.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'provenant-query-log/1', ...ID });
    const again = openQueryLog(file, ID, K);
    expect(again.seqStart).toBe(2);
    expect(again.resumed).toEqual({ exchanges: 2, replies: 2, droppedPartialLine: false });
    expect(again.cache.get('h1')?.label).toBe(1);
    expect(Array.from(again.cache.get('h2')!.probs!)).toEqual([0.75, 0.25]);
    again.recorder.record(ex(3, ['h3'], [0]));
    again.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4); // no second header
  });

  it('drops a last line cut short by a crash, and truncates it away', () => {
    const file = tmp();
    const log = openQueryLog(file, ID, K);
    log.recorder.record(ex(1, ['h1'], [1]));
    log.close();
    appendFileSync(file, '{"seq":2,"inputHa');
    const again = openQueryLog(file, ID, K);
    expect(again.resumed.droppedPartialLine).toBe(true);
    expect(again.resumed.replies).toBe(1);
    again.recorder.record(ex(2, ['h2'], [0]));
    again.close();
    expect(openQueryLog(file, ID, K).resumed.replies).toBe(2);
  });

  it('refuses a log of another verification, a damaged line, and a foreign file', () => {
    const file = tmp();
    openQueryLog(file, ID, K).close();
    expect(() => openQueryLog(file, { ...ID, labelOnly: true }, K)).toThrow(/belongs to another verification \(labelOnly/);
    expect(() => openQueryLog(file, { ...ID, suspect: 'other' }, K)).toThrow(/suspect/);
    appendFileSync(file, 'garbage\n{"seq":1,"inputHashes":[],"outcome":"retry"}\n');
    expect(() => openQueryLog(file, ID, K)).toThrow(/line 2 is not JSON/);
    const foreign = tmp();
    writeFileSync(foreign, '{"hello":1}\n');
    expect(() => openQueryLog(foreign, ID, K)).toThrow(/not a provenant-query-log\/1 file/);
  });

  it('refuses a reply whose size does not match its inputs', () => {
    const file = tmp();
    const log = openQueryLog(file, ID, K);
    log.recorder.record({ ...ex(1, ['h1', 'h2'], [1, 0]), labels: [1] });
    log.close();
    expect(() => openQueryLog(file, ID, K)).toThrow(/line 2: reply does not match its 2 inputs/);
  });
});
