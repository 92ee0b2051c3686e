import { describe, expect, it } from 'vitest';
import { ProgressMeter } from '../../../src/main/jobs/progress-meter.ts';
import { KeyedLocks } from '../../../src/main/jobs/keyed-locks.ts';

describe('ProgressMeter', () => {
  it('drops reports that would move the bar back, spaces events, always sends the end', () => {
    let now = 0;
    const m = new ProgressMeter(0, 100, () => now);
    now = 1000;
    expect(m.update({ done: 1, total: 4 })).toEqual({ done: 1, total: 4, etaSeconds: 3 });
    now = 1050;
    expect(m.update({ done: 2, total: 4 })).toBeUndefined(); // too soon
    now = 1200;
    expect(m.update({ done: 1, total: 4 })).toBeUndefined(); // below what was already reached
    expect(m.update({ done: 300, total: 1000, message: 'new phase' })).toBeUndefined(); // 0.3 < 0.5 (the dropped 2/4)
    expect(m.update({ done: 600, total: 1000, message: 'x', etaSeconds: 7 })).toEqual({ done: 600, total: 1000, etaSeconds: 7, message: 'x' });
    now = 1210;
    expect(m.update({ done: 1000, total: 1000 })).toMatchObject({ done: 1000, etaSeconds: 0 });
  });

  it('clamps done to [0, total] and gives no ETA before anything is done', () => {
    const m = new ProgressMeter(0, 0, () => 10);
    expect(m.update({ done: -3, total: 5 })).toEqual({ done: 0, total: 5, etaSeconds: null });
    expect(m.update({ done: 9, total: 5 })).toMatchObject({ done: 5, total: 5 });
  });
});

describe('KeyedLocks', () => {
  it('serves each key first come first served; keys are taken sorted so crossed requests cannot deadlock', async () => {
    const locks = new KeyedLocks();
    const order: string[] = [];
    const r1 = await locks.acquire(['b', 'a'], 'one');
    expect(locks.holder('a')).toBe('one');
    const p2 = locks.acquire(['a', 'b'], 'two').then((r) => (order.push('two'), r));
    const p3 = locks.acquire(['c'], 'three').then((r) => (order.push('three'), r));
    await p3;
    expect(order).toEqual(['three']);
    r1();
    r1(); // twice is harmless
    const r2 = await p2;
    expect(order).toEqual(['three', 'two']);
    expect(locks.holder('b')).toBe('two');
    r2();
    expect(locks.holder('a')).toBeUndefined();
  });
});
