/**
 * The evidence jobs: the PDF report of a verification, a signed bundle of it (exported with the data
 * folder's signing key, made on first use), and a bundle imported into a case. Bundles become
 * exhibits of the case with the note the report looks for ("run <id>; signer <fingerprint>").
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateSigningKey, importBundle, loadSigningKey } from '../../evidence/bundle/index.ts';
import { renderReport } from '../../evidence/report/index.ts';
import type { TaskContext } from '../../jobs/job-runner.ts';
import { openCase } from '../../store/index.ts';
import { jobTag } from '../case-artefacts.ts';
import { reportModelFromCase } from '../report-from-case.ts';
import { completeVerification, exportRunBundle, recordImportedBundle } from '../run-bundle.ts';
import { WORKBENCH_ACTOR, type TaskOf } from './types.ts';

export async function reportTask(t: TaskOf<'report'>, ctx: TaskContext) {
  ctx.progress({ done: 0, total: 2, message: 'reading the case' });
  const store = openCase(t.caseDir, { readOnly: true });
  let model;
  try {
    model = await reportModelFromCase(store, t.runId, { log: ctx.log });
  } finally {
    store.close();
  }
  if (ctx.signal.aborted) throw new Error('report: cancelled');
  ctx.progress({ done: 1, total: 2, message: 'writing the PDF' });
  await mkdir(dirname(t.out), { recursive: true });
  const r = await renderReport(model, t.out);
  return { runId: t.runId, file: r.file, sha256: r.sha256, pages: r.pages };
}

export async function bundleExportTask(t: TaskOf<'bundle-export'>, ctx: TaskContext) {
  const store = openCase(t.caseDir, { actor: WORKBENCH_ACTOR });
  try {
    completeVerification(store, t.runId); // before a signing key is made for nothing
    const key = existsSync(t.keyFile) ? await loadSigningKey(t.keyFile) : await generateSigningKey(t.keyFile);
    // A run exported before keeps its first bundle; a new export gets its own file.
    const out = existsSync(t.out) ? t.out.replace(/\.pvb$/, `-${jobTag(t.jobId)}.pvb`) : t.out;
    await mkdir(dirname(out), { recursive: true });
    ctx.progress({ done: 0, total: 1, message: 'signing the bundle' });
    const { bundle: b, exhibit } = await exportRunBundle(store, t.runId, key, out);
    return { runId: t.runId, file: b.file, sha256: b.sha256, signer: b.fingerprint, exhibitId: exhibit.id };
  } finally {
    store.close();
  }
}

export async function bundleImportTask(t: TaskOf<'bundle-import'>, ctx: TaskContext) {
  ctx.progress({ done: 0, total: 1, message: 'verifying the bundle' });
  const b = await importBundle(t.file, { trust: t.trust, out: t.outDir });
  const store = openCase(t.caseDir, { actor: WORKBENCH_ACTOR });
  try {
    const { bundle, triggerSet: triggers } = await recordImportedBundle(store, t.file, b);
    return {
      file: t.file, sha256: b.sha256, dir: b.dir, triggersDir: b.triggersDir, exhibits: { bundle: bundle.id, triggerSet: triggers.id },
      signer: { fingerprint: b.signer.fingerprint, trusted: b.signer.trusted, note: b.signer.note },
      original: { decision: b.manifest.original.decision, score: b.manifest.original.score },
    };
  } finally {
    store.close();
  }
}
