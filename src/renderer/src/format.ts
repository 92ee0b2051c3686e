/** How numbers, times and sizes are written across the workbench. */

export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'estimating…';
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A probability for people: 0.0012 → "1.2 × 10⁻³" below 0.01; "0.034" above; "< 10⁻¹⁶" at zero. */
export function formatProbability(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p === 0) return '< 10⁻¹⁶';
  if (p >= 0.01) return p.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  const exp = Math.floor(Math.log10(p));
  const mantissa = p / 10 ** exp;
  return `${mantissa.toFixed(1)} × 10${superscript(exp)}`;
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
function superscript(n: number): string {
  return String(n).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
}

/** "1 in 830" for a false-accusation probability; null when it is not a useful phrase. */
export function oneIn(p: number | null | undefined): string | null {
  if (p === null || p === undefined || !(p > 0) || p >= 0.5) return null;
  const n = 1 / p;
  if (n > 1e9) return 'less than one in a billion';
  return `about 1 in ${n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) [v, i] = [v / 1024, i + 1];
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function shortHash(hex: string, n = 12): string {
  return hex.length > n ? `${hex.slice(0, n)}…` : hex;
}

/** The last one or two segments of a path, for tables (the whole path goes in a title). */
export function shortPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.length <= 2 ? path : `…/${parts.slice(-2).join('/')}`;
}

export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.max(0, (done / total) * 100)) : 0;
}
