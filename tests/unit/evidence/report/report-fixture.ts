/**
 * A realistic ReportModel for the report tests: an IPGuard verification of a label-only suspect
 * against 60 innocent models, with the verdict computed by the engine's own verdict() (so the
 * numbers are ones the lead's code would produce), 28×28 grey thumbnails, a ROC, exhibits with
 * hashes, and a party name outside WinAnsi (Łukasz) to exercise the embedded font.
 */
import { createHash } from 'node:crypto';
import { verdict } from '../../../../src/main/engine/verify/verdict.ts';
import type { ReportModelInput } from '../../../../src/main/evidence/report/report-model.ts';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** mulberry32: the fixture's own seeded generator (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 28×28 "digit": a ring whose radius depends on the label, plus small noise for the trigger. */
function digit(label: number, noise: number, rand: () => number): Float32Array {
  const out = new Float32Array(28 * 28);
  const r = 6 + (label % 5);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const d = Math.hypot(x - 13.5, y - 13.5);
      const ink = Math.max(0, 1 - Math.abs(d - r) / 1.8);
      out[y * 28 + x] = Math.min(1, Math.max(0, ink + noise * (rand() * 2 - 1)));
    }
  }
  return out;
}

export interface FixtureOptions {
  nullModels?: number;
  triggers?: number;
  /** Extra parameters (to make the appendix long). */
  extraParams?: number;
  suspectMatches?: number;
  roc?: boolean;
  bundle?: boolean;
}

export function fixtureModel(o: FixtureOptions = {}): ReportModelInput & { nullScores: { id: string; score: number; matches: number }[] } {
  const rand = rng(20251122);
  const N = o.nullModels ?? 60;
  const n = o.triggers ?? 100;
  const suspectMatches = o.suspectMatches ?? 93;
  const nullScores = Array.from({ length: N }, (_, i) => {
    // Innocent models agree with the source on ~8–20 % of boundary points.
    const p = 0.08 + 0.12 * rand();
    let k = 0;
    for (let t = 0; t < n; t++) k += rand() < p ? 1 : 0;
    return { id: `negative-${String(i + 1).padStart(3, '0')}-${['cnn', 'mlp', 'lenet'][i % 3]}-seed${100 + i}`, score: k / n, matches: k };
  });
  const level = 1e-3;
  const v = verdict({ score: suspectMatches / n, matches: suspectMatches, trials: n, nullScores, level });
  // The suspect's misses, spread evenly through the set.
  const misses = n - suspectMatches;
  const matches = new Array<number>(n).fill(1);
  for (let k = 0; k < misses; k++) matches[Math.floor(((k + 0.5) * n) / misses)] = 0;
  const params: Record<string, unknown> = { n, margin: 0.5, iterations: 300, lr: 0.01, pair: 'runner-up' };
  for (let i = 0; i < (o.extraParams ?? 0); i++) params[`extra${String(i).padStart(3, '0')}`] = Math.round(rand() * 1e6) / 1e3;
  const thumbnails = Array.from({ length: 6 }, (_, i) => ({
    index: i * 7,
    original: i === 4 ? undefined : digit(i, 0, rand),
    trigger: digit(i, 0.25, rand),
    label: (i + 3) % 10,
    originalLabel: i === 4 ? undefined : i,
  }));
  const bundleSha = sha('bundle bytes');
  return {
    case: {
      id: 'c7f3a9e2-5b1d-4c8e-9a0f-2d6b8e4f1a37',
      name: 'Acme Vision v. Bluepeak Analytics',
      parties: [
        { role: 'Owner', name: 'Acme Vision GmbH' },
        { role: 'Suspect', name: 'Bluepeak Analytics Ltd.' },
        { role: 'Investigator', name: 'Łukasz Wójcik, forensic analyst' },
      ],
      description: 'Acme Vision claims that the digit classifier served by Bluepeak Analytics at its public API was derived from Acme\'s model "mnist-cnn-v4". The suspect model file was obtained in discovery; it answers labels only.',
    },
    generatedAt: '2025-11-22T14:05:00.000Z',
    producer: { provenant: '0.1.0', engine: { backend: 'wasm', versions: { '@tensorflow/tfjs': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0', node: '20.19.2', 'onnxruntime-node': '1.30.0' } } },
    run: {
      id: 'run-0003',
      method: 'ipguard',
      params,
      seeds: { generation: 7, 'null-suite': 1234 },
      level,
      labelsOnly: true,
      startedAt: '2025-11-22T13:58:12.000Z',
      finishedAt: '2025-11-22T14:01:47.500Z',
    },
    verdict: { ...v },
    nullScores,
    suspectMatches: { matches: suspectMatches, trials: n },
    roc: o.roc === false ? null : {
      points: [
        { fpr: 0, tpr: 0 }, { fpr: 0, tpr: 0.62 }, { fpr: 0.02, tpr: 0.81 }, { fpr: 0.05, tpr: 0.9 }, { fpr: 0.15, tpr: 0.96 }, { fpr: 0.4, tpr: 1 }, { fpr: 1, tpr: 1 },
      ],
      auc: 0.9815,
      suite: 'mnist-calibration-v2',
      positives: 48,
      negatives: 40,
    },
    exhibits: [
      { role: 'source', path: '/cases/acme/exhibits/mnist-cnn-v4/', size: 1_204_388, sha256: sha('source'), acquiredAt: '2025-11-20T09:12:00Z' },
      { role: 'suspect-file', path: '/cases/acme/exhibits/discovery/bluepeak-digits-2025-10-31/model_final_quantized_v2.onnx', size: 412_096, sha256: sha('suspect'), acquiredAt: '2025-11-21T16:40:31Z', notes: 'Produced by Bluepeak in discovery, USB drive AC-17.' },
      { role: 'suspect-endpoint', path: 'https://api.bluepeak.example/v2/models/digits:predict', size: null, sha256: null, acquiredAt: '2025-11-21T16:45:00Z' },
      { role: 'dataset', path: '/cases/acme/exhibits/acme-train-split.idx', size: 47_040_016, sha256: sha('dataset'), acquiredAt: '2025-11-20T09:15:00Z' },
      { role: 'trigger-set', path: '/cases/acme/triggers/ipguard-seed7/', size: 316_480, sha256: sha('triggers'), acquiredAt: '2025-11-22T13:40:00Z' },
    ],
    suspect: { identity: `onnx:${sha('suspect').slice(0, 16)}`, kind: 'onnx', location: '/cases/acme/exhibits/discovery/bluepeak-digits-2025-10-31/model_final_quantized_v2.onnx', sha256: sha('suspect'), describe: 'onnxruntime-node CPU, input "input" [1,1,28,28] nchw' },
    triggerSet: { sha256: sha('triggers'), count: n, inputShape: [28, 28, 1], numClasses: 10, thumbnails, matches },
    queries: { needed: n, sent: n, reused: 0, byOutcome: { ok: 4, retry: 1 }, retries: 1, firstAt: '2025-11-22T13:58:13.020Z', lastAt: '2025-11-22T13:58:14.950Z', latencyMs: { median: 38.5, p95: 112.25 } },
    reproducibility: o.bundle === false ? {} : {
      bundle: { file: 'acme-v-bluepeak-run-0003.provbundle', sha256: bundleSha, signerFingerprint: sha('signer public key') },
      replayCommand: 'provenant replay acme-v-bluepeak-run-0003.provbundle --suspect model_final_quantized_v2.onnx --labels-only',
    },
  };
}
