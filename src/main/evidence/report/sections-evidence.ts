/**
 * The evidence itself: exhibits with their hashes, the suspect against the innocent null and the
 * ROC (vector charts), trigger thumbnails, the query log summary, and how to reproduce the result.
 */
import type { ReportModel } from './report-model.ts';
import { MUTED, SHADE, type ReportWriter } from './layout.ts';
import { formatBytes, formatMs, formatP, formatScore, formatUtc, groupDigits } from './format.ts';
import { drawNullChart, drawRoc } from './charts.ts';
import { pixelsToPng } from './thumbnails.ts';

export function exhibitsSection(w: ReportWriter, m: ReportModel): void {
  w.heading('4. Exhibits');
  w.paragraph('Each file was hashed (SHA-256) when it was taken into the case; the case check re-hashes it and names any file that changed. A directory\'s hash is the SHA-256 of its sorted list of "<file hash>  <relative path>" lines.', { color: MUTED });
  if (!m.exhibits.length) w.paragraph('No exhibits are recorded in this case.');
  m.exhibits.forEach((e, i) => {
    w.heading(`Exhibit ${i + 1}: ${e.role}`, 2, 70);
    w.keyValues([
      { key: 'Path', value: e.path, mono: true },
      { key: 'Size', value: formatBytes(e.size) },
      { key: 'Acquired', value: formatUtc(e.acquiredAt) },
      { key: 'SHA-256', value: e.sha256 ?? 'none (nothing to hash: not a file)', mono: Boolean(e.sha256) },
      ...(e.notes ? [{ key: 'Notes', value: e.notes }] : []),
    ], 110);
  });
  w.heading('Suspect', 2, 70);
  const s = m.suspect;
  w.keyValues([
    { key: 'Identity', value: s.identity, mono: true },
    ...(s.kind ? [{ key: 'Kind', value: s.kind }] : []),
    ...(s.location ? [{ key: 'Location', value: s.location, mono: true }] : []),
    ...(s.sha256 ? [{ key: 'SHA-256', value: s.sha256, mono: true }] : []),
    ...(s.describe ? [{ key: 'Queried as', value: s.describe, mono: true }] : []),
  ], 110);
  w.heading('Trigger set', 2, 70);
  const t = m.triggerSet;
  w.keyValues([
    { key: 'SHA-256', value: t.sha256, mono: true },
    { key: 'Triggers', value: groupDigits(t.count) },
    { key: 'Input shape', value: `${t.inputShape.join(' × ')} (height × width × channels)` },
    ...(t.numClasses ? [{ key: 'Classes', value: String(t.numClasses) }] : []),
  ], 110);
}

export function chartsSection(w: ReportWriter, m: ReportModel): void {
  const v = m.verdict;
  w.heading('5. The suspect against innocent models', 1, 250);
  const box = { x: w.left, y: w.y, w: w.width, h: 220 };
  w.y += drawNullChart(w, box, m.nullScores.map((s) => s.score), v.score);
  w.doc.x = w.left;
  w.gap(4);
  const above = m.nullScores.filter((s) => s.score >= v.score).length;
  w.paragraph(
    `Grey: the scores of the ${v.nullSize} innocent models (histogram, and one tick per model below it). Red: the suspect's score, ${formatScore(v.score)}. ` +
      (v.nullSize ? `Highest innocent score: ${formatScore(v.nullMax)}; innocent models scoring at least as high as the suspect: ${above}.` : 'The null is empty.'),
    { size: 8.5, color: MUTED, gapAfter: 10 },
  );
  w.heading('ROC of the trigger set on its calibration suite', 2, m.roc ? 300 : 40);
  if (!m.roc) {
    w.paragraph('Not included: the trigger set was not evaluated on a calibration suite of derived and innocent models for this report, so no ROC curve or AUC is available.');
    return;
  }
  const roc = m.roc;
  const rocBox = { x: w.left + (w.width - 300) / 2, y: w.y, w: 300, h: 290 };
  w.y += drawRoc(w, rocBox, roc.points, roc.auc);
  w.doc.x = w.left;
  w.gap(4);
  const suite = roc.suite ? ` "${roc.suite}"` : '';
  const sizes = roc.positives !== undefined && roc.negatives !== undefined ? ` (${roc.positives} derived and ${roc.negatives} innocent models)` : '';
  w.paragraph(
    `How well this trigger set separates models derived from the source from innocent ones, on its calibration suite${suite}${sizes}: each point is one decision threshold on the score. Area under the curve (AUC): ${roc.auc.toFixed(3)} (1 = perfect separation, 0.5 = chance).`,
    { size: 8.5, color: MUTED },
  );
}

