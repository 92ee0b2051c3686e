/** Loads what every suite builder needs: the source, its dataset and its recorded split. */
import type { DatasetOptions } from '../data/registry.ts';
import { loadDataset } from '../data/registry.ts';
import { reproduceSplits } from '../data/splits.ts';
import type { DatasetId, SplitRecord } from '../data/types.ts';
import { loadModel } from '../models/model-io.ts';
import { importOnnxSource } from '../models/onnx/import-source.ts';
import type { PreprocessingInput } from '../suspects/preprocess.ts';
import type { LabEnv } from './build-recipe.ts';
import type { Purpose } from './recipes.ts';

export interface LabEnvRequest {
  sourceDir: string;
  /** When given, must match the dataset the source was trained on. */
  dataset?: DatasetId;
  datasetOptions?: DatasetOptions[DatasetId];
  outDir: string;
  suiteSeed: number;
  purpose: Purpose;
}

/** A Provenant source model with the dataset and split it was trained on (reproduced from its record). */
export interface SourceEnv {
  source: LabEnv['source'];
  sourceMeta: LabEnv['sourceMeta'];
  sourceSha256: string;
  data: LabEnv['data'];
  splits: LabEnv['splits'];
}

/** How an ONNX file given directly as the source is fed (see models/onnx/import-source.ts). */
export interface OnnxSourceOptions {
  preprocessing?: PreprocessingInput;
  splitSeed?: number;
}

export async function loadSourceEnv(sourceDir: string, dataset?: DatasetId, datasetOptions?: DatasetOptions[DatasetId], onnx: OnnxSourceOptions = {}): Promise<SourceEnv> {
  if (/\.onnx$/i.test(sourceDir)) {
    // An ONNX file straight from its owner: imported in memory, with a recorded default split.
    if (!dataset) throw new Error(`${sourceDir}: an ONNX source carries no dataset record; name its dataset (--dataset mnist|fashion-mnist|folder), or import it once with \`provenant import\``);
    const s = await importOnnxSource({ file: sourceDir, dataset, datasetOptions, ...onnx });
    return { source: s.model, sourceMeta: s.meta, sourceSha256: s.sha256, data: s.data, splits: s.splits };
  }
  const { model, meta, saved } = await loadModel(sourceDir);
  const training = meta?.training as { dataset?: { id?: DatasetId; sha256?: string }; split?: SplitRecord } | undefined;
  if (!meta || !training?.split || !training.dataset?.id) {
    model.dispose();
    throw new Error(`${saved.dir}: not a Provenant source model (no recorded dataset split); train it with "provenant train"`);
  }
  const id = training.dataset.id;
  if (dataset && dataset !== id) {
    model.dispose();
    throw new Error(`--dataset ${dataset} does not match the source model, which was trained on ${id}`);
  }
  try {
    const data = await loadDataset(id, datasetOptions as never);
    const splits = reproduceSplits(data, training.split);
    return { source: model, sourceMeta: meta, sourceSha256: saved.sha256, data, splits };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

export async function loadLabEnv(req: LabEnvRequest): Promise<LabEnv> {
  const env = await loadSourceEnv(req.sourceDir, req.dataset, req.datasetOptions);
  return { ...env, outDir: req.outDir, suiteSeed: req.suiteSeed, purpose: req.purpose };
}
