/**
 * Gemm (Y = alpha·A'B' + beta·C, what torch.nn.Linear exports for 2-D inputs) and MatMul (numpy
 * semantics: what Linear exports for higher-rank inputs, and torch.matmul). The transposes of
 * Gemm are matMul's flags, so PyTorch's [out, in] weights are used as stored.
 */
import * as tf from '@tensorflow/tfjs';
import type { OpRegistry, OpSpec } from './types.ts';
import { asNchw } from './values.ts';
import { inGradientTape } from './conv.ts';

const gemm: OpSpec = {
  attributes: ['alpha', 'beta', 'transA', 'transB'],
  weightRoles: { 0: 'kernel', 1: 'kernel', 2: 'bias' },
  run(inputs, ctx) {
    const [av, bv, cv] = inputs;
    if (!av || !bv) return ctx.fail('input A or B is missing');
    const a = asNchw(av) as tf.Tensor2D;
    const b = asNchw(bv) as tf.Tensor2D;
    if (a.rank !== 2 || b.rank !== 2) ctx.fail(`A [${a.shape.join(',')}] and B [${b.shape.join(',')}] must both be 2-D`);
    const alpha = ctx.attr.float('alpha', 1);
    const beta = ctx.attr.float('beta', 1);
    const transA = ctx.attr.int('transA', 0) !== 0;
    const transB = ctx.attr.int('transB', 0) !== 0;
    const k = [transA ? a.shape[0] : a.shape[1], transB ? b.shape[1] : b.shape[0]];
    if (k[0] !== k[1]) ctx.fail(`inner dimensions differ: A [${a.shape.join(',')}]${transA ? 'ᵀ' : ''}, B [${b.shape.join(',')}]${transB ? 'ᵀ' : ''}`);
    const c = cv ? asNchw(cv) : undefined;
    // One fused kernel outside a gradient tape (inside one, the plain ops' gradients are pruned per
    // input). Not with transB: tfjs-backend-wasm 4.22's _FusedMatMul adds the bias wrongly when B
    // is transposed (off by ~0.8 on a 5×7·(3×7)ᵀ product), and PyTorch's Linear exports transB = 1.
    if (alpha === 1 && beta === 1 && !transB && (!c || c.rank === 1) && !inGradientTape()) {
      return [{ kind: 'tensor', t: tf.fused.matMul({ a, b, transposeA: transA, transposeB: transB, bias: c }), layout: 'nchw' }];
    }
    let y: tf.Tensor = tf.matMul(a, b, transA, transB);
    if (alpha !== 1) y = tf.mul(y, alpha);
    if (c) y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
    return [{ kind: 'tensor', t: y, layout: 'nchw' }];
  },
};

const matMul: OpSpec = {
  attributes: [],
  weightRoles: { 0: 'kernel', 1: 'kernel' },
  run(inputs, ctx) {
    const [av, bv] = inputs;
    if (!av || !bv) return ctx.fail('input A or B is missing');
    let a = asNchw(av);
    let b = asNchw(bv);
    if (a.rank === 0 || b.rank === 0) ctx.fail('scalar operands are not allowed');
    // numpy: a 1-D operand is a row (A) or a column (B) vector, removed from the result again.
    const squeezeA = a.rank === 1;
    const squeezeB = b.rank === 1;
    if (squeezeA) a = tf.reshape(a, [1, a.shape[0]]);
    if (squeezeB) b = tf.reshape(b, [b.shape[0], 1]);
    const kA = a.shape[a.rank - 1];
    const kB = b.shape[b.rank - 2];
    if (kA !== kB) ctx.fail(`inner dimensions differ: [${a.shape.join(',')}] × [${b.shape.join(',')}]`);
    let y: tf.Tensor;
    if (b.rank === 2 && a.rank > 2) {
      // [..., K] × [K, N]: one 2-D product over the flattened leading dims.
      const lead = a.shape.slice(0, -1);
      y = tf.reshape(tf.matMul(tf.reshape(a, [-1, kA]) as tf.Tensor2D, b as tf.Tensor2D), [...lead, b.shape[1] as number]);
    } else {
      y = tf.matMul(a, b);
    }
    if (squeezeA) y = tf.squeeze(y, [y.rank - 2]);
    if (squeezeB) y = tf.squeeze(y, [y.rank - 1]);
    return [{ kind: 'tensor', t: y, layout: 'nchw' }];
  },
};

export const gemmMatMulOps: OpRegistry = { Gemm: gemm, MatMul: matMul };
