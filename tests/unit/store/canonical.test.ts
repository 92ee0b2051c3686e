import { describe, expect, it } from 'vitest';
import { canonicalJson, jsonColumn, rowHash, sha256Hex } from '../../../src/main/store/canonical.ts';

describe('canonicalJson', () => {
  it('sorts keys recursively, drops undefined keys, keeps nulls, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: null, y: 'x' }], c: undefined } })).toBe('{"a":{"d":[1,{"y":"x","z":null}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('writes doubles in their shortest round-trip form', () => {
    const x = 0.1 + 0.2;
    expect(JSON.parse(canonicalJson([x, Math.fround(0.3), 1e-300]))).toEqual([x, Math.fround(0.3), 1e-300]);
  });

  it('refuses what JSON cannot hold exactly, naming where', () => {
    expect(() => canonicalJson({ a: [1, NaN] })).toThrow(/\$\.a\[1\] is NaN/);
    expect(() => canonicalJson({ a: Infinity })).toThrow(/Infinity/);
    expect(() => canonicalJson({ t: new Float32Array(2) })).toThrow(/\$\.t is a Float32Array/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => jsonColumn({ p: NaN }, 'run params')).toThrow(/^run params: value\.p is NaN/);
    expect(jsonColumn(undefined, 'x')).toBeNull();
  });
});

describe('rowHash', () => {
  it('ignores column order and NULL columns (a new nullable column keeps old hashes), sees every value', () => {
    const h = rowHash({ id: 1, name: 'a', extra: null });
    expect(rowHash({ name: 'a', id: 1 })).toBe(h);
    expect(rowHash({ id: 1, name: 'b' })).not.toBe(h);
    expect(rowHash({ id: '1', name: 'a' })).not.toBe(h); // type matters
    expect(h).toBe(sha256Hex('{"id":1,"name":"a"}'));
  });
});
