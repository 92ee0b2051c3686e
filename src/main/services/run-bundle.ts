/**
 * Bundles as exhibits of a case, in one place: a verification's bundle is exported and recorded with
 * the note "run <id>; signer <fingerprint>", which is how the report and the results page find it
 * again; an imported bundle is recorded with its signer and the trigger set it carried.
 */
import type { VerifyComplete } from '../engine/verify/verify-job.ts';
import { exportBundle, type ExportedBundle, type ImportedBundle, type SigningKey } from '../evidence/bundle/index.ts';
import type { CaseStore, Exhibit } from '../store/index.ts';

/** The recorded result of a complete verification run, or an error naming what the run is instead. */
export function completeVerification(store: CaseStore, runId: number): VerifyComplete {
  const run = store.run(runId);
  if (!run || run.kind !== 'verify' || run.status !== 'complete') {
    throw new Error(`runId: run ${runId} is not a complete verification (${run ? `${run.kind}, ${run.status}` : 'no such run'})`);
  }
  return run.result as VerifyComplete;
}

/** Exports the bundle of a complete verification run and records it as an exhibit of the case. */
export async function exportRunBundle(store: CaseStore, runId: number, key: SigningKey, out: string): Promise<{ bundle: ExportedBundle; exhibit: Exhibit }> {
  const result = completeVerification(store, runId);
  const bundle = await exportBundle({ result, triggersDir: result.triggers.dir, key, out, caseId: store.info().id, runId: String(runId) });
  const exhibit = await store.addExhibit({ role: 'bundle', path: bundle.file, notes: `run ${runId}; signer ${bundle.fingerprint}` });
  return { bundle, exhibit };
}

/** The bundle exported for a run (the latest, when several were), with its signer's fingerprint. */
export function runBundle(store: CaseStore, runId: number): { exhibit: Exhibit; signer: string } | undefined {
  const exhibit = store.exhibits().filter((e) => e.role === 'bundle' && e.notes?.startsWith(`run ${runId};`)).pop();
  const signer = exhibit?.notes?.match(/signer ([0-9a-f]{64})/)?.[1];
  return exhibit && signer ? { exhibit, signer } : undefined;
}

/** Records an imported bundle and the trigger set it carried as exhibits of the case. */
export async function recordImportedBundle(store: CaseStore, file: string, b: ImportedBundle): Promise<{ bundle: Exhibit; triggerSet: Exhibit }> {
  const trusted = b.signer.trusted ? ' (trusted)' : ' (not in the trust list)';
  const bundle = await store.addExhibit({ role: 'bundle', path: file, notes: `imported; signer ${b.signer.fingerprint}${trusted}` });
  const triggerSet = await store.addExhibit({ role: 'trigger-set', path: b.triggersDir, notes: `from bundle ${b.sha256}` });
  return { bundle, triggerSet };
}
