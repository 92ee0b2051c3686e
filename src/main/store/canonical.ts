/**
 * Canonical JSON and SHA-256: the two primitives every hash in the case store is built from.
 *
 * Canonical JSON = JSON.stringify with object keys sorted (by UTF-16 code unit, recursively) and no
 * whitespace; keys whose value is undefined are left out (as JSON.stringify does). Numbers use
 * JavaScript's shortest round-trip form, deterministic for every finite double. Values JSON cannot
 * hold exactly (NaN, ±Infinity, bigint, functions, typed arrays, class instances) are refused rather
 * than silently written as null: a hash over a silently changed value proves nothing.
 */
import { createHash } from 'node:crypto';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(v: unknown, at: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`${at} is ${v}, which JSON cannot hold`);
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      throw new Error(`${at} is a ${typeof v}, which JSON cannot hold`);
  }
  if (Array.isArray(v)) return `[${v.map((x, i) => (x === undefined ? 'null' : write(x, `${at}[${i}]`))).join(',')}]`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new Error(`${at} is a ${(v as object).constructor?.name ?? 'non-plain object'}; convert it to plain data (arrays, objects) first`);
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write(o[k], `${at}.${k}`)}`).join(',')}}`;
}

/** Canonical JSON text for a JSON column, or null for undefined (the column stays NULL). */
export function jsonColumn(value: unknown, field: string): string | null {
  if (value === undefined) return null;
  try {
    return canonicalJson(value);
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message.replace(/^\$/, 'value')}`);
  }
}

/**
 * The content hash of a table row as SQLite returns it: SHA-256 of the canonical JSON of its
 * columns, NULL columns left out. Leaving NULLs out is deliberate: a later migration that adds a
 * nullable column to an audited table leaves every existing row's hash, and so its audit entry, valid.
 */
export function rowHash(row: Record<string, unknown>): string {
  const present: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (v !== null && v !== undefined) present[k] = v instanceof Uint8Array ? { hex: Buffer.from(v).toString('hex') } : v;
  return sha256Hex(canonicalJson(present));
}
