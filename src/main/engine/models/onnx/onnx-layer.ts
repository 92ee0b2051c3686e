/**
 * An imported ONNX graph as ONE tfjs layer, so that an ONNX model is a tf.LayersModel like every
 * native one: the fingerprinting methods differentiate it, the model lab's attacks fine-tune, prune
 * and adversarially train it, cloneModel copies it and saveModel/loadModel store it — unchanged.
 *
 * The layer takes Provenant's input (NHWC float32 in [0,1]), applies the model's declared
 * preprocessing (scale, mean/std, channel order) and layout as differentiable tensor ops, and runs
 * the graph. Its weights are the graph's initializers, created through addWeight so that tfjs
 * sees them as ordinary LayerVariables (trainable ones, and batch norm's running statistics as
 * non-trainable). The graph itself (the file's bytes) is not serialisable as a layer config: the
 * config names it by SHA-256 and the bytes live in a process-wide registry, filled by whoever reads
 * the file (importOnnxModel, or loadModel from graph.onnx in a model directory).
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { exportOnnx, importOnnx, type OnnxGraph, type OnnxWeight } from './onnx-graph.ts';

/** How Provenant's NHWC [0,1] input becomes the file's input (declared, never guessed). */
export interface OnnxInputSpec {
  layout: 'nchw' | 'nhwc';
  scale: number;
  mean?: number[];
  std?: number[];
  channelOrder: 'rgb' | 'bgr';
}

type Initializer = NonNullable<Parameters<tf.layers.Layer['addWeight']>[3]>;

const graphs = new Map<string, { bytes: Uint8Array; file: string }>();

/** Makes the bytes of an ONNX file available to layers that name it; returns its SHA-256. */
export function registerOnnxGraph(bytes: Uint8Array, file: string): string {
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (!graphs.has(sha)) graphs.set(sha, { bytes, file });
  return sha;
}

export function registeredOnnxGraph(sha256: string): { bytes: Uint8Array; file: string } {
  const g = graphs.get(sha256);
  if (!g) throw new Error(`ONNX graph sha256:${sha256} is not loaded (a model directory of an imported ONNX model must contain its graph.onnx)`);
  return g;
}

/**
 * tfjs weight names: [A-Za-z0-9][A-Za-z0-9._/-]*; ONNX names may hold ':' and more. A name must not
 * start with a digit either: tfjs takes weight names ending in "/<number…>" for the Keras v3 format
 * and then matches weights by position ("0.weight" → index 0), so "0.weight" becomes "w0.weight".
 */
function tfName(onnxName: string): string {
  const s = onnxName.replace(/[^A-Za-z0-9._/-]/g, '_');
  return /^[A-Za-z]/.test(s) ? s : `w${s}`;
}

interface OnnxGraphLayerArgs {
  graphSha256: string;
  numClasses: number;
  input: OnnxInputSpec;
  /** Seed of Dropout masks in training mode (advanced per call). */
  seed?: number;
  name?: string;
}

export class OnnxGraphLayer extends tf.layers.Layer {
  static className = 'ProvenantOnnxGraph';
  readonly graphSha256: string;
  readonly numClasses: number;
  readonly feed: OnnxInputSpec;
  private readonly seed: number;
  private calls = 0;
  private graph?: OnnxGraph;
  private byName = new Map<string, tf.LayerVariable>();

  constructor(args: OnnxGraphLayerArgs) {
    super({ name: args.name ?? 'onnx', trainable: true });
    this.graphSha256 = args.graphSha256;
    this.numClasses = args.numClasses;
    this.feed = args.input;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const { bytes, file } = registeredOnnxGraph(this.graphSha256);
    this.graph = importOnnx(bytes, {
      file,
      variable: (w: { name: string; initial: tf.Tensor; trainable: boolean }) => {
        const lv = this.addWeight(tfName(w.name), w.initial.shape, 'float32', { apply: () => w.initial.clone() } as unknown as Initializer, undefined, w.trainable);
        this.byName.set(w.name, lv);
        return lv.read() as tf.Variable;
      },
    });
    super.build(inputShape);
  }

  /** The graph's weights (ONNX name, role, node) with their LayerVariables, in initializer order. */
  onnxWeights(): { weight: OnnxWeight; layerVariable: tf.LayerVariable }[] {
    if (!this.graph) throw new Error(`${this.name}: not built yet`);
    return this.graph.weights.map((weight) => ({ weight, layerVariable: this.byName.get(weight.name)! }));
  }

  /** The original ONNX file with the current weights (graph, node names and opset unchanged). */
  exportOnnx(): Uint8Array {
    if (!this.graph) throw new Error(`${this.name}: not built yet`);
    return exportOnnx(this.graph);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x0 = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = Boolean(kwargs?.training);
    const seed = training ? this.seed * 1_000_003 + this.calls++ : undefined;
    return tf.tidy(() => {
      let x = x0;
      const c = x.shape[3]!;
      const { scale, mean, std, channelOrder, layout } = this.feed;
      if (scale !== 1) x = tf.mul(x, scale);
      if (mean) x = tf.sub(x, tf.tensor1d(mean.length === 1 ? Array(c).fill(mean[0]) : mean));
      if (std) x = tf.div(x, tf.tensor1d(std.length === 1 ? Array(c).fill(std[0]) : std));
      if (channelOrder === 'bgr') x = tf.reverse(x, 3);
      // An NCHW file is fed our NHWC tensor as its input "transposed to NHWC": the graph keeps
      // activations NHWC up to the first layout-sensitive operator, so no transpose runs at all.
      return this.graph!.apply(x, { training, seed, ...(layout === 'nchw' ? { inputLayout: 'nhwc' as const } : {}) });
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], this.numClasses];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), graphSha256: this.graphSha256, numClasses: this.numClasses, input: this.feed as unknown as tf.serialization.ConfigDict, seed: this.seed };
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    const r = super.dispose(); // disposes the LayerVariables, i.e. the graph's weights, at refcount 0
    if (r.refCountAfterDispose === 0) this.graph?.dispose(); // then the graph's folded constants
    return r;
  }
}
tf.serialization.registerClass(OnnxGraphLayer);
