import { afterEach, describe, expect, it } from 'vitest';
import { accountedSuspect, inputHash } from '../../../../../src/main/engine/suspects/accounted-suspect.ts';
import { httpOracle } from '../../../../../src/main/engine/suspects/http/index.ts';
import { BudgetExhaustedError, type QueryExchange } from '../../../../../src/main/engine/suspects/types.ts';
import { startSuspectServer, type SuspectServer } from '../../../../helpers/suspect-server.ts';
import { fakeAnswer, K, randomInputs, SHAPE, SIZE } from './fake-classifier.ts';

const servers: SuspectServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('httpOracle behind accountedSuspect', () => {
  it('records every attempt with input hashes, answers repeats from the cache, and enforces the budget', async () => {
    const s = await startSuspectServer({ answer: fakeAnswer, inputShape: SHAPE, numClasses: K, protocol: 'kserve', modelName: 'm', faults: (i) => (i === 0 ? '503' : undefined) });
    servers.push(s);
    const records: QueryExchange[] = [];
    const oracle = httpOracle({ url: s.url, protocol: 'kserve', model: 'm', inputShape: SHAPE, numClasses: K, labelOnly: false, batchSize: 4, concurrency: 1, backoffMs: 1 });
    const suspect = accountedSuspect(oracle, { recorder: { record: (e) => records.push(e) }, budget: 12 });
    const x = randomInputs(10);
    const want = await fakeAnswer(x, 10);
    const got = await suspect.query(x, 10);
    expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    expect(records.map((r) => [r.seq, r.attempt, r.outcome, r.oracle])).toEqual([
      [1, 1, 'retry', oracle.describe()],
      [2, 2, 'ok', oracle.describe()],
      [3, 1, 'ok', oracle.describe()],
      [4, 1, 'ok', oracle.describe()],
    ]);
    expect(records.slice(1).flatMap((r) => r.inputHashes)).toEqual(Array.from({ length: 10 }, (_, i) => inputHash(x, i, SIZE)));
    await suspect.query(x.subarray(0, 5 * SIZE), 5);
    expect(s.requests()).toBe(4); // cached
    await expect(suspect.query(randomInputs(5, 99), 5)).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(suspect.sent()).toBe(12);
    await suspect.close();
  });
});
