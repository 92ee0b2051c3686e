/**
 * A small, tfjs-free bundle fixture: a hand-made trigger set directory (seeded values) and a
 * VerifyComplete whose verdict is computed with the real verdict() against a 24-model null.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { createRng } from '../../../../src/main/engine/data/random.ts';
import { saveTriggerSet, type SavedTriggerSet } from '../../../../src/main/engine/methods/trigger-set-io.ts';
import type { TriggerSet } from '../../../../src/main/engine/methods/types.ts';
import type { EngineInfo } from '../../../../src/main/engine/tensor/backend.ts';
import { verdict, type NullModelScore } from '../../../../src/main/engine/verify/verdict.ts';
import type { VerifyComplete } from '../../../../src/main/engine/verify/verify-job.ts';
import { publicKeyFingerprint, type SigningKey } from '../../../../src/main/evidence/bundle/keys.ts';

/** A deterministic Ed25519 key: the 32-byte RFC 8032 seed wrapped in PKCS#8 DER (fixed 16-byte prefix). */
export function seededKey(seed: number): SigningKey {
  const rng = createRng(seed);
  const raw = Buffer.from(Array.from({ length: 32 }, () => rng.int(256)));
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey), file: `(seeded ${seed})` };
}

export const FAKE_ENGINE: EngineInfo = { backend: 'wasm', tfjsBackend: 'wasm', requested: 'wasm', versions: { tfjs: '4.22.0' }, skipped: [], node: 'v20', platform: 'linux' };

export function fakeTriggerSet(n = 6, seed = 1): TriggerSet {
  const rng = createRng(seed);
  const shape: [number, number, number] = [4, 4, 1];
  return {
    format: 'provenant-triggers/1', method: 'ipguard', params: { n, margin: 0.5, iterations: 3, lr: 0.01, pair: 'runner-up' }, seed,
    inputShape: shape, numClasses: 3,
    inputs: Float32Array.from({ length: n * 16 }, () => rng.next()),
    labels: Int32Array.from({ length: n }, () => rng.int(3)),
    aux: { loss: Float32Array.from({ length: n }, () => rng.next()) },
    source: { sha256: 'a'.repeat(64), arch: 'cnn' }, pools: { positives: [], negatives: [] }, engine: FAKE_ENGINE,
  };
}

export async function savedFakeSet(dir: string, n = 6, seed = 1): Promise<{ set: TriggerSet; saved: SavedTriggerSet; dir: string }> {
  const set = fakeTriggerSet(n, seed);
  const d = join(dir, `triggers-${n}-${seed}`);
  return { set, saved: await saveTriggerSet(set, d), dir: d };
}

/** A complete verification of the saved set: `matched` of n triggers answered like the source. */
export function fakeResult(saved: SavedTriggerSet, n: number, matched: number): VerifyComplete {
  const rng = createRng(7);
  const nullScores: NullModelScore[] = Array.from({ length: 24 }, (_, i) => {
    const m = rng.int(3);
    return { id: `innocent-${String(i).padStart(2, '0')}`, score: m / n, matches: m };
  });
  const score = matched / n;
  return {
    status: 'complete', method: 'ipguard',
    triggers: { dir: saved.dir, sha256: saved.sha256 },
    suspect: { identity: `model-dir sha256:${'b'.repeat(64)}`, kind: 'model-dir', location: '/evidence/suspect', sha256: 'b'.repeat(64), describe: 'model suspect', labelsOnly: true },
    queries: { needed: n, answered: n, sent: n, reused: 0 },
    score, nullScores, excludedFromNull: [],
    verdict: verdict({ score, matches: matched, trials: n, nullScores }),
  };
}
