/** `provenant train`: train a source model and save it as a tfjs directory with its provenance. */
import { resolve } from 'node:path';
import { ARCH_IDS } from '../../engine/models/types.ts';
import { DATASET_IDS } from '../../engine/data/types.ts';
import { trainSourceModel, type SourceTrainingRequest, type SourceTrainingResult } from '../../engine/models/train-source.ts';
import type { TrainConfig } from '../../engine/models/training.ts';
import { choiceFlag, intFlag, numberFlag, parse, UsageError, type Options } from '../args.ts';
import { createProgressReporter, formatSeconds } from '../progress-bar.ts';
import type { CliContext } from '../context.ts';

export const trainOptions: Options = {
  dataset: { type: 'string', default: 'mnist' },
  'data-dir': { type: 'string' },
  'input-shape': { type: 'string' },
  arch: { type: 'string', default: 'cnn' },
  width: { type: 'string' },
  seed: { type: 'string', default: '1' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  momentum: { type: 'string' },
  'weight-decay': { type: 'string' },
  schedule: { type: 'string' },
  out: { type: 'string', short: 'o' },
  overwrite: { type: 'boolean', default: false },
};

export const TRAIN_USAGE = `provenant train [--dataset mnist|fashion-mnist|folder] [--data-dir DIR] [--input-shape 28x28x1]
                [--arch ${ARCH_IDS.join('|')}] [--width W] [--seed N] [--epochs N] [--batch-size N]
                [--lr X] [--optimizer sgd|adam] [--momentum X] [--weight-decay X]
                [--schedule constant|cosine|step] [--out DIR] [--overwrite]`;

function parseShape(value: string | undefined): [number, number, number] {
  const m = /^(\d+)x(\d+)x([13])$/.exec(value ?? '');
  if (!m) throw new UsageError(`--input-shape: expected HxWxC with C 1 or 3 (e.g. 32x32x3), got "${value ?? ''}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function trainRequest(argv: string[]): SourceTrainingRequest {
  const { values: v } = parse(argv, trainOptions);
  const dataset = choiceFlag(v.dataset, 'dataset', DATASET_IDS)!;
  const arch = choiceFlag(v.arch, 'arch', ARCH_IDS)!;
  const seed = intFlag(v.seed, 'seed')!;
  const train: Partial<TrainConfig> = {};
  const epochs = intFlag(v.epochs, 'epochs', 1);
  const batchSize = intFlag(v['batch-size'], 'batch-size', 1);
  const lr = numberFlag(v.lr, 'lr');
  if (epochs !== undefined) train.epochs = epochs;
  if (batchSize !== undefined) train.batchSize = batchSize;
  if (lr !== undefined) train.learningRate = lr;
  const optimizer = choiceFlag(v.optimizer, 'optimizer', ['sgd', 'adam'] as const);
  const momentum = numberFlag(v.momentum, 'momentum');
  const weightDecay = numberFlag(v['weight-decay'], 'weight-decay');
  if (optimizer || momentum !== undefined || weightDecay !== undefined) {
    train.optimizer = { name: optimizer ?? (momentum !== undefined ? 'sgd' : 'adam'), momentum, weightDecay };
  }
  const schedule = choiceFlag(v.schedule, 'schedule', ['constant', 'cosine', 'step'] as const);
  if (schedule) train.schedule = { name: schedule };
  let datasetOptions: SourceTrainingRequest['datasetOptions'];
  if (dataset === 'folder') {
    if (!v['data-dir']) throw new UsageError('--data-dir is required with --dataset folder');
    datasetOptions = { path: resolve(String(v['data-dir'])), inputShape: parseShape(v['input-shape'] as string | undefined ?? '28x28x1') };
  } else if (dataset === 'fashion-mnist' && v['data-dir']) {
    datasetOptions = { dir: resolve(String(v["data-dir"])) };
  }
  const width = numberFlag(v.width, 'width');
  return {
    dataset, arch, seed, train, datasetOptions, width,
    out: resolve(String(v.out ?? `runs/${dataset}-${arch}-seed${seed}`)),
    overwrite: Boolean(v.overwrite),
  };
}

/** Prints a finished training: one JSON object with --json, three readable lines otherwise. */
export function reportTraining(result: SourceTrainingResult, ctx: CliContext): void {
  const summary = {
    model: result.saved.dir,
    sha256: result.saved.sha256,
    testAccuracy: result.testAccuracy,
    testSize: result.splits.test.indices.length,
    seconds: result.train.seconds,
    backend: result.meta.engine?.backend,
  };
  if (ctx.json) {
    ctx.out(JSON.stringify(summary, null, 2));
    return;
  }
  ctx.out(`test accuracy ${(result.testAccuracy * 100).toFixed(2)}% on ${summary.testSize} held-out samples`);
  ctx.out(`trained in ${formatSeconds(result.train.seconds)} on ${summary.backend}`);
  ctx.out(`saved ${summary.model} (sha256 ${summary.sha256})`);
}

export async function trainCommand(argv: string[], ctx: CliContext): Promise<number> {
  const req = trainRequest(argv);
  const result = await trainSourceModel(req, { onProgress: createProgressReporter(ctx.stderr), signal: ctx.signal, log: ctx.log });
  reportTraining(result, ctx);
  return 0;
}
