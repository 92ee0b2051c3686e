/**
 * An ONNX file as a differentiable, trainable tfjs graph.
 *
 *   const g = importOnnx(bytes, { file });
 *   const logits = g.apply(x);                         // x NCHW, as the file expects
 *   const dx = tf.grad((x) => loss(g.apply(x)))(x);    // input gradients
 *   tf.variableGrads(() => loss(g.apply(x)));          // weight gradients (g.variables)
 *   const bytes2 = exportOnnx(g);                      // the same file, current weights
 *
 * Import: every node's operator and attributes are checked (OnnxImportError names node, op and
 * opset); float initializers that feed tensor inputs of operators become tf.Variables in the
 * file's layout (trainable, except batch norm's running statistics); every node whose inputs are
 * all constants is folded once. When the input's shape is fixed apart from the batch, a batch of one
 * runs through the graph, so that shape errors also surface at import.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeModel, encodeModel, DataType, readTensor, standardOpset, writeFloatTensor, type ModelProto } from './onnx-proto.ts';
import { OnnxImportError } from './errors.ts';
import { describeModel, type OnnxTensorInfo } from './describe.ts';
import { foldAtImport, prepareNode, runNode, type PreparedNode, type RunOptions } from './executor.ts';
import { OPSET_RANGE } from './ops/index.ts';
import type { Value, WeightRole } from './ops/types.ts';
import { asNchw, constValue, tensorValue } from './ops/values.ts';

export interface OnnxWeight {
  /** The initializer's name in the file (e.g. "conv1.weight"). */
  readonly name: string;
  /**
   * The variable apply() and exportOnnx() read, in the file's layout (e.g. OIHW for Conv). A
   * wrapper may put its own variable of the same shape here (a LayerVariable's): both read the
   * current one on every call.
   */
  variable: tf.Variable;
  /** What it is to the first node that reads it ('kernel' for Conv/Gemm weights, 'bias', 'gamma', ...). */
  readonly role: WeightRole;
  /** That node's name and operator type. */
  readonly node: string;
  readonly op: string;
  /** False for batch norm's running mean and variance: constants of the inference form. */
  readonly trainable: boolean;
}

export interface ImportOptions {
  /** Names the model in errors (default "ONNX model"). */
  file?: string;
  /**
   * Keep activations NHWC between convolutions, pools and batch norms (default true). false is the
   * unoptimised baseline: NCHW everywhere, a transpose before and after each of them.
   */
  keepNhwc?: boolean;
  /**
   * Makes each weight's variable (default: tf.variable). A wrapper passes its own factory, e.g. a
   * tf.layers.Layer's addWeight, so that the graph reads the layer's variables. `initial` (file
   * layout) is disposed after the call: copy it. Variables made this way belong to the caller:
   * graph.dispose() leaves them alone.
   */
  variable?: (w: { name: string; initial: tf.Tensor; trainable: boolean; role: WeightRole }) => tf.Variable;
}

export interface ApplyOptions {
  /** Training mode: Dropout drops (needs `seed`). Batch norm stays in inference form either way. */
  training?: boolean;
  seed?: number;
  /**
   * 'nhwc': x is the file's rank-4 input transposed to NHWC (Provenant's own image layout). It is
   * used as stored, so a model that starts with a convolution needs no transpose at all.
   */
  inputLayout?: 'nchw' | 'nhwc';
  /** Which graph output to return (default: the first). */
  output?: string;
}

export interface OnnxGraph {
  readonly file: string;
  /** The file's inputs (initializers excluded); apply() takes the first and only one. */
  readonly inputs: OnnxTensorInfo[];
  readonly outputs: OnnxTensorInfo[];
  readonly opset: number;
  readonly producer: { name: string; version: string };
  /** Operator type → node count. */
  readonly operators: Record<string, number>;
  /** SHA-256 (hex) of the imported bytes. */
  readonly sha256: string;
  /** Every weight variable (file layout), trainable ones and batch norm statistics (from `weights`). */
  readonly variables: tf.Variable[];
  /** The trainable subset of `variables` (from `weights`). */
  readonly trainableVariables: tf.Variable[];
  /** The variables with what they are, in initializer order. */
  readonly weights: OnnxWeight[];
  /** Runs the graph on x (the file's layout: NCHW); usable inside tf.grad / tf.variableGrads. */
  apply(x: tf.Tensor, opts?: ApplyOptions): tf.Tensor;
  /** Frees the variables and the graph's constant tensors. */
  dispose(): void;
}

let graphCount = 0;

interface GraphState {
  model: ModelProto;
  bytes: Uint8Array;
  file: string;
  weights: OnnxWeight[];
}
const states = new WeakMap<OnnxGraph, GraphState>();

