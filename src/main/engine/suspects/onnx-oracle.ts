/**
 * A local ONNX model file as an Oracle, run with onnxruntime-node (CPU).
 *
 * The file is read once: its bytes are hashed (the exhibit's sha256) and the session is created from
 * those same bytes, so what was hashed is what answers. The model's interface is checked at open, with
 * errors that name the file and the field: one float32 image input of rank 4 with fixed image dims,
 * one [batch, classes] output. The input layout is read from the model when its shape makes it
 * unambiguous (a channel count of 1 or 3 at dim 1 or at dim 3, not both); otherwise the investigator
 * declares it, and a declaration that contradicts an unambiguous model is refused. Everything else
 * about the input (scale, mean/std, channel order) is declared, never guessed (preprocess.ts).
 *
 * Labels are the argmax of the raw output (lowest index on ties), so they do not depend on whether
 * the output is declared as logits or probabilities. See docs/decisions/onnx-suspects.md.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import { preprocess, PreprocessingSchema, type Preprocessing, type PreprocessingInput } from './preprocess.ts';
import type { Oracle, OracleCall, SuspectAnswer } from './types.ts';

type Ort = typeof OrtModule;
type Session = OrtModule.InferenceSession;
type Dims = readonly (number | string)[];

export interface OnnxOracleOptions {
  /** How Provenant's NHWC [0,1] RGB inputs become the model's input (recorded with the exhibit). */
  preprocessing?: PreprocessingInput;
  /** What the output holds: 'logits' (default; softmax applied in float64) or 'probabilities' (used as given). */
  outputs?: 'logits' | 'probabilities';
  /** Hide the probabilities, as a label-only API would. */
  labelOnly?: boolean;
  /** Inputs per run (default 256). A model with a fixed batch dimension is always fed exactly that many. */
  batchSize?: number;
  /** The image input, when the model has more than one input (the others must then be optional). */
  inputName?: string;
  /** The output to read, when the model has more than one. */
  outputName?: string;
  /** describe() (default: file name and the start of its sha256). */
  name?: string;
}

export type OnnxLayout = 'nchw' | 'nhwc';

export interface OnnxModelInfo {
  inputName: string;
  /** The input's dims as the model declares them (strings are symbolic dims). */
  inputDims: (number | string)[];
  layout: OnnxLayout;
  /** Whether the layout was read from the input's shape or had to be declared. */
  layoutFrom: 'model' | 'declared';
  /** The model's fixed batch size, or null when the batch dimension is dynamic. */
  fixedBatch: number | null;
  /** Inputs per run. */
  runBatch: number;
  outputName: string;
  /** The output's dims as the model declares them. */
  outputDims: (number | string)[];
  outputs: 'logits' | 'probabilities';
  /** The preprocessing applied, defaults filled in. */
  preprocessing: Preprocessing;
}

export interface OnnxOracle extends Oracle {
  /** SHA-256 (hex) of the file's bytes. */
  readonly sha256: string;
  readonly info: OnnxModelInfo;
}

let ortLoading: Promise<Ort> | undefined;

/**
 * onnxruntime-node is loaded on first use, not when the engine is imported: a machine without its
 * native binary can still do everything else, and gets an error that says what is missing.
 */
function loadOrt(): Promise<Ort> {
  ortLoading ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: Ort }).default ?? m) as Ort,
    (err: unknown) => {
      ortLoading = undefined;
      throw new Error(
        `ONNX suspects need the npm package "onnxruntime-node" with its native binary for ${process.platform}-${process.arch}, ` +
          `which could not be loaded: ${(err as Error).message}`,
      );
    },
  );
  return ortLoading;
}

const fmt = (dims: Dims): string => `[${dims.join(',')}]`;
const isFixed = (d: number | string): d is number => typeof d === 'number' && d > 0;
const isChannelCount = (d: number | string): boolean => d === 1 || d === 3;

/** The layout a rank-4 input's dims make unambiguous, or undefined when they do not. */
export function detectLayout(dims: Dims): OnnxLayout | undefined {
  if (dims.length !== 4) return undefined;
  if (isChannelCount(dims[1]) && !isChannelCount(dims[3])) return 'nchw';
  if (isChannelCount(dims[3]) && !isChannelCount(dims[1])) return 'nhwc';
  return undefined;
}

