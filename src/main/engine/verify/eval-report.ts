/**
 * Writes an evaluation: eval-<dataset>.json (every number, every suspect's score), eval-<dataset>.md
 * (the tables a reader wants first) and, in eval-<dataset>/, one ROC figure with every method and a
 * score histogram per method (SVG, deterministic).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvalReport, MethodEval } from './evaluate.ts';
import { METHOD_IDS } from '../methods/types.ts';
import { rocSvg, scoreHistogramSvg } from './metrics.ts';

const f3 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
const f4 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(4));
const secs = (x: number | undefined): string => (x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(0));
const slug = (s: string): string => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();

export function datasetSlug(r: EvalReport): string {
  return r.dataset.id === 'fashion-mnist' ? 'fashion' : slug(r.dataset.id);
}

export function evalMarkdown(r: EvalReport, figuresDir: string): string {
  const ok = r.methods.filter((m) => m.metrics);
  const lines = [
    `# Fingerprint evaluation · ${r.dataset.name}`,
    '',
    `Suite: preset ${r.suite.preset}, seed ${r.suite.seed}: ${r.suite.positives} positives, ${r.suite.negatives} negatives ` +
      `around a ${r.suite.source.arch} source (test accuracy ${(r.suite.source.testAccuracy * 100).toFixed(2)} %). ` +
      (r.pool
        ? `Generation pool: preset ${r.pool.preset}, seed ${r.pool.seed}, ${r.pool.positives} + ${r.pool.negatives} models, no model shared with the suite (checked by hash, seed and recipe).`
        : 'No generation pool (methods that need one are reported as failed).'),
    `Trigger seed ${r.seed}; backend ${r.engine.backend} (${Object.entries(r.engine.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
      `${r.engine.platform}, Node ${r.engine.node}; whole run ${secs(r.seconds)} s.`,
    '',
    `TPR@x%FPR is the best TPR over thresholds whose false-positive rate is ≤ x %; with ${r.suite.negatives} negatives the FPR moves in steps of ` +
      `1/${r.suite.negatives} = ${(100 / r.suite.negatives).toFixed(1)} %, so "1 % FPR" means no negative above the threshold (achieved FPR in brackets). ` +
      'Scores are in [0,1], higher = derived; "labels" rows query the suspect for labels only.',
    '',
    'Verdict columns: what the calibrated verdict (src/main/engine/verify/verdict.ts) decides at false-accusation level 1e-3 — each negative ' +
      'judged against the other negatives (leave-one-out), each positive against all negatives; "derived" needs the fitted tail p ≤ 1e-3 and a score above every innocent.',
    '',
    '| method | scoring | AUC | TPR@1%FPR | TPR@10%FPR | ARUC | verdict@1e-3: detected | falsely accused | triggers | queries / suspect | generation s | verify s / suspect |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of r.methods) {
    if (!m.metrics) {
      lines.push(`| ${m.method} | ${m.mode} | failed: ${m.error ?? 'unknown error'} | | | | | | | | | |`);
      continue;
    }
    const x = m.metrics;
    lines.push(
      `| ${m.method} | ${m.mode} | ${f4(x.auc)} | ${f3(x.tprAt1.tpr)} (${(x.tprAt1.fpr * 100).toFixed(1)} %) | ${f3(x.tprAt10.tpr)} (${(x.tprAt10.fpr * 100).toFixed(1)} %) | ` +
        `${f3(x.aruc)} | ${m.verdicts ? `${m.verdicts.detections}/${m.verdicts.positives}` : '–'} | ${m.verdicts ? `${m.verdicts.falseAccusations}/${m.verdicts.negatives}` : '–'} | ${m.generation!.triggers} | ${m.queries!.mean.toFixed(0)} | ${secs(m.generation!.seconds)} | ${secs(m.verifySeconds!.median)} |`,
    );
  }
  if (ok.length) {
    const fams = [...new Map(ok.flatMap((m) => m.families!.map((fm) => [`${fm.role}\t${fm.family}`, fm] as const))).values()];
    lines.push('', '## Mean score per attack family', '', `| role | family | models | ${ok.map((m) => m.label).join(' | ')} |`, `|---|---|---:|${ok.map(() => '---:').join('|')}|`);
    for (const fm of fams) {
      const cells = ok.map((m) => f3(m.families!.find((g) => g.role === fm.role && g.family === fm.family)?.mean));
      lines.push(`| ${fm.role} | ${fm.family} | ${fm.n} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', '## Figures', '', `- ROC of every method: [${figuresDir}/roc.svg](${figuresDir}/roc.svg)`);
  for (const m of ok) lines.push(`- ${m.label} score distribution: [${figuresDir}/scores-${slug(m.label)}.svg](${figuresDir}/scores-${slug(m.label)}.svg)`);
  lines.push('', '## Trigger sets', '', '| method | directory | sha256 | parameters |', '|---|---|---|---|');
  for (const m of r.methods) {
    if (m.generation && m.mode === 'labels') lines.push(`| ${m.method} | ${m.generation.dir} | ${m.generation.sha256.slice(0, 16)}… | \`${JSON.stringify(m.generation.params)}\` |`);
  }
  return lines.join('\n') + '\n';
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/**
 * Merges a new evaluation into an earlier one of the same suite, pool, seed and engine backend (to
 * re-run one method without re-running all): rows of the re-evaluated methods are replaced, others
 * kept; `runs` lists every run that contributed. Anything else differing is an error, not a mix.
 */
