/**
 * Where a case's built artefacts live, inside its directory, next to case.sqlite:
 *
 *   models/source-<dataset>-<arch>-seed<N>-<job>/   source models trained for the case
 *   suites/<purpose>-<preset>-seed<N>/              suites and pools (resumable: same name = same build)
 *   triggers/<method>-seed<N>-<job>/                trigger sets
 *   runs/run-<id>/roc.json                          the ROC of a verification's trigger set on its suite
 *   reports/report-run<id>.pdf                      PDF evidence reports
 *   bundles/bundle-run<id>.pvb                      signed bundles
 *   imported/<bundle>-<job>/                        bundles imported into the case
 *
 * `<job>` is the first 8 characters of the job id, so two jobs never write to the same folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const caseArtefacts = (caseDir: string) => ({
  models: join(caseDir, 'models'),
  suites: join(caseDir, 'suites'),
  triggers: join(caseDir, 'triggers'),
  imported: join(caseDir, 'imported'),
  suite: (purpose: string, preset: string, seed: number) => join(caseDir, 'suites', `${purpose}-${preset}-seed${seed}`),
  roc: (runId: number) => join(caseDir, 'runs', `run-${runId}`, 'roc.json'),
  report: (runId: number) => join(caseDir, 'reports', `report-run${runId}.pdf`),
  bundle: (runId: number) => join(caseDir, 'bundles', `bundle-run${runId}.pvb`),
});

export const jobTag = (jobId: string) => jobId.replace(/[^0-9a-z]/gi, '').slice(0, 8);

export interface SuiteSummary {
  dir: string;
  purpose: string;
  preset: string;
  positives: number;
  negatives: number;
  complete: boolean;
}

/** The suites under <case>/suites with a readable manifest (a build that has not written one yet is left out). */
export function listSuites(caseDir: string): SuiteSummary[] {
  const root = caseArtefacts(caseDir).suites;
  if (!existsSync(root)) return [];
  const out: SuiteSummary[] = [];
  for (const d of readdirSync(root, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const dir = join(root, d.name);
    try {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { purpose: string; preset: string; complete: boolean; models: { role: string }[] };
      out.push({
        dir, purpose: String(m.purpose), preset: String(m.preset), complete: Boolean(m.complete),
        positives: m.models.filter((x) => x.role === 'positive').length, negatives: m.models.filter((x) => x.role === 'negative').length,
      });
    } catch {
      /* no manifest yet (a build just started) or not a suite: not listed */
    }
  }
  return out.sort((a, b) => basename(a.dir).localeCompare(basename(b.dir)));
}

export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
