/**
 * The verify job: a verification recorded in the case (verifyInCase: exhibits, every query, the
 * verdict; a cancelled or out-of-budget run stays 'partial' and the same job started again resumes
 * it). After a complete run, when the null suite also holds pirated models, the ROC of the trigger
 * set on that suite is saved next to the case (runs/run-<id>/roc.json) for the results page.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readTriggerSet } from '../../engine/methods/trigger-set-io.ts';
import type { TaskContext } from '../../jobs/job-runner.ts';
import { caseArtefacts } from '../case-artefacts.ts';
import { suiteRoc } from '../report-from-case.ts';
import { verifyInCase } from '../verify-in-case.ts';
import { WORKBENCH_ACTOR, type TaskOf } from './types.ts';

/** The suspect's queries fill the first half of the bar, scoring the null the second. */
const SCALE = 1000;

export async function verifyTask(t: TaskOf<'verify'>, ctx: TaskContext) {
  const { result: r, run, resumedReplies } = await verifyInCase(
    t.caseDir,
    {
      triggersDir: t.triggersDir, suspect: t.suspect, nullSuiteDir: t.nullSuiteDir, labelsOnly: t.labelsOnly, level: t.level,
      ...(t.budget !== undefined ? { budget: t.budget } : {}),
      signal: ctx.signal,
      onProgress: (p) => {
        const f = p.total > 0 ? p.done / p.total : 0;
        const done = Math.floor((p.phase === 'suspect' ? f / 2 : 0.5 + f / 2) * SCALE);
        ctx.progress({ done, total: SCALE, message: p.phase === 'suspect' ? `querying the suspect: ${p.done}/${p.total}` : `scoring the innocent models: ${p.done}/${p.total}` });
      },
    },
    ctx.log,
    WORKBENCH_ACTOR,
  );
  const common = { runId: run.id, status: r.status, suspect: r.suspect.describe, identity: r.suspect.identity, queries: r.queries, resumedReplies };
  if (r.status === 'partial') return { ...common, reason: r.reason };
  let roc = null;
  try {
    const { set } = await readTriggerSet(r.triggers.dir);
    roc = await suiteRoc(t.nullSuiteDir, set, t.labelsOnly, r.nullScores.map((n) => n.score), ctx.log);
    if (roc) {
      const file = caseArtefacts(t.caseDir).roc(run.id);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(roc));
    }
  } catch (err) {
    ctx.log(`ROC not computed: ${(err as Error).message}`);
  }
  const v = r.verdict;
  return {
    ...common, method: r.method, score: r.score, decision: v.decision, pEmpirical: v.pEmpirical, pParametric: v.pParametric,
    level: v.level, nullSize: r.nullScores.length, explanation: v.explanation, roc: roc ? { auc: roc.auc, positives: roc.positives } : null,
  };
}
