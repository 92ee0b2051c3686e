/**
 * BatchNormalization in its inference form, y = (x − running mean) / √(running var + ε) · scale + B,
 * also when fine-tuning: the running statistics are constants of the graph (non-trainable
 * variables) and are never updated, and batch statistics are never used. This is what the exported
 * file computes in eval mode, so the imported model and the file agree; a fine-tune changes scale
 * and B only. training_mode = 1 (opset 14+) is refused. See docs/decisions/onnx-import.md.
 */
import * as tf from '@tensorflow/tfjs';
import type { OpRegistry, OpSpec } from './types.ts';
import { asNchw, asNhwc, logicalShape, spatialOut, tensorValue } from './values.ts';

const batchNormalization: OpSpec = {
  attributes: ['epsilon', 'momentum', 'training_mode'],
  weightRoles: { 1: 'gamma', 2: 'beta', 3: 'moving_mean', 4: 'moving_variance' },
  run(inputs, ctx) {
    const [x, scale, bias, mean, variance] = inputs;
    if (!x || !scale || !bias || !mean || !variance) return ctx.fail('needs 5 inputs (X, scale, B, mean, var)');
    if (ctx.attr.int('training_mode', 0) !== 0) ctx.fail('training_mode = 1 is not supported (batch norm runs in inference form)');
    const eps = ctx.attr.float('epsilon', 1e-5);
    const shape = logicalShape(x);
    const c = shape[1];
    const params = [scale, bias, mean, variance].map((v) => asNchw(v) as tf.Tensor1D);
    if (shape.length < 2 || params.some((p) => p.rank !== 1 || p.shape[0] !== c)) {
      ctx.fail(`input [${shape.join(',')}] and parameters [${params.map((p) => p.shape.join(',')).join('], [')}] do not fit (one value per channel, axis 1)`);
    }
    const [s, b, m, v] = params;
    const bn = (t: tf.Tensor) => tf.batchNorm(t, m, v, b, s, eps);
    if (shape.length === 4) return [spatialOut(bn(asNhwc(x)), ctx)];
    if (shape.length === 2) return [tensorValue(bn(asNchw(x)))];
    // [N, C, ...]: channels moved last, normalised, moved back.
    const perm = [0, ...Array.from({ length: shape.length - 2 }, (_, i) => i + 2), 1];
    const back = [0, shape.length - 1, ...Array.from({ length: shape.length - 2 }, (_, i) => i + 1)];
    return [tensorValue(tf.transpose(bn(tf.transpose(asNchw(x), perm)), back))];
  },
};

export const normalizationOps: OpRegistry = { BatchNormalization: batchNormalization };
