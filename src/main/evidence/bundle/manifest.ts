/**
 * The bundle manifest ('provenant-bundle/1'): everything an arbiter needs to re-run a verification
 * without the source model or the null models — the trigger set's identity and expected outputs, the
 * null calibration as numbers, the decision rule, and the original result to compare against.
 * Built from a complete verification (VerifyComplete) and its trigger set directory; validated with
 * zod on import. Nothing secret goes in: the suspect appears as its evidence identity (file hash, or
 * protocol + redacted URL).
 */
import { z } from 'zod';
import { version as producerVersion } from '../../../../package.json';
import type { SavedTriggerSet } from '../../engine/methods/trigger-set-io.ts';
import { METHOD_IDS, type TriggerSet } from '../../engine/methods/types.ts';
import type { VerifyComplete } from '../../engine/verify/verify-job.ts';
import { BUNDLE_FORMAT } from './container.ts';

/**
 * verdict()'s default minimum null size. VerifyComplete does not record the minNull it was decided
 * with; runVerify always uses the default, which this mirrors (see the report: verdict.ts should export it).
 */
export const VERIFY_MIN_NULL = 20;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0);
const probability = z.number().min(0).max(1);
const text = (max: number) => z.string().max(max);
const jsonRecord = z.record(z.string(), z.json());

const nullModelSchema = z.strictObject({ id: text(200).min(1), score: z.number(), matches: count.optional() });
const fittedModelSchema = z.union([
  z.strictObject({ kind: z.literal('beta-binomial'), a: z.number().positive(), b: z.number().positive(), trials: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('beta'), a: z.number().positive(), b: z.number().positive() }),
  z.null(),
]);

const manifestBase = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  producer: z.strictObject({ name: z.literal('provenant'), version: text(64) }),
  createdAt: z.iso.datetime(),
  caseId: text(200).min(1).optional(),
  runId: text(200).min(1).optional(),
  method: z.enum(METHOD_IDS),
  params: jsonRecord,
  seed: z.number().int(),
  engine: z.strictObject({
    /** The engine that generated the trigger set (from triggers.json). */
    triggers: jsonRecord,
    /** The engine of the exporting process, normally the one that ran the verification. */
    exporter: jsonRecord.optional(),
  }),
  triggers: z.strictObject({
    /** The trigger set directory id: SHA-256 of its SHA256SUMS file. */
    sha256: hex64,
    count,
    inputShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
    numClasses: z.number().int().positive(),
    source: z.strictObject({ sha256: text(200), arch: text(200) }),
    /** Every file of the directory except SHA256SUMS, sorted by name (as SavedTriggerSet.files). */
    files: z.array(z.strictObject({ file: text(200), bytes: count, sha256: hex64 })).max(256),
  }),
  /** The source's label per trigger: what a derived suspect should answer. */
  expectedOutputs: z.array(count),
  nullCalibration: z.strictObject({
    models: z.array(nullModelSchema),
    size: count,
    /** Null models left out because they are the suspect itself. */
    excluded: z.array(text(200)),
    /** The parametric model fitted to the null (null when there was no verdict). */
    model: fittedModelSchema,
  }),
  decisionRule: z.strictObject({ level: z.number().gt(0).lt(1), minNull: z.number().int().positive(), text: text(2000) }),
  original: z.strictObject({
    score: z.number(),
    /** The suspect's match count out of trials, when the null model is a beta-binomial on counts. */
    matches: count.optional(),
    trials: z.number().int().positive().optional(),
    pEmpirical: probability,
    pParametric: probability.nullable(),
    decision: z.enum(['derived', 'not-derived', 'insufficient-null']),
    supportedBy: z.enum(['empirical', 'parametric-tail', 'none']),
    nullMax: z.number().nullable(),
    explanation: text(4000),
    queriesNeeded: count,
    labelsOnly: z.boolean(),
  }),
  suspect: z.strictObject({
    identity: text(2000),
    kind: z.enum(['model-dir', 'onnx', 'http']),
    location: text(4000),
    sha256: hex64.optional(),
    describe: text(4000),
  }),
});

export const manifestSchema = manifestBase.superRefine((m, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (m.expectedOutputs.length !== m.triggers.count) issue(['expectedOutputs'], `${m.expectedOutputs.length} outputs for ${m.triggers.count} triggers`);
  const bad = m.expectedOutputs.findIndex((l) => l >= m.triggers.numClasses);
  if (bad >= 0) issue(['expectedOutputs', bad], `label ${m.expectedOutputs[bad]} is outside [0, ${m.triggers.numClasses})`);
  if (m.nullCalibration.size !== m.nullCalibration.models.length) issue(['nullCalibration', 'size'], `${m.nullCalibration.size}, but ${m.nullCalibration.models.length} models are listed`);
  if ((m.original.matches === undefined) !== (m.original.trials === undefined)) issue(['original', 'matches'], 'matches and trials go together');
  if (m.original.matches !== undefined && m.original.trials !== undefined && m.original.matches > m.original.trials) issue(['original', 'matches'], `${m.original.matches} matches out of ${m.original.trials} trials`);
  checkOriginal(m, issue);
});

/**
 * The parts of the original verdict that follow from the recorded null by definition (not by the
 * fitting code, which may improve between versions; replay compares the fitted numbers): a manifest
 * that contradicts its own null is refused even when validly signed.
 */
