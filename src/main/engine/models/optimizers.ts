/**
 * SGD with momentum and Adam, written out so that their semantics are exactly PyTorch's (the
 * benchmark peer and the papers' reference code): coupled L2 weight decay (g += wd·w), SGD momentum
 * buf = μ·buf + g; w -= lr·buf, Adam with bias correction. The learning rate is a per-step argument,
 * so any schedule works without touching optimizer internals.
 */
import * as tf from '@tensorflow/tfjs';

export type OptimizerName = 'sgd' | 'adam';

export interface OptimizerConfig {
  name: OptimizerName;
  /** SGD momentum μ (default 0.9). */
  momentum?: number;
  /** Adam β1, β2, ε (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Coupled L2 weight decay applied to every trainable weight (PyTorch's default behaviour). */
  weightDecay?: number;
}

export interface Optimizer {
  /** Applies one update with the given gradients (same order as the variables) and learning rate. */
  step(grads: tf.Tensor[], lr: number): void;
  dispose(): void;
}

/** A non-trainable zero-filled slot shaped like `v` (tidy frees the zeros tensor the variable copied). */
const slot = (v: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false));

export function createOptimizer(vars: tf.Variable[], config: OptimizerConfig): Optimizer {
  const wd = config.weightDecay ?? 0;
  const withDecay = (g: tf.Tensor, w: tf.Variable) => (wd > 0 ? g.add(w.mul(wd)) : g);
  if (config.name === 'sgd') {
    const mu = config.momentum ?? 0.9;
    const bufs = vars.map(slot);
    return {
      step(grads, lr) {
        tf.tidy(() => {
          vars.forEach((w, i) => {
            const g = withDecay(grads[i], w);
            const buf = mu > 0 ? bufs[i].mul(mu).add(g) : g;
            if (mu > 0) bufs[i].assign(buf);
            w.assign(w.sub(buf.mul(lr)));
          });
        });
      },
      dispose: () => tf.dispose(bufs),
    };
  }
  if (config.name === 'adam') {
    const b1 = config.beta1 ?? 0.9;
    const b2 = config.beta2 ?? 0.999;
    const eps = config.epsilon ?? 1e-8;
    const m = vars.map(slot);
    const v2 = vars.map(slot);
    let t = 0;
    return {
      step(grads, lr) {
        t += 1;
        const c1 = 1 - b1 ** t;
        const c2 = 1 - b2 ** t;
        tf.tidy(() => {
          vars.forEach((w, i) => {
            const g = withDecay(grads[i], w);
            const mi = m[i].mul(b1).add(g.mul(1 - b1));
            const vi = v2[i].mul(b2).add(g.square().mul(1 - b2));
            m[i].assign(mi);
            v2[i].assign(vi);
            const update = mi.div(c1).div(vi.div(c2).sqrt().add(eps));
            w.assign(w.sub(update.mul(lr)));
          });
        });
      },
      dispose: () => tf.dispose([...m, ...v2]),
    };
  }
  throw new Error(`unknown optimizer "${(config as { name: string }).name}"; choose sgd or adam`);
}

export type ScheduleName = 'constant' | 'cosine' | 'step';

export interface ScheduleConfig {
  name: ScheduleName;
  /** step schedule: multiply by gamma every `stepEpochs` epochs. */
  stepEpochs?: number;
  gamma?: number;
  /** Linear warm-up over this many steps (default 0). */
  warmupSteps?: number;
}

/** Learning rate at global step `step` of `totalSteps` (steps per epoch given for 'step'). */
export function learningRateAt(base: number, s: ScheduleConfig, step: number, totalSteps: number, stepsPerEpoch: number): number {
  const warm = s.warmupSteps ?? 0;
  const factor = warm > 0 && step < warm ? (step + 1) / warm : 1;
  switch (s.name) {
    case 'constant':
      return base * factor;
    case 'cosine':
      return base * factor * 0.5 * (1 + Math.cos((Math.PI * step) / Math.max(1, totalSteps)));
    case 'step': {
      const epoch = Math.floor(step / stepsPerEpoch);
      return base * factor * (s.gamma ?? 0.1) ** Math.floor(epoch / (s.stepEpochs ?? 10));
    }
    default:
      throw new Error(`unknown lr schedule "${(s as { name: string }).name}"; choose constant, cosine or step`);
  }
}
