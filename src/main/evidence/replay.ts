/**
 * Arbiter replay: re-run a verification from a signed bundle against a suspect and say whether the
 * original numbers come out bit for bit.
 *
 * The bundle is imported (fully verified) into a temporary directory; the suspect is scored with the
 * bundle's trigger set exactly as runVerify scores it (openSuspect, then scoreSuspect: accountedSuspect → method.score,
 * with the same query log, recorder and budget semantics); the null is NOT re-scored — the arbiter
 * has no null models — but taken from the bundle's calibration, and verdict() applies the bundle's
 * decision rule. Score, p-values and decision are then compared with Object.is: equal doubles, not
 * close ones.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTriggerSet } from '../engine/methods/trigger-set-io.ts';
import type { Progress } from '../engine/methods/types.ts';
import { openSuspect, type SuspectSpec } from '../engine/suspects/open-suspect.ts';
import type { QueryRecorder } from '../engine/suspects/types.ts';
import { matchCounts, verdict, type Decision } from '../engine/verify/verdict.ts';
import { scoreSuspect } from '../engine/verify/score-suspect.ts';
import { importBundle, type SignerInfo } from './bundle/import.ts';
import type { BundleManifest } from './bundle/manifest.ts';

export interface ReplayRequest {
  /** The bundle file. */
  bundle: string;
  suspect: SuspectSpec;
  /** Query the suspect for labels only; default: the original verification's mode. */
  labelsOnly?: boolean;
  /** Fingerprints of trusted signers; the result reports whether the bundle's signer is one. */
  trust?: readonly string[];
  /** Refuse a bundle whose signer is not in `trust` (default: replay and report the signer as unknown). */
  requireTrusted?: boolean;
  /** JSONL query log of this replay; an existing log of the same replay is resumed. */
  queryLog?: string;
  /** Also receives every exchange (the case store). */
  recorder?: QueryRecorder;
  /** Most queries this replay may send (replies from the query log are free). */
  budget?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** The numbers compared, as the original recorded them and as the replay computed them. */
export interface ReplayNumbers {
  score: number;
  matches?: number;
  trials?: number;
  pEmpirical: number;
  pParametric: number | null;
  decision: Decision;
  explanation: string;
  /** The suspect's evidence identity (file hash, or protocol + redacted URL). */
  suspect: string;
  labelsOnly: boolean;
}

export interface ReplayResult {
  /** True when score, both p-values and the decision are bit-for-bit those of the original. */
  reproduced: boolean;
  original: ReplayNumbers;
  /** Null when the budget ran out before the trigger set was fully answered (no score, no verdict). */
  replayed: ReplayNumbers | null;
  /** Each number that differs, in words: "pEmpirical: original 0.04, replay 0.52". */
  differences: string[];
  /** Facts that do not make a difference by themselves but belong in the record (another suspect identity, another mode). */
  notes: string[];
  signer: SignerInfo;
  /** SHA-256 of the bundle file. */
  bundleSha256: string;
  manifest: BundleManifest;
  queries: { needed: number; sent: number; reused: number; resumedReplies: number; budget?: number };
}

const COMPARED = ['score', 'pEmpirical', 'pParametric', 'decision'] as const;

/** The differences between two sets of numbers, compared with Object.is (bit for bit for doubles). */
export function compareNumbers(original: ReplayNumbers, replayed: ReplayNumbers): string[] {
  return COMPARED.filter((k) => !Object.is(original[k], replayed[k])).map((k) => `${k}: original ${original[k]}, replay ${replayed[k]}`);
}

function originalNumbers(m: BundleManifest): ReplayNumbers {
  const o = m.original;
  return {
    score: o.score, ...(o.matches !== undefined ? { matches: o.matches, trials: o.trials } : {}),
    pEmpirical: o.pEmpirical, pParametric: o.pParametric, decision: o.decision, explanation: o.explanation,
    suspect: m.suspect.identity, labelsOnly: o.labelsOnly,
  };
}

