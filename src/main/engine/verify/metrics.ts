/**
 * Suite metrics from scores (see docs/decisions/trigger-set-format.md, "Metrics"): ROC, AUC,
 * TPR at a fixed FPR, ARUC, and small self-contained SVG figures for reports.
 *
 * Convention everywhere: a suspect is predicted positive (derived) when score ≥ threshold.
 * Ties are handled exactly: thresholds sweep the distinct scores, so tied positives and negatives
 * move together and the ROC takes a diagonal step, never an optimistic staircase.
 */

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Predicted positive when score ≥ threshold; the first point has threshold +Infinity (nothing positive). */
  threshold: number;
}

export interface TprAtFpr {
  /** Largest TPR among thresholds whose FPR ≤ maxFpr. */
  tpr: number;
  /** The FPR actually achieved at that threshold (≤ maxFpr; a multiple of 1/negatives). */
  fpr: number;
  threshold: number;
}

function check(scores: readonly number[], what: string, fn: string): void {
  if (!Array.isArray(scores) || scores.length === 0) throw new Error(`${fn}: ${what} is empty (need at least one score)`);
  for (let i = 0; i < scores.length; i++) {
    if (typeof scores[i] !== 'number' || !Number.isFinite(scores[i])) {
      throw new Error(`${fn}: ${what}[${i}] is not a finite number (${String(scores[i])})`);
    }
  }
}

const desc = (xs: readonly number[]): number[] => [...xs].sort((a, b) => b - a);
const asc = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/**
 * ROC points from (+Infinity: 0, 0) to (min score: 1, 1), one per distinct score, in increasing
 * FPR/TPR order. Point at threshold t: TPR = #{pos ≥ t}/P, FPR = #{neg ≥ t}/N.
 */
export function roc(pos: readonly number[], neg: readonly number[]): RocPoint[] {
  check(pos, 'positives', 'roc');
  check(neg, 'negatives', 'roc');
  const p = desc(pos);
  const n = desc(neg);
  const thresholds = [...new Set([...p, ...n])].sort((a, b) => b - a);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let i = 0;
  let j = 0;
  for (const t of thresholds) {
    while (i < p.length && p[i] >= t) i++;
    while (j < n.length && n[j] >= t) j++;
    points.push({ fpr: j / n.length, tpr: i / p.length, threshold: t });
  }
  return points;
}

/** Area under a ROC curve given as points in increasing FPR order (trapezoid rule). */
export function aucFromPoints(points: readonly RocPoint[]): number {
  let a = 0;
  for (let k = 1; k < points.length; k++) a += ((points[k].fpr - points[k - 1].fpr) * (points[k].tpr + points[k - 1].tpr)) / 2;
  return a;
}

/** ROC AUC (trapezoid over roc()); equals P(pos > neg) + ½·P(pos = neg), the Mann–Whitney U / (P·N). */
export function auc(pos: readonly number[], neg: readonly number[]): number {
  return aucFromPoints(roc(pos, neg));
}

/** Mann–Whitney U / (P·N) with ties counted ½, computed by sorting (independent of roc(), for cross-checks). */
export function mannWhitneyAuc(pos: readonly number[], neg: readonly number[]): number {
  check(pos, 'positives', 'mannWhitneyAuc');
  check(neg, 'negatives', 'mannWhitneyAuc');
  const n = asc(neg);
  let u = 0;
  for (const s of pos) {
    const below = lowerBound(n, s); // negatives < s
    const equal = lowerBound(n, s, true) - below; // negatives == s
    u += below + equal / 2;
  }
  return u / (pos.length * neg.length);
}

