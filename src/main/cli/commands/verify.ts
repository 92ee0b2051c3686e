/** `provenant verify`: score a local suspect model with a trigger set and give the calibrated verdict. */
import { resolve } from 'node:path';
import { runVerify } from '../../engine/verify/verify-job.ts';
import { numberFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { createJobProgress } from '../progress-bar.ts';

export const VERIFY_USAGE = `provenant verify --triggers DIR --suspect MODEL_DIR --null SUITE_DIR [--labels-only] [--level 0.001]`;

export async function verifyCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {
    triggers: { type: 'string' },
    suspect: { type: 'string' },
    null: { type: 'string' },
    'labels-only': { type: 'boolean', default: false },
    level: { type: 'string', default: '0.001' },
  });
  if (!v.triggers) throw new UsageError('--triggers DIR is required (a trigger set from `provenant generate`)');
  if (!v.suspect) throw new UsageError('--suspect MODEL_DIR is required (a local tfjs model directory)');
  if (!v.null) throw new UsageError('--null SUITE_DIR is required: its innocent models calibrate the verdict (they must not be in the generation pool)');
  const level = numberFlag(v.level, 'level')!;
  if (!(level > 0 && level < 1)) throw new UsageError(`--level: expected a number in (0, 1), got "${String(v.level)}"`);
  const bars = { suspect: createJobProgress(ctx.stderr, 'suspect', 30), null: createJobProgress(ctx.stderr, 'null', 30) };
  const r = await runVerify({
    triggersDir: resolve(String(v.triggers)), suspectDir: resolve(String(v.suspect)), nullSuiteDir: resolve(String(v.null)),
    labelsOnly: Boolean(v['labels-only']), level, signal: ctx.signal, onProgress: (p) => bars[p.phase](p),
  });
  if (ctx.json) {
    ctx.out(JSON.stringify(r, null, 2));
    return 0;
  }
  ctx.out(`${r.method}: score ${r.score.toFixed(4)} with ${r.queries} queries (${r.suspect.labelsOnly ? 'labels only' : 'probabilities'})`);
  ctx.out(`null: ${r.nullScores.length} innocent models, highest ${r.verdict.nullMax.toFixed(4)}; p empirical ${r.verdict.pEmpirical.toPrecision(3)}, p ${r.verdict.model?.kind ?? 'parametric'} ${r.verdict.pParametric === null ? '–' : r.verdict.pParametric.toPrecision(3)}`);
  ctx.out(`verdict (level ${level}): ${r.verdict.decision} — ${r.verdict.explanation}`);
  return 0;
}
