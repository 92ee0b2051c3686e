/**
 * Appendix A: every number behind the report at full precision (the shortest decimal that reads
 * back as the same double), so a reader can recompute the p-values without the software: the
 * verdict's figures, every innocent model's score, every parameter and seed, and the suspect's
 * per-trigger match flags.
 */
import type { ReportModel } from './report-model.ts';
import { MUTED, type ReportWriter } from './layout.ts';
import { exact, formatValue } from './format.ts';

/** Flags per appendix line. */
export const FLAGS_PER_ROW = 25;

/** "0000–0024" style ranges, padded to the widest index so the column lines up. */
export function flagRows(flags: readonly number[]): [string, string][] {
  const pad = String(Math.max(0, flags.length - 1)).length;
  const rows: [string, string][] = [];
  for (let i = 0; i < flags.length; i += FLAGS_PER_ROW) {
    const end = Math.min(flags.length, i + FLAGS_PER_ROW) - 1;
    rows.push([`${String(i).padStart(pad, '0')}–${String(end).padStart(pad, '0')}`, flags.slice(i, end + 1).join(' ')]);
  }
  return rows;
}

export function appendixSection(w: ReportWriter, m: ReportModel): void {
  const v = m.verdict;
  w.newPage();
  w.heading('Appendix A. All numbers');
  w.heading('A.1 Verdict', 2);
  const model = v.model;
  w.table(
    [{ header: 'quantity', width: 190 }, { header: 'value', font: 'mono' }],
    [
      ['decision', v.decision],
      ['suspect score', exact(v.score)],
      ...(m.suspectMatches ? [['suspect matches / trials', `${m.suspectMatches.matches} / ${m.suspectMatches.trials}`]] : []),
      ['p-value, empirical', exact(v.pEmpirical)],
      ['p-value, parametric', v.pParametric === null ? 'null' : exact(v.pParametric)],
      ['false-accusation level', exact(m.run.level)],
      ['decision supported by', v.supportedBy],
      ['null size', String(v.nullSize)],
      ['null maximum', v.nullMax === null ? 'null' : exact(v.nullMax)],
      ['null model', model ? model.kind : 'null'],
      ...(model ? [['null model a', exact(model.a)], ['null model b', exact(model.b)]] : []),
      ...(model?.kind === 'beta-binomial' ? [['null model trials', String(model.trials)]] : []),
      ...(m.roc ? [['ROC AUC', exact(m.roc.auc)]] : []),
    ],
  );
  w.heading(`A.2 Innocent models (${m.nullScores.length})`, 2);
  if (m.nullScores.length) {
    w.table(
      [{ header: '#', width: 36, align: 'right' }, { header: 'model id' }, { header: 'score', width: 130, font: 'mono' }, { header: 'matches', width: 60, align: 'right' }],
      m.nullScores.map((s, i) => [String(i + 1), s.id, exact(s.score), s.matches === undefined ? '' : String(s.matches)]),
    );
  } else w.paragraph('The null is empty.');
  w.heading('A.3 Parameters and seeds', 2);
  const params = Object.entries(m.run.params).sort(([a], [b]) => a.localeCompare(b));
  const seeds = Object.entries(m.run.seeds).sort(([a], [b]) => a.localeCompare(b));
  w.table(
    [{ header: 'name', width: 190 }, { header: 'value', font: 'mono' }],
    [...params.map(([k, x]) => [`param ${k}`, formatValue(x)]), ...seeds.map(([k, s]) => [`seed ${k}`, String(s)])],
  );
  w.heading('A.4 Per-trigger matches', 2);
  const flags = m.triggerSet.matches;
  if (flags) {
    w.paragraph('1: the suspect answered trigger i like the source (as the method defines a match); 0: it did not.', { size: 8.5, color: MUTED });
    w.table([{ header: 'triggers', width: 90, font: 'mono' }, { header: 'match flags', font: 'mono' }], flagRows(flags));
  } else w.paragraph('The method gives no per-trigger match flags for this score, or they were not included.');
  w.heading('A.5 Query outcomes', 2);
  const q = m.queries;
  w.table(
    [{ header: 'quantity', width: 190 }, { header: 'value', font: 'mono' }],
    [
      ...(q.needed !== undefined ? [['inputs needed', String(q.needed)]] : []),
      ['sent', String(q.sent)],
      ['reused', String(q.reused)],
      ['retries', String(q.retries)],
      ...Object.entries(q.byOutcome).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [`outcome ${k}`, String(n)]),
      ...(q.latencyMs ? [['latency median (ms)', exact(q.latencyMs.median)], ['latency p95 (ms)', exact(q.latencyMs.p95)]] : []),
    ],
  );
  if (m.roc) {
    w.heading(`A.6 ROC points (${m.roc.points.length})`, 2);
    w.table(
      [{ header: '#', width: 36, align: 'right' }, { header: 'false positive rate', font: 'mono', width: 200 }, { header: 'true positive rate', font: 'mono' }],
      m.roc.points.map((p, i) => [String(i + 1), exact(p.fpr), exact(p.tpr)]),
    );
  }
}
