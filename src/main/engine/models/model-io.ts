/**
 * Model IO: tfjs LayersModel directories (model.json + weights.bin) on the local file system, with
 * Provenant's ModelMeta inside model.json's userDefinedMetadata.provenant. The browser build of
 * tfjs has no file:// handler, so this module implements a tf.io.IOHandler over node:fs.
 *
 * Saving is atomic: the directory is written under a temporary sibling name, flushed, then renamed
 * into place, so a crash never leaves a half-written model under the real name.
 *
 * Hashes (see docs/decisions/model-format.md): each file's SHA-256; the directory id is the SHA-256
 * of `sha256sum`-style lines "<hex>  <file>\n" of model.json and the weight files the manifest lists,
 * sorted by file name — `cd DIR && sha256sum model.json weights.bin | sha256sum` reproduces it.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { replaceDirectoryAtomically, writeDurably } from '../io/atomic-dir.ts';
import './architectures.ts'; // registers the custom layer classes our models may contain
import { registerOnnxGraph, registeredOnnxGraph } from './onnx/onnx-layer.ts';
import type { ArtefactHash, ModelMeta, SavedModel } from './types.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const MODEL_META_FORMAT = 'provenant-model/1';
/** An imported ONNX model keeps its original file here; weights.bin holds the current weights. */
export const ONNX_GRAPH = 'graph.onnx';

export interface SaveOptions {
  /** Replace an existing non-empty directory (atomically). Default false: refuse. */
  overwrite?: boolean;
}

export interface LoadedModel {
  model: tf.LayersModel;
  /** undefined for a plain tfjs model directory without Provenant metadata. */
  meta: ModelMeta | undefined;
  saved: SavedModel;
}

// ---------------------------------------------------------------------------------------------
// Hashing

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