/** Names of values read by some node at a position that needs a constant (shapes, axes, pads...). */
function staticUses(nodes: PreparedNode[]): Map<string, boolean> {
  // name → true when read as a tensor anywhere, false when only read as a static constant.
  const asTensor = new Map<string, boolean>();
  for (const p of nodes) {
    p.node.input.forEach((name, i) => {
      if (!name) return;
      const isStatic = p.spec.staticInputs?.includes(i) ?? false;
      asTensor.set(name, (asTensor.get(name) ?? false) || !isStatic);
    });
  }
  return asTensor;
}

export function importOnnx(bytes: Uint8Array, opts: ImportOptions = {}): OnnxGraph {
  const file = opts.file ?? 'ONNX model';
  const model = decodeModel(bytes, file);
  const info = describeModel(model, bytes, file);
  const opset = standardOpset(model, file);
  if (opset < OPSET_RANGE.min || opset > OPSET_RANGE.max) {
    throw new OnnxImportError(file, `opset ${opset} is not supported (${OPSET_RANGE.min}–${OPSET_RANGE.max}; re-export with torch.onnx.export(..., opset_version=17))`);
  }
  const graph = model.graph!;
  if (graph.sparse_initializer.length > 0) throw new OnnxImportError(file, 'sparse initializers are not supported');
  if (info.inputs.length !== 1) throw new OnnxImportError(file, `the graph has ${info.inputs.length} inputs (${info.inputs.map((i) => i.name).join(', ')}); one input is supported`);
  const input = info.inputs[0];
  if (input.dtype !== 'float32') throw new OnnxImportError(file, `input "${input.name}" is ${input.dtype}; a float32 input is supported`);

  const used = new Set([...graph.node.flatMap((n) => n.input), ...graph.output.map((o) => o.name)]);
  const nodes = graph.node.map((n, i) => prepareNode(n, i, opset, file, used));
  const readAsTensor = staticUses(nodes);
  const firstReader = new Map<string, { p: PreparedNode; i: number }>();
  for (const p of nodes) p.node.input.forEach((name, i) => !firstReader.has(name) && !(p.spec.staticInputs ?? []).includes(i) && firstReader.set(name, { p, i }));

  // Everything made from here on is freed again if the import fails.
  const id = ++graphCount;
  const values = new Map<string, Value>();
  const owned = new Set<tf.Variable>();
  try {
    // Initializers: float ones read as tensors are weights (variables), the rest constants.
    const weights: OnnxWeight[] = [];
    const liveNames = new Set<string>([input.name]);
    for (const init of graph.initializer) {
      const data = readTensor(init, `${file}: initializer "${init.name}"`);
      if (init.data_type === DataType.FLOAT && readAsTensor.get(init.name)) {
        const reader = firstReader.get(init.name)!;
        const role = reader.p.spec.weightRoles?.[reader.i] ?? 'other';
        const trainable = role !== 'moving_mean' && role !== 'moving_variance';
        const initial = tf.tensor(data.data, data.shape, 'float32');
        let variable: tf.Variable;
        try {
          variable = opts.variable ? opts.variable({ name: init.name, initial, trainable, role }) : tf.variable(initial, trainable, `onnx${id}/${init.name}`);
        } finally {
          initial.dispose();
        }
        if (!arraysEqual(variable.shape, data.shape)) throw new OnnxImportError(file, `the variable made for initializer "${init.name}" has shape [${variable.shape.join(',')}], not [${data.shape.join(',')}]`);
        if (!opts.variable) owned.add(variable);
        weights.push({ name: init.name, variable, role, node: reader.p.name, op: reader.p.node.op_type, trainable });
        liveNames.add(init.name);
      } else {
        values.set(init.name, constValue(data, true));
      }
    }

    // Fold every node computable from constants alone; the rest run per call.
    const live: PreparedNode[] = [];
    const placeholder: Value = tensorValue(tf.scalar(0)); // stands for a value known only when running
    for (const name of liveNames) values.set(name, placeholder);
    try {
      for (const p of nodes) {
        if (foldAtImport(p, opset, values)) continue;
        live.push(p);
        for (const o of p.node.output) if (o) values.set(o, placeholder);
      }
    } finally {
      placeholder.kind === 'tensor' && placeholder.t.dispose();
    }
    for (const name of liveNames) values.delete(name);
    for (const p of live) for (const o of p.node.output) values.delete(o);
    for (const o of info.outputs) if (!values.has(o.name) && !live.some((p) => p.node.output.includes(o.name)) && o.name !== input.name) {
      throw new OnnxImportError(file, `output "${o.name}" is not produced by any node`);
    }
    const constants = new Map(values);

    const run = (x: tf.Tensor, o: ApplyOptions = {}): tf.Tensor => {
      const outName = o.output ?? info.outputs[0].name;
      if (!info.outputs.some((out) => out.name === outName)) throw new OnnxImportError(file, `no output "${outName}" (outputs: ${info.outputs.map((out) => out.name).join(', ')})`);
      const nhwc = o.inputLayout === 'nhwc';
      checkInput(nhwc && x.rank === 4 ? ([x.shape[0], x.shape[3], x.shape[1], x.shape[2]] as number[]) : x.shape, x.dtype, input, file, nhwc);
      const options: RunOptions = { training: o.training ?? false, seed: o.seed, keepNhwc: opts.keepNhwc ?? true };
      return tf.tidy(() => {
        const vals = new Map<string, Value>(constants);
        vals.set(input.name, tensorValue(x, nhwc ? 'nhwc' : 'nchw'));
        for (const w of weights) vals.set(w.name, tensorValue(w.variable));
        for (const p of live) runNode(p, opset, vals, options);
        const out = asNchw(vals.get(outName)!);
        // Never hand out the input, a variable or a graph constant: the caller owns (and disposes) the result.
        return out === x || out instanceof tf.Variable || isKept(out, constants) ? tf.clone(out) : out;
      });
    };

    const g: OnnxGraph = {
      file,
      inputs: info.inputs,
      outputs: info.outputs,
      opset,
      producer: info.producer,
      operators: info.operators,
      sha256: info.sha256,
      get variables() {
        return weights.map((w) => w.variable);
      },
      get trainableVariables() {
        return weights.filter((w) => w.trainable).map((w) => w.variable);
      },
      weights,
      apply: run,
      dispose() {
        for (const v of owned) v.dispose();
        for (const v of constants.values()) if (v.kind === 'const') for (const t of v.tensors?.values() ?? []) t.dispose();
        constants.clear();
      },
    };
    states.set(g, { model, bytes, file, weights });
    dryRun(g, input);
    return g;
  } catch (err) {
    for (const v of owned) v.dispose();
    for (const v of values.values()) if (v.kind === 'const') for (const t of v.tensors?.values() ?? []) t.dispose();
    throw err;
  }
}

