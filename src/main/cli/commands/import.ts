/**
 * `provenant import model.onnx --dataset D --out DIR`: an ONNX file (typically the owner's PyTorch
 * model) becomes a Provenant source model directory — a trainable tfjs graph, the original file as
 * graph.onnx, a recorded split of the dataset — that `lab build`, `generate` and `verify` take like
 * any model Provenant trained.
 */
import { resolve } from 'node:path';
import { DATASET_IDS, type DatasetId } from '../../engine/data/types.ts';
import { importOnnxSource } from '../../engine/models/onnx/import-source.ts';
import { choiceFlag, intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { PREPROCESS_OPTIONS, PREPROCESS_USAGE, preprocessingFlags } from '../preprocess-flags.ts';

export const IMPORT_USAGE = `provenant import MODEL.onnx --dataset mnist|fashion-mnist|folder [--data-dir DIR] [--split-seed 1]
                ${PREPROCESS_USAGE} [--out DIR] [--overwrite]`;

/** --dataset / --data-dir as the engine wants them (a folder dataset takes its image size from the model). */
export function datasetFlags(v: Record<string, unknown>, inputShape?: [number, number, number]) {
  const dataset = choiceFlag(v.dataset, 'dataset', DATASET_IDS);
  if (dataset === 'folder' && !v['data-dir']) throw new UsageError('--data-dir is required with --dataset folder');
  const dir = v['data-dir'] ? resolve(String(v['data-dir'])) : undefined;
  const datasetOptions = dir ? (dataset === 'folder' ? { path: dir, ...(inputShape ? { inputShape } : {}) } : { dir }) : undefined;
  return { dataset, datasetOptions };
}

export async function importCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    dataset: { type: 'string' }, 'data-dir': { type: 'string' }, 'split-seed': { type: 'string', default: '1' },
    out: { type: 'string', short: 'o' }, overwrite: { type: 'boolean', default: false }, ...PREPROCESS_OPTIONS,
  }, 1);
  const file = positionals[0];
  if (!file) throw new UsageError(`missing MODEL.onnx; usage: ${IMPORT_USAGE}`);
  if (!/\.onnx$/i.test(file)) throw new UsageError(`${file}: expected an .onnx file`);
  if (!v.dataset) throw new UsageError('--dataset is required: the dataset the model classifies (its owner data and test split come from it)');
  const { dataset, datasetOptions } = datasetFlags(v as Record<string, unknown>);
  const out = resolve(String(v.out ?? `runs/import-${file.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '')}`));
  const s = await importOnnxSource({
    file: resolve(file), dataset: dataset as DatasetId, datasetOptions: datasetOptions as never, preprocessing: preprocessingFlags(v as Record<string, unknown>),
    splitSeed: intFlag(v['split-seed'], 'split-seed'), out, overwrite: Boolean(v.overwrite),
  });
  try {
    const summary = { dir: s.saved!.dir, sha256: s.saved!.sha256, onnxSha256: s.sha256, spec: s.meta.spec, testAccuracy: s.testAccuracy, testSize: s.splits.test.indices.length };
    if (ctx.json) ctx.out(JSON.stringify(summary, null, 2));
    else {
      ctx.out(`imported ${file} (sha256 ${s.sha256}) as ${summary.dir} (sha256 ${summary.sha256})`);
      ctx.out(`input ${s.meta.spec.inputShape.join('×')} (${s.meta.spec.onnx!.input.layout} in the file), ${s.meta.spec.numClasses} classes; test accuracy ${(s.testAccuracy * 100).toFixed(2)}% on ${summary.testSize} ${dataset} images of the recorded split`);
    }
    return 0;
  } finally {
    s.model.dispose();
  }
}
