/**
 * GanFinger's generator G and discriminator D (AdvGAN-like, Xiao et al. 2018), sized for small
 * images (28×28×C): plain tf.Variables and functional ops, not LayersModels, so they are trivially
 * disposed and never saved. Initial weights are drawn from our seeded Rng (He-uniform, zero
 * biases), so the same seed gives bit-identical nets on any backend.
 *
 * G(x, t): [x ‖ one-hot(t) planes] → conv3 (w) → conv3/2 (2w) → conv3/2 (4w) → one residual block
 *   (4w) → deconv3×2 (2w, + skip from the 2w encoder map) → deconv3×2 (w, + skip from the w map) →
 *   conv3 (C) → ε·tanh: a perturbation in [−ε, ε]. Instance norm + ReLU after every hidden conv, as
 *   AdvGAN. Conditioning on the target class t is our reading of the paper's "conditional
 *   adversarial network". The skips are ours; both they and the instance norm were needed for G to
 *   learn within a few hundred steps (without, it barely flipped the source in 300 steps). The last conv
 *   starts at 1/10 of its He scale so G starts near the identity.
 * D(x): conv3/2 (w) → conv3/2 (2w) → conv3/2 (4w), leaky ReLU 0.2 → global mean → dense → 1 logit.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, type Rng } from '../data/random.ts';

export interface Net {
  vars: tf.Variable[];
  dispose(): void;
}

export interface GeneratorNet extends Net {
  /** The perturbation δ ∈ [−ε, ε] for inputs x [b,h,w,C] and one-hot targets [b,K]. */
  perturb(x: tf.Tensor4D, target: tf.Tensor2D): tf.Tensor4D;
}

export interface DiscriminatorNet extends Net {
  /** Logit of "x is an original" per input, [b]. */
  logit(x: tf.Tensor4D): tf.Tensor1D;
}

/** He-uniform values (limit √(6/fanIn)) times `gain`, from the seeded stream. */
function heUniform(rng: Rng, size: number, fanIn: number, gain = 1): Float32Array {
  const limit = gain * Math.sqrt(6 / fanIn);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * limit;
  return out;
}

class Params {
  readonly vars: tf.Variable[] = [];
  private readonly rng: Rng;
  constructor(seed: number, label: string) {
    this.rng = createRng(deriveSeed(seed, label));
  }
  /** A conv kernel [k,k,cin,cout] (or a transposed one [k,k,cout,cin]) and its bias. */
  conv(k: number, cin: number, cout: number, transposed = false, gain = 1): [tf.Variable, tf.Variable] {
    const shape: [number, number, number, number] = transposed ? [k, k, cout, cin] : [k, k, cin, cout];
    const values = heUniform(this.rng, k * k * cin * cout, k * k * cin, gain);
    // tidy frees the initial tensors the variables copied (variables themselves survive a tidy).
    const [w, b] = tf.tidy(() => [tf.variable(tf.tensor4d(values, shape)), tf.variable(tf.zeros([cout]))]);
    this.vars.push(w, b);
    return [w, b];
  }
  dense(cin: number, cout: number): [tf.Variable, tf.Variable] {
    const values = heUniform(this.rng, cin * cout, cin);
    const [w, b] = tf.tidy(() => [tf.variable(tf.tensor2d(values, [cin, cout])), tf.variable(tf.zeros([cout]))]);
    this.vars.push(w, b);
    return [w, b];
  }
}

type Conv = [tf.Variable, tf.Variable];
const conv = (x: tf.Tensor4D, [w, b]: Conv, stride = 1): tf.Tensor4D =>
  tf.add(tf.conv2d(x, w as tf.Tensor4D, stride, 'same'), b) as tf.Tensor4D;
/** Instance norm (per sample and channel over h, w; no affine): AdvGAN's normalisation. */
const inorm = (x: tf.Tensor4D): tf.Tensor4D => {
  const { mean, variance } = tf.moments(x, [1, 2], true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))) as tf.Tensor4D;
};
const deconv = (x: tf.Tensor4D, [w, b]: Conv, out: [number, number]): tf.Tensor4D =>
  tf.add(tf.conv2dTranspose(x, w as tf.Tensor4D, [x.shape[0], out[0], out[1], w.shape[2] as number], 2, 'same'), b) as tf.Tensor4D;

export function buildGenerator(shape: [number, number, number], numClasses: number, width: number, eps: number, seed: number): GeneratorNet {
  const [h, w, c] = shape;
  const p = new Params(seed, 'ganfinger/G-init');
  const e1 = p.conv(3, c + numClasses, width);
  const e2 = p.conv(3, width, 2 * width);
  const e3 = p.conv(3, 2 * width, 4 * width);
  const r1 = p.conv(3, 4 * width, 4 * width);
  const r2 = p.conv(3, 4 * width, 4 * width);
  const d1 = p.conv(3, 4 * width, 2 * width, true);
  const d2 = p.conv(3, 2 * width, width, true);
  const out = p.conv(3, width, c, false, 0.1);
  const half: [number, number] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  return {
    vars: p.vars,
    perturb: (x, target) =>
      tf.tidy(() => {
        const [b] = x.shape;
        const planes = tf.tile(tf.reshape(target, [b, 1, 1, numClasses]), [1, h, w, 1]);
        const y1 = tf.relu(inorm(conv(tf.concat([x, planes], 3) as tf.Tensor4D, e1)));
        const y2 = tf.relu(inorm(conv(y1, e2, 2)));
        let y = tf.relu(inorm(conv(y2, e3, 2)));
        y = tf.relu(tf.add(y, inorm(conv(tf.relu(inorm(conv(y, r1))), r2))) as tf.Tensor4D);
        y = tf.relu(tf.add(inorm(deconv(y, d1, half)), y2) as tf.Tensor4D);
        y = tf.relu(tf.add(inorm(deconv(y, d2, [h, w])), y1) as tf.Tensor4D);
        return tf.mul(tf.tanh(conv(y, out)), eps) as tf.Tensor4D;
      }),
    dispose: () => tf.dispose(p.vars),
  };
}

export function buildDiscriminator(shape: [number, number, number], width: number, seed: number): DiscriminatorNet {
  const p = new Params(seed, 'ganfinger/D-init');
  const c1 = p.conv(3, shape[2], width);
  const c2 = p.conv(3, width, 2 * width);
  const c3 = p.conv(3, 2 * width, 4 * width);
  const fc = p.dense(4 * width, 1);
  return {
    vars: p.vars,
    logit: (x) =>
      tf.tidy(() => {
        let y = tf.leakyRelu(conv(x, c1, 2), 0.2);
        y = tf.leakyRelu(conv(y, c2, 2), 0.2);
        y = tf.leakyRelu(conv(y, c3, 2), 0.2);
        const f = tf.mean(y, [1, 2]) as tf.Tensor2D;
        return tf.reshape(tf.add(tf.matMul(f, fc[0]), fc[1]), [x.shape[0]]) as tf.Tensor1D;
      }),
    dispose: () => tf.dispose(p.vars),
  };
}