/** verdict() of this build on the original score and the bundle's null: tells a changed decision rule from a changed suspect. */
function ruleDrift(m: BundleManifest): string | null {
  const v = verdict({ score: m.original.score, matches: m.original.matches, trials: m.original.trials, nullScores: m.nullCalibration.models, level: m.decisionRule.level, minNull: m.decisionRule.minNull });
  const diff = (['pEmpirical', 'pParametric', 'decision'] as const).filter((k) => !Object.is(v[k], m.original[k]));
  return diff.length ? `this build's verdict() gives different ${diff.join(', ')} for the original score on the bundle's own null (${diff.map((k) => `${k} ${v[k]}`).join(', ')}): the decision code changed since the bundle was made (producer ${m.producer.version})` : null;
}

export async function replayBundle(req: ReplayRequest): Promise<ReplayResult> {
  const tmp = await mkdtemp(join(tmpdir(), 'provenant-replay-'));
  try {
    const imported = await importBundle(req.bundle, { out: join(tmp, 'bundle'), trust: req.trust, requireTrusted: req.requireTrusted });
    const m = imported.manifest;
    const { set, saved } = await readTriggerSet(imported.triggersDir);
    const labelsOnly = req.labelsOnly ?? m.original.labelsOnly;
    const original = originalNumbers(m);
    const notes: string[] = [imported.signer.note];
    if (labelsOnly !== m.original.labelsOnly) notes.push(`replayed ${labelsOnly ? 'on labels only' : 'with probabilities'}, the original used ${m.original.labelsOnly ? 'labels only' : 'probabilities'}: the numbers need not agree`);
    const drift = ruleDrift(m);
    if (drift) notes.push(drift);
    const opened = await openSuspect(req.suspect, { inputShape: set.inputShape, numClasses: set.numClasses, labelOnly: labelsOnly });
    try {
      if (!labelsOnly && opened.oracle.labelOnly) throw new Error(`${opened.identity}: the suspect answers labels only; replay with labels only`);
      if (opened.identity !== m.suspect.identity) notes.push(`the suspect is ${opened.identity}; the bundle's was ${m.suspect.identity}`);
      const scored = await scoreSuspect({
        set, triggersSha256: saved.sha256, opened, labelsOnly, budget: req.budget, queryLog: req.queryLog, recorder: req.recorder,
        signal: req.signal, onProgress: req.onProgress,
      });
      const common = { original, notes, signer: imported.signer, bundleSha256: imported.sha256, manifest: m };
      const { needed, sent, reused, resumedReplies, budget } = scored.queries;
      const queries = { needed, sent, reused, resumedReplies, ...(budget !== undefined ? { budget } : {}) };
      const s = scored.score;
      if (!s) {
        const resume = req.queryLog ? `every reply is kept in ${req.queryLog}: replay again with the same query log to resume` : 'replay with a query log to be able to resume';
        return { ...common, reproduced: false, replayed: null, differences: [`not replayed: the query budget (${scored.budgetExhausted!.budget}) ran out before the trigger set was fully answered; ${resume}`], queries };
      }
      const c = matchCounts(s);
      const v = verdict({ score: s.score, matches: c.matches, trials: c.trials, nullScores: m.nullCalibration.models, level: m.decisionRule.level, minNull: m.decisionRule.minNull });
      const replayed: ReplayNumbers = {
        score: s.score, ...(c.matches !== undefined ? { matches: c.matches, trials: c.trials } : {}),
        pEmpirical: v.pEmpirical, pParametric: v.pParametric, decision: v.decision, explanation: v.explanation,
        suspect: opened.identity, labelsOnly,
      };
      const differences = compareNumbers(original, replayed);
      return { ...common, reproduced: differences.length === 0, replayed, differences, queries };
    } finally {
      await opened.oracle.close?.();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
