import { describe, expect, it } from 'vitest';
import { accountedSuspect, inputHash, memoryCache } from '../../../../src/main/engine/suspects/accounted-suspect.ts';
import { BudgetExhaustedError, type Oracle, type QueryExchange } from '../../../../src/main/engine/suspects/types.ts';

const SHAPE: [number, number, number] = [2, 2, 1];
const K = 3;

/** A deterministic fake oracle: label = round(first pixel · 10) mod K; counts what reaches it. */
function fakeOracle(opts: { labelOnly?: boolean; corrupt?: 'label' | 'count' | 'nan' } = {}) {
  const received: number[] = [];
  const oracle: Oracle & { received: number[] } = {
    received,
    inputShape: SHAPE,
    numClasses: K,
    labelOnly: opts.labelOnly ?? false,
    describe: () => 'fake',
    async answer(inputs, n, call) {
      const labels = new Int32Array(n);
      const probs = new Float32Array(n * K);
      for (let i = 0; i < n; i++) {
        received.push(inputs[i * 4]);
        labels[i] = Math.round(inputs[i * 4] * 10) % K;
        probs[i * K + labels[i]] = 1;
      }
      if (opts.corrupt === 'label') labels[0] = K;
      if (opts.corrupt === 'nan') probs[0] = NaN;
      call.report({ time: new Date().toISOString(), latencyMs: 0, attempt: 1, outcome: 'ok', inputHashes: call.hashes, labels: Array.from(labels) });
      return { labels: opts.corrupt === 'count' ? labels.subarray(1) : labels, ...(oracle.labelOnly ? {} : { probs }) };
    },
  };
  return oracle;
}

/** n inputs whose first pixel is values[i]. */
function batch(values: number[]): Float32Array {
  const x = new Float32Array(values.length * 4);
  values.forEach((v, i) => x.fill(v, i * 4, i * 4 + 4));
  return x;
}

describe('accountedSuspect', () => {
  it('hashes inputs as their float32 bytes', () => {
    const x = batch([0.1, 0.2]);
    expect(inputHash(x, 0, 4)).toMatch(/^[0-9a-f]{64}$/);
    expect(inputHash(x, 0, 4)).not.toBe(inputHash(x, 1, 4));
    expect(inputHash(x, 1, 4)).toBe(inputHash(batch([0.2]), 0, 4));
  });

  it('answers every input, sends each distinct input once, counts asked/sent/cached', async () => {
    const o = fakeOracle();
    const s = accountedSuspect(o);
    const a = await s.query(batch([0.1, 0.2, 0.1, 0.3]), 4);
    expect(Array.from(a.labels)).toEqual([1, 2, 1, 0]);
    expect(a.probs![2 * K + 1]).toBe(1);
    expect(o.received).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    await s.query(batch([0.2, 0.4]), 2);
    expect(o.received.length).toBe(4);
    expect([s.queries(), s.sent(), s.cached()]).toEqual([6, 4, 2]);
  });

  it('records every exchange with a sequence number before answering', async () => {
    const log: QueryExchange[] = [];
    const s = accountedSuspect(fakeOracle(), { recorder: { record: (e) => log.push(e) }, seqStart: 10 });
    const x = batch([0.5, 0.6]);
    await s.query(x, 2);
    await s.query(batch([0.7]), 1);
    expect(log.map((e) => e.seq)).toEqual([11, 12]);
    expect(log[0].oracle).toBe('fake');
    expect(log[0].inputHashes).toEqual([inputHash(x, 0, 4), inputHash(x, 1, 4)]);
  });

  it('spends the budget on what fits, then refuses; a resumed session with the same cache sends only the rest', async () => {
    const cache = memoryCache();
    const o1 = fakeOracle();
    const first = accountedSuspect(o1, { budget: 3, cache });
    const x = batch([0.1, 0.2, 0.3, 0.4, 0.5]);
    const err = await first.query(x, 5).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExhaustedError);
    expect([err.budget, err.sent, err.missing]).toEqual([3, 3, 2]);
    expect(o1.received.length).toBe(3);
    const o2 = fakeOracle();
    const resumed = accountedSuspect(o2, { budget: 3, cache });
    const a = await resumed.query(x, 5);
    expect(o2.received).toEqual([0.4, 0.5].map(Math.fround));
    const direct = await accountedSuspect(fakeOracle()).query(x, 5);
    expect(Array.from(a.labels)).toEqual(Array.from(direct.labels));
    expect(Array.from(a.probs!)).toEqual(Array.from(direct.probs!));
  });

  it('a budget of 0 sends nothing', async () => {
    const o = fakeOracle();
    await expect(accountedSuspect(o, { budget: 0 }).query(batch([0.1]), 1)).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(o.received).toEqual([]);
  });

  it('a label-only cache entry does not satisfy a probability query', async () => {
    const cache = memoryCache();
    await accountedSuspect(fakeOracle({ labelOnly: true }), { cache }).query(batch([0.1]), 1);
    const o = fakeOracle();
    const a = await accountedSuspect(o, { cache }).query(batch([0.1]), 1);
    expect(o.received.length).toBe(1);
    expect(a.probs).toBeDefined();
  });

  it.each(['label', 'count', 'nan'] as const)('rejects a corrupt reply (%s) instead of using it', async (corrupt) => {
    await expect(accountedSuspect(fakeOracle({ corrupt })).query(batch([0.1, 0.2]), 2)).rejects.toThrow(/^fake: /);
  });

  it('rejects inputs of the wrong size and an invalid budget', async () => {
    await expect(accountedSuspect(fakeOracle()).query(new Float32Array(5), 1)).rejects.toThrow(/expected 1×2×2×1 = 4 values, got 5/);
    expect(() => accountedSuspect(fakeOracle(), { budget: -1 })).toThrow(/budget/);
  });
});
