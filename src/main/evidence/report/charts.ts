/**
 * The report's two charts, drawn as PDF vector paths (they scale without blur and their numbers
 * stay text): the innocent null as a histogram with every model as a tick below it and the
 * suspect's score as a red line; the ROC of the trigger set on its calibration suite.
 * Scores live in [0,1] by the method contract, so both axes are fixed at [0,1]: charts of two
 * cases are directly comparable.
 */
import { INK, MUTED, RULE, type ReportWriter } from './layout.ts';
import { formatScore } from './format.ts';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const SUSPECT = '#c0392b';
const NULL_FILL = '#9aa5b1';
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

function label(w: ReportWriter, text: string, x: number, y: number, opts: { align?: 'left' | 'center' | 'right'; width?: number; color?: string; size?: number } = {}): void {
  const width = opts.width ?? 60;
  const left = opts.align === 'center' ? x - width / 2 : opts.align === 'right' ? x - width : x;
  w.style({ size: opts.size ?? 7, color: opts.color ?? MUTED }).doc.text(text, left, y, { width, align: opts.align ?? 'left', lineBreak: false });
}

function xAxis(w: ReportWriter, plot: Box, title: string): void {
  const doc = w.doc;
  const base = plot.y + plot.h;
  doc.moveTo(plot.x, base).lineTo(plot.x + plot.w, base).lineWidth(0.6).strokeColor(INK).stroke();
  for (let t = 0; t <= 10; t += 2) {
    const x = plot.x + (t / 10) * plot.w;
    doc.moveTo(x, base).lineTo(x, base + 3).lineWidth(0.6).strokeColor(INK).stroke();
    label(w, (t / 10).toFixed(1), x, base + 5, { align: 'center', width: 30 });
  }
  label(w, title, plot.x + plot.w / 2, base + 16, { align: 'center', width: plot.w });
}

/** Equal-width bins over [0,1]; a score of exactly 1 falls in the last bin. */
export function histogram(scores: readonly number[], bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const s of scores) counts[Math.min(bins - 1, Math.floor(clamp01(s) * bins))]++;
  return counts;
}

/**
 * Null histogram (20 bins) + a strip of one tick per innocent model + the suspect's score.
 * Returns the height used.
 */
export function drawNullChart(w: ReportWriter, box: Box, nullScores: readonly number[], suspect: number): number {
  const doc = w.doc;
  const plot: Box = { x: box.x + 34, y: box.y + 16, w: box.w - 44, h: box.h - 16 - 58 };
  const counts = histogram(nullScores, 20);
  const top = Math.max(1, ...counts);
  const barW = plot.w / counts.length;
  // Bars.
  counts.forEach((c, i) => {
    if (!c) return;
    const bh = (c / top) * plot.h;
    doc.rect(plot.x + i * barW + 0.5, plot.y + plot.h - bh, barW - 1, bh).fillColor(NULL_FILL).fill();
  });
  // y axis with the count scale.
  doc.moveTo(plot.x, plot.y).lineTo(plot.x, plot.y + plot.h).lineWidth(0.6).strokeColor(INK).stroke();
  for (const v of [0, top]) {
    const y = plot.y + plot.h - (v / top) * plot.h;
    doc.moveTo(plot.x - 3, y).lineTo(plot.x, y).lineWidth(0.6).strokeColor(INK).stroke();
    label(w, String(v), plot.x - 5, y - 3.5, { align: 'right', width: 26 });
  }
  label(w, 'innocent models', box.x, box.y + 2, { width: 120 });
  xAxis(w, plot, 'score');
  // Strip: one tick per innocent model, under the axis labels (every model visible, even in a tall bin).
  const stripY = plot.y + plot.h + 30;
  doc.rect(plot.x, stripY, plot.w, 12).lineWidth(0.4).strokeColor(RULE).stroke();
  for (const s of nullScores) {
    const x = plot.x + clamp01(s) * plot.w;
    doc.moveTo(x, stripY + 2).lineTo(x, stripY + 10).lineWidth(0.5).strokeColor('#4a5561').stroke();
  }
  label(w, 'each innocent model', plot.x, stripY + 14, { width: 120 });
  // The suspect: a red line over the plot and the strip, with its score.
  const sx = plot.x + clamp01(suspect) * plot.w;
  doc.moveTo(sx, plot.y - 4).lineTo(sx, stripY + 12).lineWidth(1.4).strokeColor(SUSPECT).stroke();
  const right = sx > plot.x + plot.w * 0.75;
  label(w, `suspect ${formatScore(suspect)}`, right ? sx - 3 : sx + 3, plot.y - 6, { align: right ? 'right' : 'left', width: 90, color: SUSPECT, size: 7.5 });
  return box.h;
}

/** ROC curve (points sorted by FPR) with the chance diagonal and the AUC. Returns the height used. */
export function drawRoc(w: ReportWriter, box: Box, points: readonly { fpr: number; tpr: number }[], auc: number): number {
  const doc = w.doc;
  const side = Math.min(box.w - 44, box.h - 40);
  const plot: Box = { x: box.x + 34, y: box.y + 8, w: side, h: side };
  doc.rect(plot.x, plot.y, plot.w, plot.h).lineWidth(0.4).strokeColor(RULE).stroke();
  doc.save();
  doc.moveTo(plot.x, plot.y + plot.h).lineTo(plot.x + plot.w, plot.y).dash(3, { space: 3 }).lineWidth(0.5).strokeColor(MUTED).stroke();
  doc.undash();
  doc.restore();
  const sorted = [...points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr);
  const px = (p: { fpr: number; tpr: number }) => [plot.x + clamp01(p.fpr) * plot.w, plot.y + plot.h - clamp01(p.tpr) * plot.h] as const;
  const [x0, y0] = px(sorted[0]);
  doc.moveTo(x0, y0);
  for (const p of sorted.slice(1)) doc.lineTo(...px(p));
  doc.lineWidth(1.3).strokeColor('#1f5f99').stroke();
  xAxis(w, plot, 'false positive rate (innocent models called derived)');
  doc.moveTo(plot.x, plot.y).lineTo(plot.x, plot.y + plot.h).lineWidth(0.6).strokeColor(INK).stroke();
  for (let t = 0; t <= 10; t += 5) {
    const y = plot.y + plot.h - (t / 10) * plot.h;
    label(w, (t / 10).toFixed(1), plot.x - 5, y - 3.5, { align: 'right', width: 26 });
  }
  label(w, 'true positive rate', plot.x + 4, plot.y + 4, { width: 120 });
  label(w, `AUC ${auc.toFixed(3)}`, plot.x + plot.w - 4, plot.y + plot.h - 14, { align: 'right', width: 80, color: INK, size: 8 });
  return side + 40;
}
