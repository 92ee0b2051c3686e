/** Shared fixtures for the store tests: temp case directories and a hand-made query exchange. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueryExchange } from '../../../src/main/engine/suspects/types.ts';
import type { VerdictInput } from '../../../src/main/store/types.ts';

export const tmp = (prefix = 'case-'): string => mkdtempSync(join(tmpdir(), prefix));

export const exchange = (seq: number, hashes: string[], labels: number[], outcome: QueryExchange['outcome'] = 'ok', k = 2): QueryExchange => ({
  seq, oracle: 'onnx sha256:ab', time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), latencyMs: seq * 2, attempt: outcome === 'ok' ? 1 : seq, inputHashes: hashes, outcome,
  ...(outcome === 'ok' ? { labels, probs: labels.flatMap((l) => Array.from({ length: k }, (_, j) => (j === l ? 0.75 : 0.25 / (k - 1)))) } : { error: 'HTTP 503', httpStatus: 503 }),
});

export const verdictInput = (over: Partial<VerdictInput> = {}): VerdictInput => ({
  decision: 'derived', level: 1e-3, score: 0.9123456789012345, pEmpirical: 1 / 25, pParametric: 3.0517578125e-7 + 1e-22,
  model: { kind: 'beta-binomial', a: 1.5, b: 20.25, trials: 100 }, nullSize: 24, nullMax: 0.31, supportedBy: 'parametric-tail',
  explanation: 'Derived: the suspect scores 0.912, above all 24 innocent models.', nullScores: [{ id: 'n1', score: 0.1, matches: 10 }, { id: 'n2', score: 0.31 }],
  ...over,
});
