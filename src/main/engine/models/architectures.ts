/**
 * The architecture registry: five small image-classifier families built as tfjs LayersModels from an
 * ArchSpec. Every model outputs LOGITS (no softmax layer); training uses softmax cross-entropy on
 * logits and prediction (predict.ts) applies the softmax.
 *
 * Determinism: every random initializer gets its own seed, derived from spec.seed and the index of
 * the layer in build order (layerSeed), so the same spec gives bit-identical initial weights on any
 * backend (tfjs draws initial values in JS with a seeded alea PRNG). Layer names are fixed
 * (`cnn/conv1`, `resnet/s2b1_conv1`, ...) so weight names in a saved model are stable.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2d } from './tape-aware-conv2d.ts';
import { buildOnnxModel } from './onnx/onnx-model.ts';
import { ARCH_IDS, type ArchId, type ArchSpec } from './types.ts';

/** A spec with every optional field filled in and validated. */
export type ResolvedSpec = Required<Omit<ArchSpec, 'arch' | 'onnx'>> & { arch: ArchId };

export interface ArchitectureInfo {
  id: ArchId;
  description: string;
  /** Total parameters (trainable + batch-norm moving statistics) of buildModel(spec), without building it. */
  paramCount(spec: ArchSpec): number;
  /** The smallest input height/width (pixels) the family accepts. */
  minInputSide: number;
}

// ---------------------------------------------------------------------------------------------
// Seeds, names, widths

/** murmur3's 32-bit finaliser: a cheap, well-mixing bijection on uint32. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The initializer seed of the layer at `index` (build order) of a model with spec seed `seed`. */
export function layerSeed(seed: number, index: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return fmix32(lo ^ fmix32(hi ^ fmix32((index + 0x9e3779b9) >>> 0)));
}

function scale(n: number, width: number): number {
  return Math.max(1, Math.round(n * width));
}

// ---------------------------------------------------------------------------------------------
// Seeded dropout: tfjs's Dropout with a fixed seed draws the SAME mask on every call, and without a
// seed it uses Math.random. This layer derives a fresh seed per training call from its own seed.

type SeededDropoutArgs = ConstructorParameters<typeof tf.layers.Layer>[0] & { rate: number; seed: number };

