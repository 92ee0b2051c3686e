/**
 * Parameter checking shared by the attacks: defaults filled in, unknown keys rejected, and every
 * error names the field as `<attack>.<field>` so a suite config with a typo fails loudly.
 */
import { checkSeed } from '../../data/random.ts';
import { TrainingCancelled } from '../../models/training.ts';
import type { AttackContext, AttackId } from '../types.ts';

export type Check = (value: unknown) => string | null;

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : Array.isArray(v) ? JSON.stringify(v) : String(v));

export const num = (lo: number, hi: number, opts: { loOpen?: boolean; hiOpen?: boolean; int?: boolean } = {}): Check => {
  const what = opts.int ? 'an integer' : 'a number';
  const range = `${opts.loOpen ? '(' : '['}${lo}, ${hi === Infinity ? '∞' : hi}${opts.hiOpen || hi === Infinity ? ')' : ']'}`;
  return (v) => {
    const ok = typeof v === 'number' && Number.isFinite(v) && (opts.int ? Number.isInteger(v) : true)
      && (opts.loOpen ? v > lo : v >= lo) && (opts.hiOpen ? v < hi : v <= hi);
    return ok ? null : `expected ${what} in ${range}, got ${show(v)}`;
  };
};

export const oneOf = (choices: readonly string[]): Check => (v) =>
  typeof v === 'string' && choices.includes(v) ? null : `expected one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${show(v)}`;

export const nullable = (check: Check): Check => (v) => (v === null ? null : check(v));

export const positiveNumber = num(0, Infinity, { loOpen: true });
export const epochsCheck = num(0, 10_000, { int: true });
export const batchSizeCheck = num(1, 1 << 20, { int: true });
export const momentumCheck = num(0, 1, { hiOpen: true });

/** Merges `given` over `defaults`, checking every field; returns the complete parameter object. */
export function resolveParams<P extends object>(id: AttackId, defaults: P, given: Partial<P> | undefined, checks: Record<keyof P, Check>): P {
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    throw new Error(`${id}: params must be an object, got ${show(given)}`);
  }
  const known = Object.keys(defaults);
  for (const key of Object.keys(given ?? {})) {
    if (!known.includes(key)) throw new Error(`${id}.${key}: unknown parameter; expected one of ${known.join(', ')}`);
  }
  const out = { ...defaults } as P;
  for (const key of known as (keyof P)[]) {
    const v = given?.[key];
    if (v !== undefined) out[key] = v as P[keyof P];
    const problem = checks[key](out[key]);
    if (problem) throw new Error(`${id}.${String(key)}: ${problem}`);
  }
  return out;
}

/** Checks what every attack relies on in its context before doing any work. */
export function checkContext(id: AttackId, ctx: AttackContext): void {
  if (!ctx || typeof ctx !== 'object') throw new Error(`${id}: a context object is required`);
  checkSeed(ctx.seed, `${id}: ctx.seed`);
  const idx = ctx.attackerIndices;
  if (!(idx instanceof Int32Array) || idx.length === 0) throw new Error(`${id}: ctx.attackerIndices must be a non-empty Int32Array`);
  const n = ctx.data.labels.length;
  for (let k = 0; k < idx.length; k++) {
    if (idx[k] < 0 || idx[k] >= n) throw new Error(`${id}: ctx.attackerIndices[${k}] = ${idx[k]} is outside the dataset [0, ${n})`);
  }
  const s = ctx.sourceSpec;
  if (s.inputShape.join(',') !== ctx.data.inputShape.join(',') || s.numClasses !== ctx.data.numClasses) {
    throw new Error(`${id}: the source spec (${s.inputShape.join('×')}, ${s.numClasses} classes) does not fit the data (${ctx.data.inputShape.join('×')}, ${ctx.data.numClasses} classes)`);
  }
  if (ctx.signal?.aborted) throw new TrainingCancelled(`before ${id} started`);
}