export function mergeEvalReports(old: EvalReport, r: EvalReport): EvalReport {
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`--append: the earlier report has another ${what} (${JSON.stringify(a)} vs ${JSON.stringify(b)})`);
  };
  same('suite', old.suite, r.suite);
  same('pool', old.pool, r.pool);
  same('trigger seed', old.seed, r.seed);
  same('backend', old.engine.backend, r.engine.backend);
  const replaced = new Set(r.methods.map((m) => m.method));
  const order = (m: MethodEval) => METHOD_IDS.indexOf(m.method) * 2 + (m.mode === 'labels' ? 0 : 1);
  const runs = [...(old.runs ?? [{ createdAt: old.createdAt, seconds: old.seconds, methods: old.methods.map((m) => m.label) }]), { createdAt: r.createdAt, seconds: r.seconds, methods: r.methods.map((m) => m.label) }];
  return {
    ...r,
    seconds: old.seconds + r.seconds,
    runs,
    methods: [...old.methods.filter((m) => !replaced.has(m.method)), ...r.methods].sort((a, b) => order(a) - order(b)),
  };
}

/** The JSON report path `writeEvalReport` uses for this report's dataset. */
export function evalJsonPath(r: Pick<EvalReport, 'dataset'>, dir: string): string {
  return join(dir, `eval-${datasetSlug(r as EvalReport)}.json`);
}

/** Writes the JSON, the markdown and the figures into `dir`; returns the paths. */
export async function writeEvalReport(r: EvalReport, dir: string): Promise<{ json: string; markdown: string; figures: string }> {
  const base = `eval-${datasetSlug(r)}`;
  const figures = join(dir, base);
  await mkdir(figures, { recursive: true });
  const ok: MethodEval[] = r.methods.filter((m) => m.metrics);
  if (ok.length) {
    await writeAtomic(join(figures, 'roc.svg'), rocSvg(ok.map((m) => ({ name: m.label, points: m.roc! })), { title: `ROC · ${r.dataset.id} · ${r.suite.positives}+${r.suite.negatives} suspects` }));
    for (const m of ok) {
      const pos = m.scores!.filter((s) => s.role === 'positive').map((s) => s.score);
      const neg = m.scores!.filter((s) => s.role === 'negative').map((s) => s.score);
      await writeAtomic(join(figures, `scores-${slug(m.label)}.svg`), scoreHistogramSvg(pos, neg, { title: `${m.label} · ${r.dataset.id}` }));
    }
  }
  const json = join(dir, `${base}.json`);
  const markdown = join(dir, `${base}.md`);
  await writeAtomic(json, JSON.stringify(r, null, 2) + '\n');
  await writeAtomic(markdown, evalMarkdown(r, base));
  return { json, markdown, figures };
}

/** Reads an earlier report, or null when there is none. */
export async function readEvalReport(path: string): Promise<EvalReport | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as EvalReport;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}