async function readModelFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${file}: not found`);
    if (code === 'EISDIR') throw new Error(`${file}: is a directory, not an ONNX file`);
    throw new Error(`${file}: cannot read (${(err as Error).message})`);
  }
}

function pick(file: string, kind: 'input' | 'output', all: readonly OrtModule.InferenceSession.ValueMetadata[], wanted: string | undefined): OrtModule.InferenceSession.TensorValueMetadata {
  const names = all.map((m) => `"${m.name}"`).join(', ');
  let meta: OrtModule.InferenceSession.ValueMetadata | undefined;
  if (wanted !== undefined) {
    meta = all.find((m) => m.name === wanted);
    if (!meta) throw new Error(`${file}: no ${kind} "${wanted}" (${kind}${all.length === 1 ? ' is' : 's are'} ${names || 'none'})`);
  } else if (all.length !== 1) {
    const option = kind === 'input' ? 'inputName' : 'outputName';
    throw new Error(`${file}: the model has ${all.length} ${kind}s (${names || 'none'}); expected exactly one (name it with ${option})`);
  } else {
    meta = all[0];
  }
  if (!meta.isTensor) throw new Error(`${file}: ${kind} "${meta.name}" is not a tensor`);
  return meta;
}

interface Interface {
  input: OrtModule.InferenceSession.TensorValueMetadata;
  output: OrtModule.InferenceSession.TensorValueMetadata;
  layout: OnnxLayout;
  layoutFrom: 'model' | 'declared';
  inputShape: [number, number, number];
  fixedBatch: number | null;
  preprocessing: Preprocessing;
}

function readInterface(file: string, session: Session, opts: OnnxOracleOptions): Interface {
  const input = pick(file, 'input', session.inputMetadata, opts.inputName);
  const where = `${file}: input "${input.name}"`;
  if (input.type !== 'float32') throw new Error(`${where} has type ${input.type}; expected float32`);
  const dims = input.shape;
  if (dims.length !== 4) throw new Error(`${where} has shape ${fmt(dims)} (rank ${dims.length}); expected rank 4 (a batch of images)`);
  if (!dims.slice(1).every(isFixed)) throw new Error(`${where} has shape ${fmt(dims)}; its image dims (1 to 3) must be fixed numbers`);
  const detected = detectLayout(dims);
  const declared = opts.preprocessing?.layout;
  if (declared !== undefined && declared !== 'nchw' && declared !== 'nhwc') {
    throw new Error(`${file}: preprocessing.layout must be "nchw" or "nhwc", got ${JSON.stringify(declared)}`);
  }
  if (detected && declared && detected !== declared) {
    throw new Error(`${file}: preprocessing.layout "${declared}" contradicts input "${input.name}" ${fmt(dims)}, which is ${detected.toUpperCase()} (channels at dim ${detected === 'nchw' ? 1 : 3})`);
  }
  const layout = detected ?? declared;
  if (!layout) throw new Error(`${where} has shape ${fmt(dims)}, whose layout is ambiguous (NCHW or NHWC); declare preprocessing.layout`);
  const [d1, d2, d3] = dims.slice(1) as number[];
  const parsed = PreprocessingSchema.safeParse({ ...opts.preprocessing, layout });
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `preprocessing.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${file}: ${why}`);
  }
  const output = pick(file, 'output', session.outputMetadata, opts.outputName);
  if (output.type !== 'float32' && output.type !== 'float64') throw new Error(`${file}: output "${output.name}" has type ${output.type}; expected float32`);
  if (output.shape.length !== 0 && output.shape.length !== 2) {
    throw new Error(`${file}: output "${output.name}" has shape ${fmt(output.shape)}; expected [batch, classes]`);
  }
  return {
    input, output, layout,
    layoutFrom: detected ? 'model' : 'declared',
    inputShape: layout === 'nchw' ? [d2, d3, d1] : [d1, d2, d3],
    fixedBatch: isFixed(dims[0]) ? dims[0] : null,
    preprocessing: parsed.data,
  };
}

function checkBatchSize(file: string, given: number | undefined, fixed: number | null, inputName: string): number {
  if (given !== undefined && !(Number.isInteger(given) && given >= 1)) throw new Error(`${file}: batchSize must be a positive integer, got ${String(given)}`);
  if (fixed !== null && given !== undefined && given !== fixed) {
    throw new Error(`${file}: batchSize ${given} was asked for, but input "${inputName}" has a fixed batch of ${fixed}`);
  }
  return fixed ?? given ?? 256;
}

/** Opens an ONNX classifier; throws an error naming the file and the field when it cannot serve as a suspect. */
export async function openOnnxOracle(file: string, opts: OnnxOracleOptions = {}): Promise<OnnxOracle> {
  const outputs = opts.outputs ?? 'logits';
  if (outputs !== 'logits' && outputs !== 'probabilities') throw new Error(`${file}: outputs must be "logits" or "probabilities", got ${JSON.stringify(outputs)}`);
  const bytes = await readModelFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ort = await loadOrt();
  let session: Session;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (err) {
    throw new Error(`${file}: not a loadable ONNX model (${(err as Error).message.trim()})`);
  }
  try {
    const itf = readInterface(file, session, opts);
    const runBatch = checkBatchSize(file, opts.batchSize, itf.fixedBatch, itf.input.name);
    const runner = new BatchRunner(ort, session, file, itf, runBatch);
    // One run on zeros at open: it checks that the declared preprocessing fits the input, that the
    // model runs with only its image input fed, and gives the class count when the output's is symbolic.
    const numClasses = await runner.probeClasses();
    const info: OnnxModelInfo = {
      inputName: itf.input.name, inputDims: [...itf.input.shape], layout: itf.layout, layoutFrom: itf.layoutFrom,
      fixedBatch: itf.fixedBatch, runBatch, outputName: itf.output.name, outputDims: [...itf.output.shape],
      outputs, preprocessing: itf.preprocessing,
    };
    return makeOracle(file, sha256, info, itf.inputShape, numClasses, runner, session, opts);
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
}

/** Preprocesses, pads to a fixed batch, runs, and checks the shape of what comes back. */
class BatchRunner {
  private readonly size: number;
  constructor(
    private readonly ort: Ort,
    private readonly session: Session,
    private readonly file: string,
    private readonly itf: Interface,
    readonly runBatch: number,
  ) {
    const [h, w, c] = itf.inputShape;
    this.size = h * w * c;
  }

  /** Raw outputs [m, k] for m NHWC [0,1] inputs (m ≤ runBatch). */
  async run(inputs: Float32Array, m: number, what: string): Promise<{ data: ArrayLike<number>; k: number }> {
    const { itf, file } = this;
    const [h, w, c] = itf.inputShape;
    let x: Float32Array;
    try {
      x = preprocess(inputs, m, itf.inputShape, itf.preprocessing);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    // A fixed batch dimension is fed exactly that many: the rest is zeros, whose outputs are dropped
    // (and never recorded: the exchange lists the real inputs only).
    const rows = itf.fixedBatch ?? m;
    const feed = rows === m ? x : new Float32Array(rows * this.size);
    if (feed !== x) feed.set(x);
    const dims = itf.layout === 'nchw' ? [rows, c, h, w] : [rows, h, w, c];
    let result: OrtModule.InferenceSession.ReturnType;
    try {
      result = await this.session.run({ [itf.input.name]: new this.ort.Tensor('float32', feed, dims) }, [itf.output.name]);
    } catch (err) {
      const fed = this.session.inputNames.length > 1 ? `, with only input "${itf.input.name}" fed` : '';
      throw new Error(`${file}: the model failed on ${what}${fed} (${(err as Error).message.trim()})`);
    }
    const out = result[itf.output.name] as OrtModule.Tensor;
    if (out.dims.length !== 2 || out.dims[0] !== rows) {
      throw new Error(`${file}: output "${itf.output.name}" has shape ${fmt(out.dims)} for ${rows} inputs; expected [${rows}, classes]`);
    }
    return { data: out.data as Float32Array | Float64Array, k: out.dims[1] };
  }

  async probeClasses(): Promise<number> {
    const { k } = await this.run(new Float32Array(this.size), 1, 'a zero input at open');
    const declared = this.itf.output.shape[1];
    const where = `${this.file}: output "${this.itf.output.name}"`;
    if (isFixed(declared) && declared !== k) throw new Error(`${where} declares ${declared} classes but gives ${k}`);
    if (k < 2) throw new Error(`${where} has ${k} class${k === 1 ? '' : 'es'}; expected at least 2`);
    return k;
  }
}

function makeOracle(file: string, sha256: string, info: OnnxModelInfo, inputShape: [number, number, number], k: number, runner: BatchRunner, session: Session, opts: OnnxOracleOptions): OnnxOracle {
  const [h, w, c] = inputShape;
  const size = h * w * c;
  const labelOnly = opts.labelOnly ?? false;
  const name = opts.name ?? `onnx ${basename(file)} (sha256 ${sha256.slice(0, 12)})`;
  let closed: Promise<void> | undefined;
  return {
    sha256, info, inputShape, numClasses: k, labelOnly,
    describe: () => name,
    close: () => (closed ??= session.release()),
    async answer(inputs: Float32Array, n: number, call: OracleCall): Promise<SuspectAnswer> {
      if (closed) throw new Error(`${name}: closed`);
      if (inputs.length !== n * size) throw new Error(`${name}: expected ${n}×${h}×${w}×${c} = ${n * size} values, got ${inputs.length}`);
      if (call.hashes.length !== n) throw new Error(`${name}: ${call.hashes.length} input hashes for ${n} inputs`);
      const labels = new Int32Array(n);
      const probs = labelOnly ? undefined : new Float32Array(n * k);
      for (let start = 0; start < n; start += runner.runBatch) {
        if (call.signal?.aborted) throw new Error(`${name}: cancelled`);
        const m = Math.min(runner.runBatch, n - start);
        const time = new Date().toISOString();
        const t0 = performance.now();
        const out = await runner.run(inputs.subarray(start * size, (start + m) * size), m, `inputs ${start}…${start + m - 1}`);
        if (out.k !== k) throw new Error(`${name}: output "${info.outputName}" gave ${out.k} classes, ${k} at open`);
        readRows(out.data, m, k, info.outputs, labels.subarray(start, start + m), probs?.subarray(start * k, (start + m) * k), () => `${name}: output "${info.outputName}" is not finite for inputs ${start}…${start + m - 1}`);
        call.report({
          time, latencyMs: performance.now() - t0, attempt: 1, outcome: 'ok',
          inputHashes: call.hashes.slice(start, start + m),
          labels: Array.from(labels.subarray(start, start + m)),
          ...(probs ? { probs: Array.from(probs.subarray(start * k, (start + m) * k)) } : {}),
        });
      }
      return probs ? { labels, probs } : { labels };
    },
  };
}

/**
 * Labels (argmax of the raw row, lowest index on ties) and, when asked for, probabilities: the row
 * as given, or its softmax computed in float64 (max-shifted, so large logits do not overflow).
 */
function readRows(raw: ArrayLike<number>, m: number, k: number, outputs: 'logits' | 'probabilities', labels: Int32Array, probs: Float32Array | undefined, notFinite: () => string): void {
  const e = new Float64Array(k);
  for (let r = 0; r < m; r++) {
    const o = r * k;
    let best = 0;
    for (let j = 0; j < k; j++) {
      const v = raw[o + j];
      if (!Number.isFinite(v)) throw new Error(notFinite());
      if (v > raw[o + best]) best = j;
    }
    labels[r] = best;
    if (!probs) continue;
    if (outputs === 'probabilities') {
      for (let j = 0; j < k; j++) probs[o + j] = raw[o + j];
      continue;
    }
    const max = raw[o + best];
    let sum = 0;
    for (let j = 0; j < k; j++) sum += e[j] = Math.exp(raw[o + j] - max);
    for (let j = 0; j < k; j++) probs[o + j] = e[j] / sum;
  }
}
