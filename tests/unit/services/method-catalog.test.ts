import { describe, expect, it } from 'vitest';
import { methodsListContract } from '../../../src/shared/workbench-contract.ts';
import { listMethods } from '../../../src/main/services/method-catalog.ts';

describe('methods.list', () => {
  it('lists every method with its defaults, and explains every parameter (and only real ones)', async () => {
    const out = methodsListContract.output.parse(await listMethods());
    expect(out.methods.map((m) => m.id)).toEqual(['ipguard', 'cae', 'metafinger', 'adv-tra', 'mfue', 'ganfinger', 'anafp']);
    for (const m of out.methods) {
      expect(Object.keys(m.help).sort(), m.id).toEqual(Object.keys(m.defaults).sort());
      for (const text of Object.values(m.help)) expect(text.length).toBeGreaterThan(10);
    }
    expect(out.methods.find((m) => m.id === 'ipguard')).toMatchObject({ needsPool: false, labelOnly: true, defaults: { n: 100 } });
    expect(out.methods.find((m) => m.id === 'cae')!.needsPool).toBe(true);
  });
});