export function thumbnailsSection(w: ReportWriter, m: ReportModel, max: number): void {
  const t = m.triggerSet;
  const shown = t.thumbnails.slice(0, max);
  w.heading('6. Trigger examples', 1, 140);
  if (!shown.length) {
    w.paragraph('No thumbnails were included in this report.');
    return;
  }
  w.paragraph(`${shown.length} of ${groupDigits(t.count)} triggers. Left: the clean input the trigger was made from; right: the trigger sent to the suspect. The label is the source model's answer on the trigger, which a derived model is expected to repeat.`, { color: MUTED, gapAfter: 8 });
  const img = 64;
  const pairW = 2 * img + 6;
  const cols = Math.max(1, Math.floor((w.width + 18) / (pairW + 18)));
  const gapX = cols > 1 ? (w.width - cols * pairW) / (cols - 1) : 0;
  const rowH = img + 30;
  for (let r = 0; r < shown.length; r += cols) {
    w.ensure(rowH);
    const y = w.y;
    shown.slice(r, r + cols).forEach((th, j) => {
      const x = w.left + j * (pairW + gapX);
      if (th.original) w.doc.image(pixelsToPng(th.original, t.inputShape), x, y, { width: img, height: img });
      else {
        w.doc.rect(x, y, img, img).fillColor(SHADE).fill();
        w.style({ size: 7, color: MUTED }).doc.text('original not kept', x + 4, y + img / 2 - 8, { width: img - 8, align: 'center' });
      }
      w.doc.image(pixelsToPng(th.trigger, t.inputShape), x + img + 6, y, { width: img, height: img });
      w.doc.rect(x + img + 6, y, img, img).lineWidth(0.4).strokeColor('#888888').stroke();
      const caption = `#${th.index}: label ${th.label}${th.originalLabel !== undefined ? ` (clean input: ${th.originalLabel})` : ''}`;
      w.style({ size: 7.5 }).doc.text(caption, x, y + img + 4, { width: pairW });
    });
    w.doc.x = w.left;
    w.y = y + rowH;
  }
}

export function queriesSection(w: ReportWriter, m: ReportModel): void {
  const q = m.queries;
  w.heading('7. Queries to the suspect');
  const outcomes = Object.entries(q.byOutcome).sort(([a], [b]) => a.localeCompare(b));
  w.keyValues([
    ...(q.needed !== undefined ? [{ key: 'Inputs needed', value: groupDigits(q.needed) }] : []),
    { key: 'Sent to the suspect', value: groupDigits(q.sent) },
    { key: 'Answered from earlier records', value: `${groupDigits(q.reused)} (replies already recorded in this case, not sent again)` },
    { key: 'Attempts by outcome', value: outcomes.length ? outcomes.map(([k, n]) => `${k} ${groupDigits(n)}`).join(', ') : 'none recorded' },
    { key: 'Retries', value: groupDigits(q.retries) },
    { key: 'First query', value: formatUtc(q.firstAt) },
    { key: 'Last query', value: formatUtc(q.lastAt) },
    { key: 'Latency', value: q.latencyMs ? `median ${formatMs(q.latencyMs.median)}, 95th percentile ${formatMs(q.latencyMs.p95)}` : 'n/a' },
  ], 170);
  w.paragraph('Every attempt (time, latency, outcome, the SHA-256 of each input, the reply) is kept in the case database, whose audit log is hash-chained so that an edited or deleted record is detected.', { size: 8.5, color: MUTED });
}

export function reproducibilitySection(w: ReportWriter, m: ReportModel): void {
  const r = m.reproducibility;
  w.heading('8. Reproducibility');
  if (!r.bundle) {
    w.paragraph('No signed bundle was exported for this run. Export one (provenant bundle) so that an arbiter can repeat the verification.');
    return;
  }
  w.paragraph('The bundle holds the trigger set, the innocent models\' scores, the decision rule and the original result, signed with Ed25519. An arbiter with the bundle and access to the suspect runs the command below; it re-scores the suspect and says whether the score, both p-values and the decision are reproduced bit for bit.');
  w.keyValues([
    { key: 'Bundle file', value: r.bundle.file, mono: true },
    { key: 'Bundle SHA-256', value: r.bundle.sha256, mono: true },
    { key: 'Signer key fingerprint', value: r.bundle.signerFingerprint, mono: true },
  ], 130);
  if (r.replayCommand) {
    w.paragraph('Replay command:', { color: MUTED, gapAfter: 3 });
    // One line when it fits at 6.5 pt or more (copied as is, found as is by a text search); wrapped, never cut, beyond.
    const inner = w.width - 16;
    const size = Math.max(6.5, Math.min(8.5, (8.5 * inner) / (w.style({ font: 'mono', size: 8.5 }).doc.widthOfString(r.replayCommand) + 1)));
    const h = w.heightOf(r.replayCommand, inner, { font: 'mono', size }) + 12;
    if (h > w.pageHeight / 2) w.paragraph(r.replayCommand, { font: 'mono', size });
    else {
      w.ensure(h);
      const y = w.y;
      w.doc.rect(w.left, y, w.width, h).fillColor(SHADE).fill();
      w.style({ font: 'mono', size }).doc.text(r.replayCommand, w.left + 8, y + 6, { width: inner, lineGap: 1.5 });
      w.doc.x = w.left;
      w.y = y + h + 6;
    }
  }
  w.paragraph(`Expected on replay: score ${formatScore(m.verdict.score)}, empirical p-value ${formatP(m.verdict.pEmpirical)}, parametric p-value ${formatP(m.verdict.pParametric)}, decision "${m.verdict.decision}" (exact values in the appendix).`, { size: 8.5, color: MUTED });
}
