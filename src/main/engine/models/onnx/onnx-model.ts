/**
 * ONNX files as Provenant models: `importOnnxModel(file)` reads an ONNX file (as exported by
 * torch.onnx.export), registers its graph and returns a tf.LayersModel (one OnnxGraphLayer) with an
 * ArchSpec of arch 'onnx' — from then on it is a model like any other: methods differentiate it,
 * the lab attacks it, cloneModel copies it (buildModel(spec) → buildOnnxModel), saveModel stores it
 * with the original file as graph.onnx next to the current weights.
 *
 * The input convention is declared, not guessed: the layout is read from the file's input when its
 * shape makes it unambiguous (channels 1 or 3 at one end only), and preprocessing (scale, mean/std,
 * channel order) is what the investigator declares (PyTorch pipelines usually normalise with the
 * training set's mean/std: declare them, or the model sees inputs it was never trained on).
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PreprocessingSchema, type PreprocessingInput } from '../../suspects/preprocess.ts';
import type { ArchSpec, OnnxSpec } from '../types.ts';
import { describeModel } from './describe.ts';
import { decodeModel } from './onnx-proto.ts';
import { OnnxGraphLayer, registerOnnxGraph, registeredOnnxGraph } from './onnx-layer.ts';

/** Builds the LayersModel of an 'onnx' spec (its graph must be registered); initial weights are the file's. */
export function buildOnnxModel(spec: ArchSpec): tf.LayersModel {
  if (spec.arch !== 'onnx' || !spec.onnx) throw new Error('buildOnnxModel: the spec is not an ONNX spec (arch "onnx" with an onnx field)');
  registeredOnnxGraph(spec.onnx.sha256); // a clear error before tfjs wraps it
  const input = tf.input({ shape: spec.inputShape, dtype: 'float32', name: 'onnx_input' });
  const layer = new OnnxGraphLayer({ graphSha256: spec.onnx.sha256, numClasses: spec.numClasses, input: spec.onnx.input, seed: spec.seed, name: 'onnx_graph' });
  return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor, name: 'onnx' });
}

export interface OnnxImportRequest {
  preprocessing?: PreprocessingInput;
  /** Dropout seed for training mode (default 0). */
  seed?: number;
}

export interface ImportedOnnxModel {
  model: tf.LayersModel;
  spec: ArchSpec;
  /** The file's SHA-256. */
  sha256: string;
  bytes: Uint8Array;
}

const isChannels = (d: unknown) => d === 1 || d === 3;

/** Reads an ONNX file into a trainable, differentiable LayersModel. Errors name the file. */
export async function importOnnxModel(file: string, req: OnnxImportRequest = {}): Promise<ImportedOnnxModel> {
  const bytes = new Uint8Array(await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${file}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
  }));
  return importOnnxBytes(bytes, file, req);
}

export function importOnnxBytes(bytes: Uint8Array, file: string, req: OnnxImportRequest = {}): ImportedOnnxModel {
  const info = describeModel(decodeModel(bytes, file), bytes, file);
  const input = info.inputs[0];
  if (info.inputs.length !== 1 || !input.dims || input.dims.length !== 4) {
    throw new Error(`${file}: expected one image input of rank 4 ([N,C,H,W] or [N,H,W,C]); found ${info.inputs.map((i) => `${i.name}[${i.dims?.join(',') ?? '?'}]`).join(', ')}`);
  }
  const [, d1, d2, d3] = input.dims;
  const detected = isChannels(d1) && !isChannels(d3) ? 'nchw' : isChannels(d3) && !isChannels(d1) ? 'nhwc' : undefined;
  const declared = req.preprocessing?.layout;
  if (declared && detected && declared !== detected) throw new Error(`${file}: preprocessing.layout "${declared}" contradicts the input "${input.name}" [${input.dims.join(',')}], which is ${detected}`);
  const layout = declared ?? detected;
  if (!layout) throw new Error(`${file}: the layout of input "${input.name}" [${input.dims.join(',')}] is ambiguous; declare preprocessing.layout (nchw or nhwc)`);
  const [c, h, w] = layout === 'nchw' ? [d1, d2, d3] : [d3, d1, d2];
  if (![c, h, w].every((d) => typeof d === 'number' && d > 0)) throw new Error(`${file}: input "${input.name}" needs fixed channels, height and width; got [${input.dims.join(',')}]`);
  const pre = PreprocessingSchema.parse({ ...req.preprocessing, layout });
  const onnxInput: OnnxSpec['input'] = { layout, scale: pre.scale, channelOrder: pre.channelOrder, ...(pre.mean ? { mean: pre.mean } : {}), ...(pre.std ? { std: pre.std } : {}) };
  const sha256 = registerOnnxGraph(bytes, file);
  const out = info.outputs[0]?.dims;
  let numClasses = typeof out?.[out.length - 1] === 'number' ? (out![out!.length - 1] as number) : 0;
  const spec: ArchSpec = { arch: 'onnx', inputShape: [h as number, w as number, c as number], numClasses: numClasses || 2, seed: req.seed ?? 0, onnx: { sha256, file: basename(file), input: onnxInput } };
  if (!numClasses) {
    // A symbolic class dimension: one forward pass tells.
    const probe = buildOnnxModel(spec);
    numClasses = tf.tidy(() => (probe.predict(tf.zeros([1, h as number, w as number, c as number])) as tf.Tensor).shape[1]!);
    probe.dispose();
    spec.numClasses = numClasses;
  }
  if (numClasses < 2) throw new Error(`${file}: output "${info.outputs[0]?.name}" has ${numClasses} classes; a classifier with ≥ 2 is expected`);
  return { model: buildOnnxModel(spec), spec, sha256, bytes };
}

/**
 * An imported ONNX model (after fine-tuning, pruning, …) back as an ONNX file: the original graph
 * with the current weights. Only the declared preprocessing stays outside, as it was on import.
 */
export function exportOnnxModel(model: tf.LayersModel): Uint8Array {
  const layer = model.layers.find((l): l is OnnxGraphLayer => l instanceof OnnxGraphLayer);
  if (!layer) throw new Error(`${model.name}: not an imported ONNX model (native models have no ONNX graph to export)`);
  return layer.exportOnnx();
}