function toSavedModel(dir: string, contents: Map<string, Uint8Array>): SavedModel {
  const files: ArtefactHash[] = [...contents.entries()]
    .map(([file, bytes]) => ({ file, bytes: bytes.byteLength, sha256: sha256(bytes) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { dir, files, sha256: sha256(files.map((f) => `${f.sha256}  ${f.file}\n`).join('')) };
}

// ---------------------------------------------------------------------------------------------
// Paths and reading

interface Located {
  dir: string;
  json: string;
}

/** Accepts a model directory or the path of its model.json. */
async function locate(path: string): Promise<Located> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new Error(`model not found: ${abs} does not exist`);
  if (st.isFile()) return { dir: dirname(abs), json: abs };
  const json = join(abs, MODEL_JSON);
  if (!(await stat(json).catch(() => null))?.isFile()) {
    throw new Error(`${json}: not found (${abs} is not a tfjs model directory)`);
  }
  return { dir: abs, json };
}

/** A manifest path must stay inside the model directory: model files are untrusted input. */
function weightPath(loc: Located, p: unknown, i: number): string {
  if (typeof p !== 'string' || p === '' || isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
    throw new Error(`${loc.json}: weightsManifest[${i}].paths has an unsafe or invalid entry ${JSON.stringify(p)}`);
  }
  const full = resolve(loc.dir, p);
  if (!full.startsWith(loc.dir + sep)) throw new Error(`${loc.json}: weight path ${JSON.stringify(p)} leaves the model directory`);
  return full;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

function specBytes(json: string, w: tf.io.WeightsManifestEntry): number {
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = DTYPE_BYTES[dtype];
  if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0) || per === undefined) {
    throw new Error(`${json}: weight "${String(w.name)}" has an unsupported shape or dtype (${JSON.stringify(w.shape)}, ${String(dtype)})`);
  }
  return w.shape.reduce((a, b) => a * b, 1) * per;
}

interface ReadModel {
  loc: Located;
  json: tf.io.ModelJSON;
  /** model.json and each weight file, keyed by path relative to the directory. */
  contents: Map<string, Uint8Array>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

async function readModelFiles(path: string, withWeights: boolean): Promise<ReadModel> {
  const loc = await locate(path);
  const jsonBytes = await readFile(loc.json);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(jsonBytes.toString('utf8')) as tf.io.ModelJSON;
  } catch (err) {
    throw new Error(`${loc.json}: not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${loc.json}: expected a JSON object`);
  if (json.modelTopology === null || typeof json.modelTopology !== 'object') {
    throw new Error(`${loc.json}: missing "modelTopology" (not a tfjs layers model)`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || !manifest.every((g) => g && Array.isArray(g.paths) && Array.isArray(g.weights))) {
    throw new Error(`${loc.json}: missing or malformed "weightsManifest"`);
  }
  const contents = new Map<string, Uint8Array>([[basename(loc.json), jsonBytes]]);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const [i, group] of manifest.entries()) {
    const expected = group.weights.reduce((n, w) => n + specBytes(loc.json, w), 0);
    let actual = 0;
    for (const p of group.paths) {
      const full = weightPath(loc, p, i);
      const bytes = await readFile(full).catch((err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? 'not found' : err.message;
        throw new Error(`${full}: ${why} (listed in ${basename(loc.json)} weightsManifest)`);
      });
      contents.set(p, bytes);
      chunks.push(bytes);
      actual += bytes.byteLength;
    }
    if (actual !== expected) {
      const files = group.paths.map((p) => resolve(loc.dir, p)).join(', ');
      throw new Error(`${files}: ${actual} bytes, but ${basename(loc.json)} weightsManifest[${i}] needs ${expected} (truncated or wrong weights file)`);
    }
    weightSpecs.push(...group.weights);
  }
  const onnx = (json.userDefinedMetadata as { provenant?: Partial<ModelMeta> } | undefined)?.provenant?.spec?.onnx;
  if (onnx) {
    // The graph of an imported ONNX model: part of the model (hashed with it), checked against the
    // metadata, and registered so that the layer naming it can be built.
    const full = join(loc.dir, ONNX_GRAPH);
    const bytes = await readFile(full).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${full}: ${err.code === 'ENOENT' ? 'not found' : err.message} (an imported ONNX model keeps its graph there)`);
    });
    if (sha256(bytes) !== onnx.sha256) throw new Error(`${full}: SHA-256 ${sha256(bytes)} differs from the ${onnx.sha256} recorded in ${basename(loc.json)} (altered or wrong graph file)`);
    registerOnnxGraph(new Uint8Array(bytes), onnx.file ?? ONNX_GRAPH);
    contents.set(ONNX_GRAPH, bytes);
  }
  const weightData = new Uint8Array(withWeights ? chunks.reduce((n, c) => n + c.byteLength, 0) : 0);
  if (withWeights) {
    let off = 0;
    for (const c of chunks) {
      weightData.set(c, off);
      off += c.byteLength;
    }
  }
  return { loc, json, contents, weightSpecs, weightData: weightData.buffer };
}

// ---------------------------------------------------------------------------------------------
// Writing


function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/**
 * An IOHandler that writes model.json + weights.bin into `dir` (which must exist and be empty of
 * those names) and reports what it wrote through `onWritten`. Metadata lands in
 * userDefinedMetadata.provenant without touching the model object.
 */
export function fileSaveHandler(dir: string, meta: ModelMeta | undefined, onWritten?: (contents: Map<string, Uint8Array>) => void): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('saving binary (GraphDef) topologies is not supported');
      const weights = joinWeightData(artifacts.weightData);
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      const userMeta = { ...(artifacts.userDefinedMetadata ?? {}), ...(meta ? { provenant: meta } : {}) };
      if (Object.keys(userMeta).length > 0) json.userDefinedMetadata = userMeta;
      const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
      await writeDurably(join(dir, WEIGHTS_BIN), weights);
      await writeDurably(join(dir, MODEL_JSON), jsonBytes);
      const written = new Map([[MODEL_JSON, jsonBytes], [WEIGHTS_BIN, weights]]);
      if (meta?.spec.onnx) {
        const graph = registeredOnnxGraph(meta.spec.onnx.sha256).bytes;
        await writeDurably(join(dir, ONNX_GRAPH), graph);
        written.set(ONNX_GRAPH, graph);
      }
      onWritten?.(written);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: jsonBytes.byteLength,
          weightSpecsBytes: 0,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/** An IOHandler that loads a model directory (or model.json path) with the checks of loadModel. */
export function fileLoadHandler(path: string): tf.io.IOHandler {
  return loadHandler(path);
}

function loadHandler(path: string, onRead?: (read: ReadModel) => void): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const read = await readModelFiles(path, true);
      onRead?.(read);
      const { json } = read;
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        trainingConfig: json.trainingConfig,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: read.weightSpecs,
        weightData: read.weightData,
      };
    },
  };
}

async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir)).length === 0;
}

/**
 * Checks that `dir` may receive a model (absent, empty, or overwrite allowed) and returns its
 * absolute path. Long jobs call it before they start, so a bad --out fails in a second, not after
 * an hour of training.
 */
export async function checkSaveTarget(dir: string, opts: SaveOptions = {}): Promise<string> {
  const target = resolve(dir);
  const existing = await stat(target).catch(() => null);
  if (existing && !existing.isDirectory()) throw new Error(`${target}: exists and is not a directory`);
  if (existing && !opts.overwrite && !(await isEmptyDir(target))) {
    throw new Error(`${target}: directory exists and is not empty (pass overwrite: true to replace it)`);
  }
  return target;
}

/** Saves `model` with `meta` as a tfjs directory at `dir`, atomically. Returns the files' hashes. */
export async function saveModel(model: tf.LayersModel, dir: string, meta: ModelMeta, opts: SaveOptions = {}): Promise<SavedModel> {
  if (meta?.format !== MODEL_META_FORMAT) throw new Error(`ModelMeta.format must be "${MODEL_META_FORMAT}"`);
  const target = await checkSaveTarget(dir, opts);
  let contents: Map<string, Uint8Array> | undefined;
  await replaceDirectoryAtomically(target, async (tmp) => {
    await model.save(fileSaveHandler(tmp, meta, (c) => (contents = c)));
  });
  return toSavedModel(target, contents!);
}

// ---------------------------------------------------------------------------------------------
// Loading

function parseMeta(json: string, user: unknown): ModelMeta | undefined {
  const p = (user as { provenant?: unknown } | undefined)?.provenant;
  if (p === undefined) return undefined;
  const m = p as Partial<ModelMeta> | null;
  if (m === null || typeof m !== 'object' || m.format !== MODEL_META_FORMAT) {
    throw new Error(`${json}: userDefinedMetadata.provenant has unsupported format ${JSON.stringify(m?.format)} (expected "${MODEL_META_FORMAT}")`);
  }
  if (!m.spec || typeof m.spec !== 'object') throw new Error(`${json}: userDefinedMetadata.provenant.spec is missing`);
  return m as ModelMeta;
}

function checkMetaMatchesModel(json: string, meta: ModelMeta, model: tf.LayersModel): void {
  const inShape = model.inputs[0].shape.slice(1);
  const outShape = model.outputs[0].shape.slice(1);
  const { inputShape, numClasses } = meta.spec;
  if (JSON.stringify(inShape) !== JSON.stringify(inputShape) || outShape.length !== 1 || outShape[0] !== numClasses) {
    throw new Error(
      `${json}: metadata spec (input ${JSON.stringify(inputShape)}, ${numClasses} classes) does not match the model ` +
        `(input ${JSON.stringify(inShape)}, output ${JSON.stringify(outShape)})`,
    );
  }
}

/** Loads a model directory or model.json path; errors name the offending file. */
export async function loadModel(path: string): Promise<LoadedModel> {
  let read: ReadModel | undefined;
  const handler = loadHandler(path, (r) => (read = r));
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(handler);
  } catch (err) {
    if (!read) throw err; // our own file errors already name the file
    throw new Error(`${read.loc.json}: cannot build the model (${(err as Error).message})`);
  }
  const r = read!;
  try {
    const meta = parseMeta(r.loc.json, r.json.userDefinedMetadata);
    if (meta) checkMetaMatchesModel(r.loc.json, meta, model);
    return { model, meta, saved: toSavedModel(r.loc.dir, r.contents) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The hashes of a saved model directory (or model.json path): model.json + the manifest's weight files. */
export async function hashModelDir(path: string): Promise<SavedModel> {
  const r = await readModelFiles(path, false);
  return toSavedModel(r.loc.dir, r.contents);
}
