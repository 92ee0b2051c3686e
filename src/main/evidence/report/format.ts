/**
 * How numbers and times are printed in the report. One place, so the tests can ask "is the p-value
 * as printed in the text?" and so every page prints a number the same way. Times are UTC and never
 * locale-dependent: the same model gives the same bytes on any machine.
 */

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** x in scientific notation for readers, not programmers: "4.59 × 10⁻²⁹". */
export function scientific(x: number, digits: number): string {
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  const e = String(Number(exponent)).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
  return `${mantissa} × 10${e}`;
}

/** A probability as the report prints it: 3 significant digits, scientific notation below 1e-4. */
export function formatP(p: number | null): string {
  if (p === null) return 'n/a';
  if (p === 0) return '0';
  if (p < 1e-4) return scientific(p, 3);
  return String(Number(p.toPrecision(3)));
}

/** "about 1 in 3,100,000" for small probabilities; '' when that reading would not help (p ≥ 0.2). */
export function oneIn(p: number | null): string {
  if (p === null || !(p > 0) || p >= 0.2) return '';
  const n = Number((1 / p).toPrecision(2));
  return `about 1 in ${n < 1e9 ? groupDigits(n) : scientific(n, 2)}`;
}

export function groupDigits(n: number): string {
  const [int, frac] = String(Math.round(n * 1e6) / 1e6).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

/** A score in [0,1] as the verdict text prints it (3 decimals). */
export const formatScore = (s: number | null): string => (s === null || !Number.isFinite(s) ? 'n/a' : s.toFixed(3));

/** The exact value (shortest text that reads back as the same double): for the appendix. */
export const exact = (n: number): string => (Object.is(n, -0) ? '0' : String(n));

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'no file';
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u < 0 ? `${groupDigits(n)} bytes` : `${groupDigits(n)} bytes (${v.toFixed(1)} ${units[u]})`;
}

/** "2025-11-22 12:47:03 UTC" (seconds kept: events in a log are seconds apart). */
export function formatUtc(iso: string | undefined): string {
  if (!iso) return 'n/a';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "2025-11-22" */
export const formatDate = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

/** A parameter value as text: numbers exact, strings bare, the rest as compact JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') return exact(v);
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

export const formatMs = (ms: number): string => (ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);
