/**
 * The operator registry: op type → implementation, for the standard ONNX domain. One file per
 * family; this is the only list of what the importer supports (describeOnnx and the decision note
 * read it from here).
 */
import type { OpRegistry, OpSpec } from './types.ts';
import { activationOps } from './activations.ts';
import { convOps } from './conv.ts';
import { elementwiseOps } from './elementwise.ts';
import { gemmMatMulOps } from './gemm-matmul.ts';
import { normalizationOps } from './normalization.ts';
import { poolOps } from './pool.ts';
import { reduceOps } from './reduce.ts';
import { reshapeOps } from './reshape-ops.ts';
import { shapeOps } from './shape-ops.ts';

export const OPS: OpRegistry = {
  ...convOps,
  ...poolOps,
  ...gemmMatMulOps,
  ...elementwiseOps,
  ...activationOps,
  ...normalizationOps,
  ...reduceOps,
  ...reshapeOps,
  ...shapeOps,
};

/** The lowest and highest standard opsets the operators above were written against. */
export const OPSET_RANGE = { min: 7, max: 17 } as const;

export function lookupOp(opType: string): OpSpec | undefined {
  return Object.hasOwn(OPS, opType) ? OPS[opType] : undefined;
}

export const supportedOps = (): string[] => Object.keys(OPS).sort();

export type { OpSpec, OpContext, Value, WeightRole } from './types.ts';
