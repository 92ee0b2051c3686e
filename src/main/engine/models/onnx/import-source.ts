/**
 * An ONNX file (e.g. the owner's PyTorch model) as a Provenant source model: imported into a
 * trainable tfjs graph, paired with the dataset it classifies and a recorded split of that dataset
 * (owner data for trigger generation, attacker data for the lab, a test part for accuracy), and
 * optionally saved as a model directory (model.json + weights.bin + graph.onnx) that every other
 * command — lab build, generate, verify — takes like a model Provenant trained itself.
 *
 * The split is Provenant's default split of the dataset with a recorded seed. The owner's real
 * training data is unknown to us, so the reported test accuracy may be optimistic (the model may
 * have seen those images); it describes the import, it does not certify the model.
 */
import type * as tf from '@tensorflow/tfjs';
import { datasetRef } from '../../data/dataset.ts';
import { loadDataset, type DatasetOptions } from '../../data/registry.ts';
import { makeSplits } from '../../data/splits.ts';
import type { Dataset, DatasetId, DatasetSplits } from '../../data/types.ts';
import type { PreprocessingInput } from '../../suspects/preprocess.ts';
import { engineInfo } from '../../tensor/backend.ts';
import { saveModel } from '../model-io.ts';
import { TRAINING_DEFAULTS } from '../train-source.ts';
import { evaluateAccuracy } from '../training.ts';
import type { ModelMeta, SavedModel } from '../types.ts';
import { describeModel } from './describe.ts';
import { decodeModel } from './onnx-proto.ts';
import { importOnnxModel } from './onnx-model.ts';

export interface OnnxSourceRequest {
  file: string;
  dataset: DatasetId;
  datasetOptions?: DatasetOptions[DatasetId];
  preprocessing?: PreprocessingInput;
  /** Seed of the recorded split (default 1). */
  splitSeed?: number;
  /** Save as a model directory here (omitted: in memory only). */
  out?: string;
  overwrite?: boolean;
}

export interface OnnxSource {
  model: tf.LayersModel;
  meta: ModelMeta;
  /** SHA-256 of the ONNX file. */
  sha256: string;
  data: Dataset;
  splits: DatasetSplits;
  testAccuracy: number;
  saved?: SavedModel;
}

export async function importOnnxSource(req: OnnxSourceRequest): Promise<OnnxSource> {
  const imported = await importOnnxModel(req.file, { preprocessing: req.preprocessing });
  const { model, spec, sha256, bytes } = imported;
  try {
    // An image folder has no size of its own: it is read at the model's input size.
    const options = req.dataset === 'folder' ? { inputShape: spec.inputShape, ...(req.datasetOptions as object) } : req.datasetOptions;
    const data = await loadDataset(req.dataset, options as never);
    const [h, w, c] = data.inputShape;
    if (spec.inputShape.join('×') !== `${h}×${w}×${c}` || spec.numClasses !== data.numClasses) {
      throw new Error(`${req.file}: the model takes ${spec.inputShape.join('×')} inputs with ${spec.numClasses} classes; ${req.dataset} has ${h}×${w}×${c} with ${data.numClasses}`);
    }
    const splits = makeSplits(data, { ...TRAINING_DEFAULTS[req.dataset].split, seed: req.splitSeed ?? 1 });
    const testAccuracy = evaluateAccuracy(model, data, splits.test.indices);
    const info = describeModel(decodeModel(bytes, req.file), bytes, req.file);
    const meta: ModelMeta = {
      format: 'provenant-model/1',
      spec,
      input: { range: [0, 1], layout: 'NHWC' },
      classNames: data.classNames,
      training: {
        role: 'source',
        imported: { format: 'onnx', file: req.file, sha256, opset: info.opset, producer: info.producer, operators: info.operators },
        dataset: datasetRef(data),
        split: splits.record,
        seeds: { split: splits.record.config.seed },
        metrics: { testAccuracy, testSize: splits.test.indices.length },
      },
      engine: engineInfo(),
      createdAt: new Date().toISOString(),
    };
    const saved = req.out ? await saveModel(model, req.out, meta, { overwrite: req.overwrite }) : undefined;
    return { model, meta, sha256, data, splits, testAccuracy, ...(saved ? { saved } : {}) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
