/**
 * The first part of the report, for a reader who is not a machine-learning expert: the cover, the
 * verdict in plain words with the false-accusation probability and how it was measured, the method
 * and why the number can be trusted, and the parameters and seeds that produced it.
 */
import type { ReportModel } from './report-model.ts';
import { MARGIN, MUTED, type ReportWriter } from './layout.ts';
import { exact, formatDate, formatP, formatScore, formatUtc, formatValue, oneIn } from './format.ts';
import { CALIBRATION_TEXT, METHOD_TEXTS } from './method-texts.ts';

type Verdict = ReportModel['verdict'];

/** The verdict in one line (cover, verdict section). */
export function verdictHeadline(v: Verdict, level: number): string {
  if (v.decision === 'derived') return `DERIVED: the suspect model is derived from the source model, at false-accusation level ${formatP(level)}.`;
  if (v.decision === 'not-derived') return `NOT SHOWN TO BE DERIVED: the evidence does not reach the false-accusation level ${formatP(level)}.`;
  return `NO VERDICT: too few innocent models (${v.nullSize}) to state a false-accusation probability.`;
}

/** How many innocent models score at least as high as the suspect (from the empirical p-value's definition). */
export const nullAtOrAbove = (m: ReportModel): number => m.nullScores.filter((s) => s.score >= m.verdict.score).length;

/**
 * The false-accusation probability the report leads with, and how it was obtained. The fitted tail
 * leads only where it carries the decision (verdict(): N innocent models cannot measure a p-value
 * as small as the level, and the suspect is above them all); otherwise the direct measurement leads.
 */
export function headlineProbability(m: ReportModel): { p: number | null; how: string } {
  const v = m.verdict;
  const N = v.nullSize;
  const k = nullAtOrAbove(m);
  const kind = v.model?.kind ?? 'fitted';
  const empirical = `measured over ${N} innocent models, of which ${k} scored as high as the suspect or higher: (1 + ${k}) / (${N} + 1) = ${formatP(v.pEmpirical)}`;
  if (v.supportedBy === 'parametric-tail' && k === 0) {
    return {
      p: v.pParametric,
      how: `estimated from the ${kind} distribution fitted to the ${N} innocent models' scores. The parametric tail carries this decision: with ${N} innocent models the smallest probability that can be measured directly is 1/(${N} + 1) = ${formatP(1 / (N + 1))}, above the level ${formatP(m.run.level)}, and the suspect scores above all of them. Directly measured (empirical): ${formatP(v.pEmpirical)}.`,
    };
  }
  if (v.supportedBy === 'none') return { p: v.pEmpirical, how: `${empirical}. No distribution was fitted: the null is too small for a verdict.` };
  return { p: v.pEmpirical, how: `${empirical}. The ${kind} distribution fitted to the null gives ${formatP(v.pParametric)}.` };
}

export function coverPage(w: ReportWriter, m: ReportModel): void {
  const doc = w.doc;
  w.y = MARGIN.top + 40;
  w.paragraph('PROVENANT · MODEL OWNERSHIP EVIDENCE REPORT', { font: 'bold', size: 9, color: MUTED, gapAfter: 18 });
  w.paragraph(m.case.name, { font: 'bold', size: 22, gapAfter: 4 });
  w.paragraph(`Case ${m.case.id}`, { size: 10, color: MUTED, gapAfter: 22 });
  if (m.case.parties.length) w.keyValues(m.case.parties.map((p) => ({ key: p.role, value: p.name })), 120);
  if (m.case.description) w.paragraph(m.case.description, { gapAfter: 14 });
  w.keyValues(
    [
      { key: 'Date of report', value: `${formatDate(m.generatedAt)} (${formatUtc(m.generatedAt)})` },
      { key: 'Verification run', value: `${m.run.id}, ${METHOD_TEXTS[m.run.method].name}, ${formatUtc(m.run.startedAt)}` },
      { key: 'Suspect', value: m.suspect.identity },
    ],
    120,
  );
  // The verdict line, boxed so it is the first thing read.
  const text = verdictHeadline(m.verdict, m.run.level);
  const h = w.heightOf(text, w.width - 24, { font: 'bold', size: 12 }) + 20;
  w.gap(16);
  w.ensure(h);
  const y = w.y;
  doc.rect(w.left, y, w.width, h).lineWidth(1).strokeColor(m.verdict.decision === 'derived' ? '#c0392b' : '#555555').stroke();
  w.style({ font: 'bold', size: 12 }).doc.text(text, w.left + 12, y + 10, { width: w.width - 24 });
  w.y = y + h + 10;
  const { p } = headlineProbability(m);
  if (p !== null && m.verdict.decision !== 'insufficient-null') {
    w.paragraph(`Probability of a false accusation: ${formatP(p)}${oneIn(p) ? ` (${oneIn(p)})` : ''}. Section 1 explains how it was measured.`, { color: MUTED });
  }
  w.gap(20);
  w.paragraph(`Produced by Provenant ${m.producer.provenant} (engine backend ${m.producer.engine.backend}). Every figure in this report is listed with full precision in the appendix.`, { size: 8, color: MUTED });
}