export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs['training'] !== true || this.rate <= 0) return x;
    const seed = layerSeed(this.seed, this.calls++);
    return tf.tidy(() => tf.dropout(x, this.rate, undefined, seed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

// ---------------------------------------------------------------------------------------------
// Validation

function isPosInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Fills defaults and checks the spec, throwing an error that names the offending field. */
export function resolveSpec(spec: ArchSpec): ResolvedSpec {
  if (spec === null || typeof spec !== 'object') throw new Error('ArchSpec must be an object');
  const { arch, inputShape, numClasses, seed } = spec;
  if (!(ARCH_IDS as readonly string[]).includes(arch)) {
    throw new Error(`ArchSpec.arch: unknown architecture "${String(arch)}"; choose one of ${ARCH_IDS.join(', ')}`);
  }
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every(isPosInt)) {
    throw new Error(
      `ArchSpec.inputShape: expected [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`ArchSpec.numClasses: expected an integer >= 2, got ${String(numClasses)}`);
  }
  if (!Number.isSafeInteger(seed)) throw new Error(`ArchSpec.seed: expected an integer, got ${String(seed)}`);
  const width = spec.width ?? 1;
  if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) {
    throw new Error(`ArchSpec.width: expected a positive number, got ${String(width)}`);
  }
  const blocksPerStage = spec.blocksPerStage ?? 1;
  if (!isPosInt(blocksPerStage)) {
    throw new Error(`ArchSpec.blocksPerStage: expected a positive integer, got ${String(blocksPerStage)}`);
  }
  if (spec.blocksPerStage !== undefined && arch !== 'resnet') {
    throw new Error(`ArchSpec.blocksPerStage applies to resnet only, not ${arch}`);
  }
  const dropout = spec.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new Error(`ArchSpec.dropout: expected a rate in [0, 1), got ${String(dropout)}`);
  }
  if (spec.dropout !== undefined && arch !== 'vgg') throw new Error(`ArchSpec.dropout applies to vgg only, not ${arch}`);
  const family = FAMILIES[arch as ArchId];
  const [h, w] = inputShape;
  if (family.featureSide(h) < 1 || family.featureSide(w) < 1) {
    const m = minSide(family);
    throw new Error(`ArchSpec.inputShape: ${h}×${w} is too small for ${arch}; it needs at least ${m}×${m}`);
  }
  return { arch: arch as ArchId, inputShape: [inputShape[0], inputShape[1], inputShape[2]], numClasses, seed, width, blocksPerStage, dropout };
}

// ---------------------------------------------------------------------------------------------
// Building

type Init = 'glorot' | 'he';

/** Hands out deterministic names and per-layer seeds in build order. */
class Builder {
  private index = 0;
  constructor(readonly s: ResolvedSpec) {}

  private next(): number {
    return layerSeed(this.s.seed, this.index++);
  }
  name(n: string): string {
    return `${this.s.arch}/${n}`;
  }
  ch(n: number): number {
    return scale(n, this.s.width);
  }
  private kernelInit(init: Init, seed: number): ReturnType<typeof tf.initializers.heNormal> {
    return init === 'he' ? tf.initializers.heNormal({ seed }) : tf.initializers.glorotUniform({ seed });
  }

  conv(name: string, filters: number, kernelSize: number, o: { strides?: number; padding: 'same' | 'valid'; relu?: boolean; bias?: boolean; init?: Init }): tf.layers.Layer {
    const seed = this.next();
    return conv2d({
      name: this.name(name),
      filters,
      kernelSize,
      strides: o.strides ?? 1,
      padding: o.padding,
      activation: o.relu ? 'relu' : 'linear',
      useBias: o.bias ?? true,
      kernelInitializer: this.kernelInit(o.init ?? 'glorot', seed),
      biasInitializer: 'zeros',
    });
  }
  dense(name: string, units: number, relu: boolean): tf.layers.Layer {
    const seed = this.next();
    return tf.layers.dense({
      name: this.name(name),
      units,
      activation: relu ? 'relu' : 'linear',
      kernelInitializer: this.kernelInit('glorot', seed),
      biasInitializer: 'zeros',
    });
  }
  /** PyTorch's defaults (momentum 0.1 there = 0.9 here, eps 1e-5), not Keras's 0.99/1e-3. */
  bn(name: string): tf.layers.Layer {
    this.index++;
    return tf.layers.batchNormalization({ name: this.name(name), momentum: 0.9, epsilon: 1e-5 });
  }
  pool(name: string): tf.layers.Layer {
    this.index++;
    return tf.layers.maxPooling2d({ name: this.name(name), poolSize: 2, strides: 2, padding: 'valid' });
  }
  relu(name: string): tf.layers.Layer {
    this.index++;
    return tf.layers.activation({ name: this.name(name), activation: 'relu' });
  }
  flatten(): tf.layers.Layer {
    this.index++;
    return tf.layers.flatten({ name: this.name('flatten') });
  }
  dropout(rate: number): tf.layers.Layer {
    return new SeededDropout({ name: this.name('dropout'), rate, seed: this.next() });
  }
  globalPool(): tf.layers.Layer {
    this.index++;
    return tf.layers.globalAveragePooling2d({ name: this.name('gap') });
  }
  add(name: string): tf.layers.Layer {
    this.index++;
    return tf.layers.add({ name: this.name(name) });
  }
}

type Sym = tf.SymbolicTensor;
const apply = (x: Sym, ...layers: tf.layers.Layer[]): Sym => layers.reduce((t, l) => l.apply(t) as Sym, x);

function basicBlock(b: Builder, x: Sym, prefix: string, filters: number, stride: number): Sym {
  const inChannels = x.shape[3] as number;
  let y = apply(x, b.conv(`${prefix}_conv1`, filters, 3, { strides: stride, padding: 'same', bias: false, init: 'he' }), b.bn(`${prefix}_bn1`), b.relu(`${prefix}_relu1`));
  y = apply(y, b.conv(`${prefix}_conv2`, filters, 3, { padding: 'same', bias: false, init: 'he' }), b.bn(`${prefix}_bn2`));
  let shortcut = x;
  if (stride !== 1 || inChannels !== filters) {
    shortcut = apply(x, b.conv(`${prefix}_proj`, filters, 1, { strides: stride, padding: 'same', bias: false, init: 'he' }), b.bn(`${prefix}_proj_bn`));
  }
  return apply(b.add(`${prefix}_add`).apply([y, shortcut]) as Sym, b.relu(`${prefix}_relu2`));
}

const BODIES: Record<ArchId, (b: Builder, x: Sym) => Sym> = {
  mlp: (b, x) => apply(x, b.flatten(), b.dense('fc1', b.ch(256), true), b.dense('fc2', b.ch(128), true)),
  lenet: (b, x) =>
    apply(
      x,
      b.conv('conv1', b.ch(6), 5, { padding: 'same', relu: true }),
      b.pool('pool1'),
      b.conv('conv2', b.ch(16), 5, { padding: 'valid', relu: true }),
      b.pool('pool2'),
      b.flatten(),
      b.dense('fc1', b.ch(120), true),
      b.dense('fc2', b.ch(84), true),
    ),
  cnn: (b, x) =>
    apply(
      x,
      b.conv('conv1', b.ch(16), 3, { padding: 'valid', relu: true }),
      b.pool('pool1'),
      b.conv('conv2', b.ch(32), 3, { padding: 'valid', relu: true }),
      b.pool('pool2'),
      b.flatten(),
      b.dense('fc1', b.ch(64), true),
    ),
  vgg: (b, x) => {
    let y = x;
    for (const [i, c] of [32, 64].entries()) {
      const k = i + 1;
      y = apply(
        y,
        b.conv(`block${k}_conv1`, b.ch(c), 3, { padding: 'same', relu: true }),
        b.conv(`block${k}_conv2`, b.ch(c), 3, { padding: 'same', relu: true }),
        b.pool(`block${k}_pool`),
      );
    }
    y = apply(y, b.flatten(), b.dense('fc1', b.ch(128), true));
    return b.s.dropout > 0 ? apply(y, b.dropout(b.s.dropout)) : y;
  },
  resnet: (b, x) => {
    let y = apply(x, b.conv('stem_conv', b.ch(16), 3, { padding: 'same', bias: false, init: 'he' }), b.bn('stem_bn'), b.relu('stem_relu'));
    for (const [i, c] of [16, 32, 64].entries()) {
      for (let j = 0; j < b.s.blocksPerStage; j++) {
        const stride = i > 0 && j === 0 ? 2 : 1;
        y = basicBlock(b, y, `s${i + 1}b${j + 1}`, b.ch(c), stride);
      }
    }
    return apply(y, b.globalPool());
  },
};

/** Builds the (untrained, seeded) model of a spec. Outputs logits [N, numClasses]. */
export function buildModel(spec: ArchSpec): tf.LayersModel {
  if (spec.arch === 'onnx') return buildOnnxModel(spec);
  const s = resolveSpec(spec);
  const b = new Builder(s);
  const input = tf.input({ shape: s.inputShape, name: b.name('input'), dtype: 'float32' });
  const features = BODIES[s.arch](b, input);
  const logits = b.dense('logits', s.numClasses, false).apply(features) as Sym;
  return tf.model({ inputs: input, outputs: logits, name: s.arch });
}

// ---------------------------------------------------------------------------------------------
// Shapes and parameter counts (analytic: no tensors are allocated)

const conv = (k: number, cin: number, cout: number, bias = true): number => k * k * cin * cout + (bias ? cout : 0);
const dense = (i: number, o: number): number => i * o + o;
const bn = (c: number): number => 4 * c; // gamma, beta, moving mean, moving variance

interface Family {
  description: string;
  /** Spatial side at the flatten / pooling point for an input side; < 1 means too small. */
  featureSide(side: number): number;
  params(s: ResolvedSpec, fh: number, fw: number): number;
}

const FAMILIES: Record<ArchId, Family> = {
  mlp: {
    description: 'Multilayer perceptron: flatten, dense 256-relu, dense 128-relu, dense logits.',
    featureSide: (n) => n,
    params: (s, fh, fw) => {
      const [a, c] = [scale(256, s.width), scale(128, s.width)];
      return dense(fh * fw * s.inputShape[2], a) + dense(a, c) + dense(c, s.numClasses);
    },
  },
  lenet: {
    description: 'LeNet-5: conv5×5(6, same)-pool, conv5×5(16, valid)-pool, dense 120, dense 84, logits.',
    featureSide: (n) => Math.floor((Math.floor(n / 2) - 4) / 2),
    params: (s, fh, fw) => {
      const [c1, c2, f1, f2] = [6, 16, 120, 84].map((n) => scale(n, s.width));
      return conv(5, s.inputShape[2], c1) + conv(5, c1, c2) + dense(fh * fw * c2, f1) + dense(f1, f2) + dense(f2, s.numClasses);
    },
  },
  cnn: {
    description: 'Small CNN (PyTorch-benchmark twin): conv3×3(16)-pool, conv3×3(32)-pool, dense 64, logits.',
    featureSide: (n) => Math.floor((Math.floor((n - 2) / 2) - 2) / 2),
    params: (s, fh, fw) => {
      const [c1, c2, f] = [16, 32, 64].map((n) => scale(n, s.width));
      return conv(3, s.inputShape[2], c1) + conv(3, c1, c2) + dense(fh * fw * c2, f) + dense(f, s.numClasses);
    },
  },
  vgg: {
    description: 'VGG-style: two blocks of [conv3×3 same ×2, maxpool] with 32 and 64 channels, dense 128, logits.',
    featureSide: (n) => Math.floor(Math.floor(n / 2) / 2),
    params: (s, fh, fw) => {
      const [a, b, f] = [32, 64, 128].map((n) => scale(n, s.width));
      return conv(3, s.inputShape[2], a) + conv(3, a, a) + conv(3, a, b) + conv(3, b, b) + dense(fh * fw * b, f) + dense(f, s.numClasses);
    },
  },
  resnet: {
    description: 'ResNet-style with batch norm: stem, 3 stages of basic blocks (16/32/64 channels), global average pool, logits.',
    featureSide: (n) => Math.ceil(Math.ceil(n / 2) / 2),
    params: (s) => {
      const widths = [16, 32, 64].map((n) => scale(n, s.width));
      let cin = widths[0];
      let total = conv(3, s.inputShape[2], cin, false) + bn(cin);
      for (const [i, c] of widths.entries()) {
        for (let j = 0; j < s.blocksPerStage; j++) {
          total += conv(3, cin, c, false) + bn(c) + conv(3, c, c, false) + bn(c);
          if ((i > 0 && j === 0) || cin !== c) total += conv(1, cin, c, false) + bn(c);
          cin = c;
        }
      }
      return total + dense(cin, s.numClasses);
    },
  },
};

function minSide(f: Family): number {
  let n = 1;
  while (f.featureSide(n) < 1) n++;
  return n;
}

export const ARCHITECTURES: readonly ArchitectureInfo[] = ARCH_IDS.map((id) => ({
  id,
  description: FAMILIES[id].description,
  minInputSide: minSide(FAMILIES[id]),
  paramCount: (spec: ArchSpec): number => paramCount({ ...spec, arch: id }),
}));

/** Parameter count of a spec (same as ARCHITECTURES' entry; equals buildModel(spec).countParams()). */
export function paramCount(spec: ArchSpec): number {
  const s = resolveSpec(spec);
  const f = FAMILIES[s.arch];
  return f.params(s, f.featureSide(s.inputShape[0]), f.featureSide(s.inputShape[1]));
}
