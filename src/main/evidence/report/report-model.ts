/**
 * What a PDF evidence report says, as plain data. The lead fills it from the case store and the
 * verify result; the renderer draws only what is here (no database, no engine calls), so a report
 * can be re-rendered from a saved model and two renders of one model give the same bytes.
 *
 * Validated with zod at the door: a refused model names the field at fault
 * (`report model: verdict.pEmpirical: …`), and cross-field checks make sure the report cannot
 * contradict itself (null size vs the null scores listed, highest null score, thumbnail sizes).
 */
import { z } from 'zod';
import { METHOD_IDS } from '../../engine/methods/types.ts';
import { formatPath } from '../../../shared/issues.ts';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 lowercase hex digits');
const Time = z.iso.datetime({ offset: true });
const Count = z.number().int().min(0);
const Probability = z.number().min(0).max(1);

/** NHWC pixels in [0,1]: a Float32Array or a plain number array (a model read back from JSON). */
const Pixels = z
  .union([z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array or an array of numbers'), z.array(z.number())])
  .refine((a) => a.every((v: number) => Number.isFinite(v)), 'pixels must be finite numbers')
  .transform((a): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a)));

/** Per-trigger match flags (Score.matches is a Uint8Array) as 0/1 numbers. */
const Flags = z
  .union([z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array or an array of 0/1'), z.array(z.number())])
  .refine((a) => a.every((v: number) => v === 0 || v === 1), 'match flags must be 0 or 1')
  .transform((a) => Array.from(a));

const NullScoreSchema = z.object({ id: z.string().min(1), score: z.number(), matches: Count.optional() });

const VerdictModelSchema = z.union([
  z.object({ kind: z.literal('beta-binomial'), a: z.number().positive(), b: z.number().positive(), trials: z.number().int().positive() }),
  z.object({ kind: z.literal('beta'), a: z.number().positive(), b: z.number().positive() }),
  z.null(),
]);

const ThumbnailSchema = z.object({
  /** The trigger's index in the set. */
  index: Count,
  trigger: Pixels,
  /** The clean input the trigger was made from; absent for methods that do not keep it. */
  original: Pixels.optional(),
  /** The source's label on the trigger (what a derived suspect answers). */
  label: z.number().int(),
  originalLabel: z.number().int().optional(),
});

export const ReportModelSchema = z
  .object({
    case: z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      /** e.g. [{ role: 'owner', name: … }, { role: 'suspect', name: … }, { role: 'investigator', … }] */
      parties: z.array(z.object({ role: z.string().min(1), name: z.string().min(1) })),
      description: z.string().optional(),
    }),
    /** When the report was made; also the PDF's creation date (so the bytes depend on the model only). */
    generatedAt: Time,
    producer: z.object({
      provenant: z.string().min(1),
      engine: z.object({ backend: z.string().min(1), versions: z.record(z.string(), z.string()) }),
    }),
    run: z.object({
      id: z.string().min(1),
      method: z.enum(METHOD_IDS),
      /** Every parameter with defaults filled in (TriggerSet.params). */
      params: z.record(z.string(), z.unknown()),
      /** e.g. { generation: 7 } — every seed that shaped the numbers. */
      seeds: z.record(z.string(), z.number().int()),
      /** False-accusation level the decision was taken at. */
      level: z.number().gt(0).lt(1),
      labelsOnly: z.boolean(),
      startedAt: Time,
      finishedAt: Time.optional(),
    }),
    /** verdict() output (engine/verify/verdict.ts); `score` is the suspect's score. */
    verdict: z.object({
      decision: z.enum(['derived', 'not-derived', 'insufficient-null']),
      level: z.number().gt(0).lt(1).optional(),
      score: z.number(),
      pEmpirical: Probability,
      pParametric: Probability.nullable(),
      model: VerdictModelSchema,
      nullSize: Count,
      /** NaN (an empty null) is accepted as null. */
      nullMax: z.preprocess((v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), z.number().nullable()),
      supportedBy: z.enum(['empirical', 'parametric-tail', 'none']),
      explanation: z.string().min(1),
    }),
    /** The innocent models' scores, the null the verdict was calibrated on. */
    nullScores: z.array(NullScoreSchema),
    /** The suspect's match count out of `trials`, when the score is a match rate. */
    suspectMatches: z.object({ matches: Count, trials: z.number().int().positive() }).optional(),
    /** ROC of the trigger set on its calibration suite (positives vs negatives); null/absent: not evaluated. */
    roc: z
      .object({
        points: z.array(z.object({ fpr: Probability, tpr: Probability })).min(2),
        auc: Probability,
        suite: z.string().optional(),
        positives: Count.optional(),
        negatives: Count.optional(),
      })
      .nullable()
      .optional(),
    exhibits: z.array(
      z.object({
        role: z.string().min(1),
        path: z.string().min(1),
        /** Bytes; null for what has no file (a remote endpoint). */
        size: Count.nullable().optional(),
        sha256: Sha256.nullable().optional(),
        acquiredAt: Time,
        notes: z.string().optional(),
      }),
    ),
    suspect: z.object({
      identity: z.string().min(1),
      kind: z.string().optional(),
      location: z.string().optional(),
      sha256: Sha256.optional(),
      /** The oracle's own description (secrets already redacted by the oracle). */
      describe: z.string().optional(),
    }),
    triggerSet: z.object({
      sha256: Sha256,
      count: z.number().int().positive(),
      inputShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
      numClasses: z.number().int().positive().optional(),
      thumbnails: z.array(ThumbnailSchema).default([]),
      /** Per-trigger match flags of the suspect (Score.matches), when the method defines them. */
      matches: Flags.optional(),
    }),
    queries: z.object({
      /** Inputs a complete scoring asks about. */
      needed: Count.optional(),
      sent: Count,
      reused: Count,
      byOutcome: z.record(z.string(), Count),
      retries: Count,
      firstAt: Time.optional(),
      lastAt: Time.optional(),
      latencyMs: z.object({ median: z.number().min(0), p95: z.number().min(0) }).optional(),
    }),
    reproducibility: z.object({
      bundle: z.object({ file: z.string().min(1), sha256: Sha256, signerFingerprint: Sha256 }).optional(),
      /** The exact command an arbiter runs to replay the bundle. */
      replayCommand: z.string().min(1).optional(),
    }),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (m.nullScores.length !== m.verdict.nullSize) {
      issue(['nullScores'], `lists ${m.nullScores.length} innocent models but verdict.nullSize is ${m.verdict.nullSize}`);
    }
    if (m.nullScores.length > 0) {
      const max = Math.max(...m.nullScores.map((s) => s.score));
      if (m.verdict.nullMax !== max) issue(['verdict', 'nullMax'], `is ${m.verdict.nullMax} but the highest null score listed is ${max}`);
    }
    if (m.verdict.level !== undefined && m.verdict.level !== m.run.level) {
      issue(['verdict', 'level'], `is ${m.verdict.level} but run.level is ${m.run.level}`);
    }
    const [h, w, c] = m.triggerSet.inputShape;
    m.triggerSet.thumbnails.forEach((t, i) => {
      const where = ['triggerSet', 'thumbnails', i];
      if (c !== 1 && c !== 3) issue([...where], `thumbnails need 1 or 3 channels, the input shape has ${c}`);
      if (t.trigger.length !== h * w * c) issue([...where, 'trigger'], `has ${t.trigger.length} values, expected ${h}×${w}×${c} = ${h * w * c}`);
      if (t.original && t.original.length !== h * w * c) issue([...where, 'original'], `has ${t.original.length} values, expected ${h * w * c}`);
      if (t.index >= m.triggerSet.count) issue([...where, 'index'], `is ${t.index}, beyond the ${m.triggerSet.count} triggers`);
    });
    if (m.triggerSet.matches && m.triggerSet.matches.length !== m.triggerSet.count) {
      issue(['triggerSet', 'matches'], `has ${m.triggerSet.matches.length} flags for ${m.triggerSet.count} triggers`);
    }
    if (m.reproducibility.replayCommand && !m.reproducibility.bundle) {
      issue(['reproducibility', 'replayCommand'], 'is given without the bundle it replays (reproducibility.bundle)');
    }
  });

export type ReportModel = z.output<typeof ReportModelSchema>;
/** What callers may pass (typed arrays or plain arrays for pixels and flags). */
export type ReportModelInput = z.input<typeof ReportModelSchema>;

export class ReportModelError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`report model: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
    this.name = 'ReportModelError';
  }
}

/** Validates `input`; throws ReportModelError naming every field at fault. */
export function parseReportModel(input: unknown): ReportModel {
  const r = ReportModelSchema.safeParse(input);
  if (r.success) return r.data;
  throw new ReportModelError(r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
}