export function verdictSection(w: ReportWriter, m: ReportModel): void {
  const v = m.verdict;
  const N = v.nullSize;
  w.heading('1. Verdict');
  w.paragraph(verdictHeadline(v, m.run.level), { font: 'bold', size: 11, gapAfter: 8 });
  const { p, how } = headlineProbability(m);
  const plain =
    v.decision === 'derived'
      ? `The suspect answers the source model's fingerprint the way a model derived from the source does, and scores higher than every one of the ${N} independently trained innocent models it was compared with. The probability that an innocent model would score this high, which is the probability of a false accusation, is ${formatP(p)}${oneIn(p) ? ` (${oneIn(p)})` : ''}.`
      : v.decision === 'not-derived'
        ? `The suspect's answers do not separate it from independently trained innocent models strongly enough to call it derived at the chosen level. This is not a finding that the suspect is independent: it means that this fingerprint, on this evidence, does not show derivation.`
        : `No decision was taken: the null has ${N} innocent models, too few to estimate how often an innocent model scores as high as the suspect.`;
  w.paragraph(plain, { gapAfter: 8 });
  const matches = m.suspectMatches ? ` (${m.suspectMatches.matches} of ${m.suspectMatches.trials} triggers answered like the source)` : '';
  const fit = v.model
    ? v.model.kind === 'beta-binomial'
      ? `beta-binomial on match counts (a = ${v.model.a.toPrecision(4)}, b = ${v.model.b.toPrecision(4)}, n = ${v.model.trials})`
      : `beta on scores (a = ${v.model.a.toPrecision(4)}, b = ${v.model.b.toPrecision(4)})`
    : 'none';
  w.keyValues([
    { key: 'Suspect score', value: `${formatScore(v.score)}${matches}` },
    { key: 'Innocent models (null)', value: `${N}, highest score ${formatScore(v.nullMax)}` },
    { key: 'False-accusation probability', value: `${formatP(p)}${oneIn(p) ? `, ${oneIn(p)}` : ''}` },
    { key: 'How it was measured', value: how },
    { key: 'Empirical p-value', value: formatP(v.pEmpirical) },
    { key: 'Parametric p-value', value: formatP(v.pParametric) },
    { key: 'Fitted null model', value: fit },
    { key: 'False-accusation level', value: formatP(m.run.level) },
    { key: 'Decision rule', value: `"derived" when the parametric p-value is at most the level and the suspect scores above every innocent model${v.supportedBy === 'empirical' ? ', and the empirical p-value is at most the level' : ''}.` },
  ]);
  w.paragraph('The engine\'s statement, verbatim:', { color: MUTED, gapAfter: 2 });
  w.paragraph(v.explanation, { indent: 12 });
}

export function methodSection(w: ReportWriter, m: ReportModel): void {
  const t = METHOD_TEXTS[m.run.method];
  w.heading('2. Method, and why the result can be trusted');
  w.heading(`${t.name} (method id "${m.run.method}")`, 2);
  w.paragraph(t.text);
  w.paragraph(`Source: ${t.paper}. Provenant's parameters and its departures from the paper: ${t.doc}.`, { size: 8.5, color: MUTED, gapAfter: 8 });
  w.heading('Calibration against innocent models', 2);
  for (const para of CALIBRATION_TEXT) w.paragraph(para);
  const sealed = m.reproducibility.bundle
    ? 'The trigger set, the innocent models\' scores and the decision rule are sealed in a signed bundle (section 8): anyone can repeat the verification on the suspect and obtain the same numbers.'
    : 'No signed bundle was exported for this run, so this report alone does not let a third party replay the verification.';
  w.paragraph(`Every query sent to the suspect and every reply was recorded with its time (section 7). ${sealed}`);
}

export function parametersSection(w: ReportWriter, m: ReportModel): void {
  w.heading('3. Parameters and seeds');
  w.keyValues([
    { key: 'Run', value: m.run.id, mono: true },
    { key: 'Method', value: `${m.run.method} (${METHOD_TEXTS[m.run.method].name})` },
    { key: 'Suspect answers', value: m.run.labelsOnly ? 'labels only (verified as label-only)' : 'labels and probabilities' },
    { key: 'False-accusation level', value: exact(m.run.level) },
    { key: 'Started', value: formatUtc(m.run.startedAt) },
    { key: 'Finished', value: formatUtc(m.run.finishedAt) },
  ]);
  const seeds = Object.entries(m.run.seeds).sort(([a], [b]) => a.localeCompare(b));
  w.heading('Seeds', 2);
  if (seeds.length) w.keyValues(seeds.map(([k, s]) => ({ key: k, value: String(s), mono: true })));
  else w.paragraph('No seeds recorded.');
  const params = Object.entries(m.run.params).sort(([a], [b]) => a.localeCompare(b));
  w.heading('Method parameters (defaults filled in)', 2);
  if (params.length) w.keyValues(params.map(([k, v]) => ({ key: k, value: formatValue(v), mono: true })));
  else w.paragraph('The method has no parameters.');
  w.heading('Software', 2);
  const versions = Object.entries(m.producer.engine.versions).sort(([a], [b]) => a.localeCompare(b));
  w.keyValues([
    { key: 'Provenant', value: m.producer.provenant },
    { key: 'Engine backend', value: m.producer.engine.backend },
    ...versions.map(([k, v]) => ({ key: k, value: v })),
  ]);
}