function checkOriginal(m: z.infer<typeof manifestBase>, issue: (path: (string | number)[], message: string) => void): void {
  const o = m.original;
  const scores = m.nullCalibration.models.map((x) => x.score);
  const N = scores.length;
  const nullMax = N ? Math.max(...scores) : null;
  if (!Object.is(o.nullMax, nullMax)) issue(['original', 'nullMax'], `${o.nullMax}, but the highest null score is ${nullMax}`);
  const pEmpirical = (1 + scores.filter((s) => s >= o.score).length) / (N + 1);
  if (!Object.is(o.pEmpirical, pEmpirical)) issue(['original', 'pEmpirical'], `${o.pEmpirical}, but (1 + #{null ≥ score})/(N + 1) = ${pEmpirical}`);
  const refused = N < m.decisionRule.minNull;
  if ((o.decision === 'insufficient-null') !== refused) issue(['original', 'decision'], `${o.decision} with ${N} null models and a minimum of ${m.decisionRule.minNull}`);
  if (refused !== (m.nullCalibration.model === null) || refused !== (o.pParametric === null) || refused !== (o.supportedBy === 'none')) {
    issue(['original', 'pParametric'], 'a fitted model, a parametric p-value and its support go together, and only with a sufficient null');
  }
  if (o.matches !== undefined && o.trials !== undefined && Math.abs(o.score - o.matches / o.trials) >= 1e-12) issue(['original', 'score'], `${o.score} is not ${o.matches}/${o.trials}`);
  const fit = m.nullCalibration.model;
  if (fit?.kind === 'beta-binomial') {
    if (o.trials !== fit.trials) issue(['original', 'trials'], `${o.trials}, but the null model is fitted to counts out of ${fit.trials}`);
    const bad = m.nullCalibration.models.findIndex((x) => x.matches === undefined || x.matches > fit.trials || Math.abs(x.score - x.matches / fit.trials) >= 1e-12);
    if (bad >= 0) issue(['nullCalibration', 'models', bad, 'matches'], `a beta-binomial null needs every model's score to be its match count out of ${fit.trials}`);
  }
}

export type BundleManifest = z.infer<typeof manifestSchema>;

/** The decision rule in words (what verdict() does; verdict.ts's header is the authority). */
export function decisionRuleText(level: number, minNull: number): string {
  return (
    `Derived only when the parametric p-value (beta-binomial on match counts, else beta on scores, fitted to the null) is at most ${level} ` +
    `AND the suspect scores above every null model; when 1/(N+1) ≤ ${level} the empirical p-value (1 + #{null ≥ score})/(N + 1) must also be at most ${level}. ` +
    `No verdict (insufficient-null) with fewer than ${minNull} null models.`
  );
}

/** The suspect's (matches, trials) as the verdict used them, recovered from the fitted model. */
function suspectCounts(r: VerifyComplete): { matches?: number; trials?: number } {
  const model = r.verdict.model;
  if (model?.kind !== 'beta-binomial') return {};
  const matches = Math.round(r.score * model.trials);
  if (Math.abs(r.score - matches / model.trials) >= 1e-12) throw new Error(`exportBundle: score ${r.score} is not a match rate over ${model.trials} trials, yet the verdict fitted a beta-binomial`);
  return { matches, trials: model.trials };
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface ManifestContext {
  set: TriggerSet;
  saved: SavedTriggerSet;
  caseId?: string;
  runId?: string;
  exporterEngine?: Record<string, unknown>;
  createdAt?: Date;
}

/** The manifest of a complete verification; the caller has checked that `saved` is the result's trigger set. */
export function buildManifest(r: VerifyComplete, c: ManifestContext): BundleManifest {
  const v = r.verdict;
  const manifest = {
    format: BUNDLE_FORMAT,
    producer: { name: 'provenant', version: producerVersion },
    createdAt: (c.createdAt ?? new Date()).toISOString(),
    ...(c.caseId !== undefined ? { caseId: c.caseId } : {}),
    ...(c.runId !== undefined ? { runId: c.runId } : {}),
    method: c.set.method,
    params: c.set.params,
    seed: c.set.seed,
    engine: { triggers: c.set.engine, ...(c.exporterEngine ? { exporter: c.exporterEngine } : {}) },
    triggers: {
      sha256: c.saved.sha256,
      count: c.set.labels.length,
      inputShape: c.set.inputShape,
      numClasses: c.set.numClasses,
      source: { sha256: c.set.source.sha256, arch: c.set.source.arch },
      files: c.saved.files.map((f) => ({ file: f.file, bytes: f.bytes, sha256: f.sha256 })),
    },
    expectedOutputs: Array.from(c.set.labels),
    nullCalibration: {
      models: r.nullScores.map((s) => ({ id: s.id, score: s.score, ...(s.matches !== undefined ? { matches: s.matches } : {}) })),
      size: r.nullScores.length,
      excluded: r.excludedFromNull,
      model: v.model,
    },
    decisionRule: { level: v.level, minNull: VERIFY_MIN_NULL, text: decisionRuleText(v.level, VERIFY_MIN_NULL) },
    original: {
      score: r.score,
      ...suspectCounts(r),
      pEmpirical: v.pEmpirical,
      pParametric: v.pParametric,
      decision: v.decision,
      supportedBy: v.supportedBy,
      nullMax: finiteOrNull(v.nullMax),
      explanation: v.explanation,
      queriesNeeded: r.queries.needed,
      labelsOnly: r.suspect.labelsOnly,
    },
    suspect: {
      identity: r.suspect.identity,
      kind: r.suspect.kind,
      location: r.suspect.location,
      ...(r.suspect.sha256 !== undefined ? { sha256: r.suspect.sha256 } : {}),
      describe: r.suspect.describe,
    },
  };
  const checked = manifestSchema.safeParse(manifest);
  if (!checked.success) {
    const i = checked.error.issues[0];
    throw new Error(`exportBundle: the result cannot be stored as a bundle manifest: ${i.path.join('.')}: ${i.message}`);
  }
  return checked.data;
}
