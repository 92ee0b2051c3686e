/**
 * exportBundle: a complete verification and its trigger set → one signed bundle file.
 * Refuses a partial result, a trigger set that is not the one the result was computed with, and a
 * result whose numbers do not follow from its own null (nothing inconsistent gets signed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { readTriggerSet, SUMS_FILE } from '../../engine/methods/trigger-set-io.ts';
import { engineInfo } from '../../engine/tensor/backend.ts';
import { verdict } from '../../engine/verify/verdict.ts';
import type { VerifyComplete } from '../../engine/verify/verify-job.ts';
import { syncDir, writeDurably } from '../../engine/io/atomic-dir.ts';
import { BUNDLE_LIMITS, encodeBundle, MANIFEST_PATH, TRIGGERS_PREFIX, type BundleEntry } from './container.ts';
import { publicKeyFingerprint, type SigningKey } from './keys.ts';
import { buildManifest, type BundleManifest } from './manifest.ts';

export interface ExportRequest {
  result: VerifyComplete;
  /** The trigger set directory the result was computed with (its id must equal result.triggers.sha256). */
  triggersDir: string;
  key: Pick<SigningKey, 'privateKey' | 'publicKey'>;
  /** The bundle file to write; must not exist. */
  out: string;
  caseId?: string;
  runId?: string;
}

export interface ExportedBundle {
  file: string;
  /** SHA-256 of the whole bundle file (what a case records as the exhibit hash). */
  sha256: string;
  /** The signer's public-key fingerprint. */
  fingerprint: string;
  manifest: BundleManifest;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Recomputes the verdict from what the manifest records; any difference means the result is not self-consistent. */
export function recomputeOriginal(m: BundleManifest) {
  return verdict({
    score: m.original.score, matches: m.original.matches, trials: m.original.trials,
    nullScores: m.nullCalibration.models, level: m.decisionRule.level, minNull: m.decisionRule.minNull,
  });
}

function exporterEngine(): Record<string, unknown> | undefined {
  try {
    return engineInfo() as unknown as Record<string, unknown>;
  } catch {
    return undefined; // exporting from a process that never initialised the engine (e.g. a store tool)
  }
}

export async function exportBundle(req: ExportRequest): Promise<ExportedBundle> {
  const out = resolve(req.out);
  const r = req.result;
  if ((r as { status?: string }).status !== 'complete') throw new Error(`exportBundle: only a complete verification can be bundled (status ${JSON.stringify((r as { status?: string }).status)})`);
  if (await stat(out).catch(() => null)) throw new Error(`${out}: already exists; refusing to overwrite a bundle`);
  const { set, saved } = await readTriggerSet(req.triggersDir);
  if (saved.sha256 !== r.triggers.sha256) throw new Error(`${saved.dir}: trigger set ${saved.sha256} is not the one the result was computed with (${r.triggers.sha256})`);
  if (set.method !== r.method) throw new Error(`${saved.dir}: a ${set.method} trigger set, but the result is for ${r.method}`);
  const manifest = buildManifest(r, { set, saved, caseId: req.caseId, runId: req.runId, exporterEngine: exporterEngine() });
  const again = recomputeOriginal(manifest);
  for (const k of ['decision', 'pEmpirical', 'pParametric'] as const) {
    if (!Object.is(again[k], r.verdict[k])) throw new Error(`exportBundle: the result's ${k} (${r.verdict[k]}) does not follow from its own null and rule (${again[k]}); refusing to sign it`);
  }
  const entries: BundleEntry[] = [{ path: MANIFEST_PATH, bytes: new TextEncoder().encode(JSON.stringify(manifest, null, 1) + '\n') }];
  // Read the files again and check them against the hashes readTriggerSet just verified: the bytes
  // signed are the bytes verified, even if someone writes to the directory meanwhile.
  for (const f of [...saved.files, { file: SUMS_FILE, sha256: saved.sha256, bytes: -1 }]) {
    const bytes = await readFile(join(saved.dir, f.file));
    if (sha256(bytes) !== f.sha256) throw new Error(`${join(saved.dir, f.file)}: changed while the bundle was being made`);
    entries.push({ path: `${TRIGGERS_PREFIX}${f.file}`, bytes });
  }
  const data = encodeBundle(entries, req.key);
  if (data.length > BUNDLE_LIMITS.maxBundleBytes) throw new Error(`exportBundle: ${data.length} bytes, more than the ${BUNDLE_LIMITS.maxBundleBytes}-byte limit importers enforce`);
  // Temp sibling, then link() into place: a reader never sees half a bundle, and unlike rename()
  // link() fails rather than replace a file that appeared meanwhile.
  const tmp = join(dirname(out), `.${randomBytes(6).toString('hex')}.bundle-tmp`);
  try {
    await writeDurably(tmp, data);
    await link(tmp, out).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw new Error(`${out}: already exists; refusing to overwrite a bundle`);
      if (err.code === 'EPERM' || err.code === 'ENOTSUP' || err.code === 'ENOSYS') return rename(tmp, out); // no hard links here
      throw err;
    });
    await syncDir(dirname(out));
  } finally {
    await rm(tmp, { force: true });
  }
  return { file: out, sha256: sha256(data), fingerprint: publicKeyFingerprint(req.key.publicKey), manifest };
}
