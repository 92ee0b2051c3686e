/**
 * The verify job for a local suspect model: score it with a saved trigger set, score the innocent
 * models of a calibration suite (its negatives, which must not have been used to generate the set)
 * as the null, and give the calibrated verdict. Remote suspects (HTTP, ONNX) plug in as other
 * Suspect implementations; the rest of this job stays the same.
 */
import { loadModel } from '../models/model-io.ts';
import { modelClassifier } from '../lab/classifier.ts';
import { loadSuiteMembers } from '../lab/suite-loader.ts';
import { getMethod } from '../methods/index.ts';
import { readTriggerSet } from '../methods/trigger-set-io.ts';
import type { Progress } from '../methods/types.ts';
import { classifierSuspect } from '../suspects/classifier-suspect.ts';
import type { Suspect } from '../suspects/types.ts';
import { matchCounts, verdict, type NullModelScore, type Verdict } from './verdict.ts';

export interface VerifyRequest {
  triggersDir: string;
  suspectDir: string;
  /** A suite whose negatives (innocent models) form the null. */
  nullSuiteDir: string;
  labelsOnly?: boolean;
  level?: number;
  onProgress?: (p: Progress & { phase: 'suspect' | 'null' }) => void;
  signal?: AbortSignal;
}

export interface VerifyResult {
  method: string;
  triggers: { dir: string; sha256: string };
  suspect: { dir: string; sha256: string; labelsOnly: boolean };
  score: number;
  queries: number;
  nullScores: NullModelScore[];
  /** Null models left out because they are the suspect itself. */
  excludedFromNull: string[];
  verdict: Verdict;
}

export async function runVerify(req: VerifyRequest): Promise<VerifyResult> {
  const { set, saved } = await readTriggerSet(req.triggersDir);
  const method = getMethod(set.method);
  const labelsOnly = Boolean(req.labelsOnly);
  const used = new Set([...set.pools.positives, ...set.pools.negatives, set.source.sha256]);
  const nullModels = await loadSuiteMembers(req.nullSuiteDir, (e) => e.role === 'negative');
  try {
    const overlap = nullModels.find((m) => used.has(m.sha256));
    if (overlap) throw new Error(`${req.nullSuiteDir}: null model "${overlap.entry.id}" was used to generate the trigger set; the null must be held out`);
    const suspectModel = await loadModel(req.suspectDir);
    let suspect: Suspect;
    let s;
    try {
      suspect = classifierSuspect(modelClassifier(suspectModel.model), { labelOnly: labelsOnly, name: req.suspectDir });
      s = await method.score(set, suspect, { signal: req.signal, onProgress: (p) => req.onProgress?.({ ...p, phase: 'suspect' }) });
    } finally {
      suspectModel.model.dispose();
    }
    // A model is never its own null reference: the suspect itself (same hash) is left out of the null.
    const nullSet = nullModels.filter((m) => m.sha256 !== suspectModel.saved.sha256);
    const nullScores: NullModelScore[] = [];
    for (const [k, m] of nullSet.entries()) {
      if (req.signal?.aborted) throw new Error('verify: cancelled');
      const r = await method.score(set, classifierSuspect(modelClassifier(m.model), { labelOnly: labelsOnly, name: m.entry.id }), { signal: req.signal });
      const rc = matchCounts(r);
      nullScores.push({ id: m.entry.id, score: r.score, ...(rc.matches !== undefined ? { matches: rc.matches } : {}) });
      req.onProgress?.({ done: k + 1, total: nullSet.length, message: `null model ${m.entry.id}`, phase: 'null' });
    }
    const c = matchCounts(s);
    return {
      method: set.method,
      triggers: { dir: saved.dir, sha256: saved.sha256 },
      suspect: { dir: suspectModel.saved.dir, sha256: suspectModel.saved.sha256, labelsOnly },
      score: s.score,
      queries: s.queries,
      nullScores,
      excludedFromNull: nullModels.filter((m) => !nullSet.includes(m)).map((m) => m.entry.id),
      verdict: verdict({ score: s.score, matches: c.matches, trials: c.trials, nullScores, level: req.level }),
    };
  } finally {
    nullModels.forEach((m) => m.model.dispose());
  }
}