const arraysEqual = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function isKept(t: tf.Tensor, constants: Map<string, Value>): boolean {
  for (const v of constants.values()) if (v.kind === 'const' && [...(v.tensors?.values() ?? [])].includes(t)) return true;
  return false;
}

/** `shape`: x's shape in the file's layout. */
function checkInput(shape: number[], dtype: string, input: OnnxTensorInfo, file: string, nhwc: boolean): void {
  const dims = input.dims;
  if (nhwc && shape.length !== 4) throw new OnnxImportError(file, `inputLayout 'nhwc' needs a rank-4 input, got rank ${shape.length}`);
  if (dims) {
    const ok = shape.length === dims.length && dims.every((d, i) => typeof d !== 'number' || d === shape[i]);
    const as = nhwc ? ' (NHWC input read as NCHW)' : '';
    if (!ok) throw new OnnxImportError(file, `input "${input.name}" must have shape [${dims.join(',')}], got [${shape.join(',')}]${as}`);
  }
  if (dtype !== 'float32') throw new OnnxImportError(file, `input "${input.name}" must be float32, got ${dtype}`);
}

/**
 * With a shape fixed apart from its first dimension, one zero input runs through the graph at
 * import: every operator meets real shapes before the model is handed out, and the graph's constant
 * tensors are made now (apply() then holds the tensor count steady from its first call).
 */
function dryRun(g: OnnxGraph, input: OnnxTensorInfo): void {
  const dims = input.dims;
  if (!dims || dims.slice(1).some((d) => typeof d !== 'number')) return;
  const shape = dims.map((d, i) => (i === 0 && typeof d !== 'number' ? 1 : (d as number)));
  tf.tidy(() => {
    g.apply(tf.zeros(shape));
  });
}

/**
 * The original file with every weight initializer replaced by its variable's current value: the
 * graph, node names, opset and metadata are the file's own (decoded from the imported bytes).
 */
export function exportOnnx(graph: OnnxGraph): Uint8Array {
  const state = states.get(graph);
  if (!state) throw new Error('exportOnnx: not a graph made by importOnnx');
  const model = decodeModel(state.bytes, state.file);
  const byName = new Map(state.weights.map((w) => [w.name, w.variable]));
  for (const init of model.graph!.initializer) {
    const v = byName.get(init.name);
    if (v) writeFloatTensor(init, v.dataSync() as Float32Array, `${state.file}: initializer "${init.name}"`);
  }
  return encodeModel(model);
}