/** First index whose value is ≥ x (or > x when `strict`), in an ascending array. */
function lowerBound(a: readonly number[], x: number, strict = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? a[mid] <= x : a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * TPR at a bounded FPR: the largest TPR among thresholds with FPR ≤ maxFpr (the smallest FPR on a
 * tie), with the FPR actually achieved. With N negatives FPR moves in steps of 1/N, so the smallest
 * achievable non-zero FPR is 1/N: with fewer than 100 negatives "TPR at 1% FPR" is TPR at FPR 0.
 */
export function tprAtFpr(pos: readonly number[], neg: readonly number[], maxFpr: number): TprAtFpr {
  if (!(maxFpr >= 0 && maxFpr <= 1)) throw new Error(`tprAtFpr: maxFpr must be in [0, 1], got ${maxFpr}`);
  let best: RocPoint | undefined;
  for (const pt of roc(pos, neg)) {
    if (pt.fpr <= maxFpr + 1e-12 && (!best || pt.tpr > best.tpr)) best = pt;
  }
  return { tpr: best!.tpr, fpr: best!.fpr, threshold: best!.threshold };
}

/**
 * ARUC (IPGuard / GanFinger): ∫₀¹ min(R(t), U(t)) dt with robustness R(t) = #{pos ≥ t}/P and
 * uniqueness U(t) = #{neg < t}/N. Both are step functions that change only at scores, so the
 * integral is exact: sum over the intervals between consecutive breakpoints of the (constant)
 * value at the interval's midpoint times its width. Perfect separation scores at least the width
 * of the gap (max neg, min pos]; it reaches 1 only when negatives score 0 and positives 1.
 */
export function aruc(pos: readonly number[], neg: readonly number[]): number {
  check(pos, 'positives', 'aruc');
  check(neg, 'negatives', 'aruc');
  const p = asc(pos);
  const n = asc(neg);
  const cuts = [...new Set([0, 1, ...p, ...n].filter((s) => s >= 0 && s <= 1))].sort((a, b) => a - b);
  let area = 0;
  for (let k = 1; k < cuts.length; k++) {
    const mid = (cuts[k - 1] + cuts[k]) / 2;
    const r = (p.length - lowerBound(p, mid)) / p.length;
    const u = lowerBound(n, mid) / n.length;
    area += Math.min(r, u) * (cuts[k] - cuts[k - 1]);
  }
  return area;
}

// ---------------------------------------------------------------------------------------------
// SVG figures (no fonts or scripts beyond generic font-family; deterministic output)

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const W = 400;
const H = 400;
const M = { l: 48, r: 16, t: 32, b: 44 };
const PW = W - M.l - M.r;
const PH = H - M.t - M.b;
const f = (v: number): string => (Math.round(v * 100) / 100).toString();
const px = (x: number): string => f(M.l + x * PW);
const py = (y: number): string => f(M.t + (1 - y) * PH);

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function frame(title: string, xLabel: string, yLabel: string, yMax = 1, [x0, x1]: [number, number] = [0, 1]): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
    `<rect x="${M.l}" y="${M.t}" width="${PW}" height="${PH}" fill="none" stroke="#000000"/>`,
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${px(t)}" y1="${py(0)}" x2="${px(t)}" y2="${f(M.t + PH + 4)}" stroke="#000000"/>`);
    out.push(`<text x="${px(t)}" y="${f(M.t + PH + 16)}" text-anchor="middle">${f(x0 + t * (x1 - x0))}</text>`);
    out.push(`<line x1="${f(M.l - 4)}" y1="${py(t)}" x2="${px(0)}" y2="${py(t)}" stroke="#000000"/>`);
    out.push(`<text x="${f(M.l - 6)}" y="${f(M.t + (1 - t) * PH + 4)}" text-anchor="end">${f(t * yMax)}</text>`);
  }
  out.push(`<text x="${f(M.l + PW / 2)}" y="${H - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  out.push(`<text x="12" y="${f(M.t + PH / 2)}" text-anchor="middle" transform="rotate(-90 12 ${f(M.t + PH / 2)})">${escapeXml(yLabel)}</text>`);
  return out;
}

function legend(items: { label: string; colour: string }[], x: number, y: number): string[] {
  return items.flatMap((it, i) => [
    `<rect x="${f(x)}" y="${f(y + i * 16 - 9)}" width="12" height="10" fill="${it.colour}"/>`,
    `<text x="${f(x + 16)}" y="${f(y + i * 16)}">${escapeXml(it.label)}</text>`,
  ]);
}

/** ROC curves as a self-contained SVG: axes, chance diagonal, one polyline per curve, legend with AUC. */
export function rocSvg(curves: readonly { name: string; points: readonly RocPoint[] }[], opts: { title?: string } = {}): string {
  if (curves.length === 0) throw new Error('rocSvg: no curves');
  const out = frame(opts.title ?? 'ROC', 'false positive rate', 'true positive rate');
  out.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999999" stroke-dasharray="4 4"/>`);
  curves.forEach((c, i) => {
    if (c.points.length === 0) throw new Error(`rocSvg: curve "${c.name}" has no points`);
    const pts = c.points.map((p) => `${px(p.fpr)},${py(p.tpr)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2" points="${pts}"/>`);
  });
  const items = curves.map((c, i) => ({ label: `${c.name} (AUC ${aucFromPoints(c.points).toFixed(3)})`, colour: COLOURS[i % COLOURS.length] }));
  out.push(...legend(items, M.l + PW * 0.42, M.t + PH - 12 - 16 * (curves.length - 1)));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/**
 * Histograms of positive and negative scores over [lo, hi] (default [0, 1]; scores outside are
 * clamped into the end bins), each normalised to fractions of its own group.
 */
export function scoreHistogramSvg(
  pos: readonly number[],
  neg: readonly number[],
  opts: { title?: string; bins?: number; range?: [number, number] } = {},
): string {
  check(pos, 'positives', 'scoreHistogramSvg');
  check(neg, 'negatives', 'scoreHistogramSvg');
  const bins = opts.bins ?? 20;
  const [lo, hi] = opts.range ?? [0, 1];
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`scoreHistogramSvg: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new Error(`scoreHistogramSvg: range [${lo}, ${hi}] is empty`);
  const hist = (xs: readonly number[]): number[] => {
    const h = new Array<number>(bins).fill(0);
    for (const s of xs) h[Math.min(bins - 1, Math.max(0, Math.floor(((s - lo) / (hi - lo)) * bins)))] += 1 / xs.length;
    return h;
  };
  const groups = [
    { label: `positives (${pos.length})`, colour: COLOURS[1], h: hist(pos) },
    { label: `negatives (${neg.length})`, colour: COLOURS[0], h: hist(neg) },
  ];
  const yMax = Math.max(...groups.flatMap((g) => g.h));
  const out = frame(opts.title ?? 'Scores', 'score', 'fraction of group', yMax, [lo, hi]);
  for (const g of groups) {
    g.h.forEach((v, b) => {
      if (v === 0) return;
      const x0 = M.l + (b / bins) * PW;
      const hgt = (v / yMax) * PH;
      out.push(`<rect x="${f(x0)}" y="${f(M.t + PH - hgt)}" width="${f(PW / bins)}" height="${f(hgt)}" fill="${g.colour}" fill-opacity="0.45"/>`);
    });
  }
  out.push(...legend(groups, M.l + PW * 0.55, M.t + 16));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
