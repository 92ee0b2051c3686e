/**
 * Where the answers are in a generic JSON reply: a dot path.
 *
 * Grammar:
 *   path    := ''                       the whole reply
 *            | segment ('.' segment)*
 *   segment := '*'                      map the rest of the path over every element of an array
 *            | digits                   an array element (0-based); on an object, the key of that name
 *            | key                      an object key: any characters but '.', non-empty
 *
 * Examples: `predictions`, `outputs.0.data`, `results.*.label`, `data.*.scores`.
 * Keys containing a dot cannot be addressed (no escaping): such APIs are rare, and an escape syntax
 * is one more thing to get wrong in a case file.
 */
import { ReplyMismatchError } from './errors.ts';

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number; key: string } | { kind: 'each' };

export function parseResponsePath(path: string): PathSegment[] {
  if (path === '') return [];
  return path.split('.').map((s, i) => {
    if (s === '') throw new Error(`empty segment ${i + 1} in "${path}" (segments are separated by single dots)`);
    if (s === '*') return { kind: 'each' };
    if (/^[0-9]+$/.test(s)) return { kind: 'index', index: Number(s), key: s };
    return { kind: 'key', key: s };
  });
}

const kindOf = (v: unknown): string => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/**
 * The value at `segments` in `value`. A missing key, an index out of range or a `*` on a non-array
 * throws a ReplyMismatchError naming the place (`results.3`): the reply is not shaped as declared.
 */
export function selectPath(value: unknown, segments: PathSegment[], shown = ''): unknown {
  if (segments.length === 0) return value;
  const [seg, ...rest] = segments;
  const where = shown || 'the reply';
  const join = (s: string) => (shown ? `${shown}.${s}` : s);
  if (seg.kind === 'each') {
    if (!Array.isArray(value)) throw new ReplyMismatchError(`response path: expected an array at ${where} (for "*"), found ${kindOf(value)}`);
    return value.map((v, i) => selectPath(v, rest, join(String(i))));
  }
  if (seg.kind === 'index' && Array.isArray(value)) {
    if (seg.index >= value.length) throw new ReplyMismatchError(`response path: ${where} has ${value.length} elements, no element ${seg.index}`);
    return selectPath(value[seg.index], rest, join(seg.key));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ReplyMismatchError(`response path: expected an object with "${seg.key}" at ${where}, found ${kindOf(value)}`);
  }
  if (!Object.prototype.hasOwnProperty.call(value, seg.key)) {
    const keys = Object.keys(value).slice(0, 8).map((k) => JSON.stringify(k)).join(', ');
    throw new ReplyMismatchError(`response path: no "${seg.key}" at ${where} (keys: ${keys || 'none'})`);
  }
  return selectPath((value as Record<string, unknown>)[seg.key], rest, join(seg.key));
}
