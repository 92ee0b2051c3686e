/**
 * `provenant replay BUNDLE --suspect FILE|URL`: the arbiter's command. Scores the suspect with the
 * bundle's trigger set, judges it with the bundle's null and decision rule, and says whether score,
 * p-values and verdict are bit for bit the original ones (exit 0), or which differ (exit 5).
 */
import { resolve } from 'node:path';
import { replayBundle } from '../../evidence/replay.ts';
import { intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { createJobProgress } from '../progress-bar.ts';
import { PREPROCESS_OPTIONS } from '../preprocess-flags.ts';
import { suspectSpec } from './verify.ts';

export const REPLAY_USAGE = `provenant replay BUNDLE.pvb --suspect MODEL_DIR|FILE.onnx|URL [--labels-only] [--trust FINGERPRINT]...
                [--require-trusted] [--budget N] [--query-log FILE] (URL and file flags as for verify)`;
export const NOT_REPRODUCED = 5;

export async function replayCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    suspect: { type: 'string' }, 'labels-only': { type: 'boolean' }, trust: { type: 'string', multiple: true }, 'require-trusted': { type: 'boolean', default: false },
    budget: { type: 'string' }, 'query-log': { type: 'string' },
    protocol: { type: 'string' }, model: { type: 'string' }, 'auth-env': { type: 'string' }, header: { type: 'string', multiple: true },
    scores: { type: 'string' }, 'batch-size': { type: 'string' }, concurrency: { type: 'string' }, rate: { type: 'string' },
    'timeout-ms': { type: 'string' }, retries: { type: 'string' },
    'json-request': { type: 'string' }, 'json-response': { type: 'string' }, 'json-reply': { type: 'string' },
    outputs: { type: 'string' }, ...PREPROCESS_OPTIONS,
  }, 1);
  if (!positionals[0]) throw new UsageError(`missing BUNDLE; usage: ${REPLAY_USAGE}`);
  if (!v.suspect) throw new UsageError('--suspect is required: the model (directory, .onnx) or API to replay the verification on');
  const r = await replayBundle({
    bundle: resolve(positionals[0]), suspect: suspectSpec(String(v.suspect), v as Record<string, unknown>),
    ...(v['labels-only'] !== undefined ? { labelsOnly: Boolean(v['labels-only']) } : {}),
    trust: (v.trust as string[] | undefined) ?? [], requireTrusted: Boolean(v['require-trusted']),
    budget: intFlag(v.budget, 'budget', 0), queryLog: v['query-log'] ? resolve(String(v['query-log'])) : undefined,
    onProgress: createJobProgress(ctx.stderr, 'replay', 30), signal: ctx.signal,
  });
  if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
  else {
    for (const n of r.notes) ctx.out(`note: ${n}`);
    if (!r.replayed) {
      ctx.out(`PARTIAL: the query budget ran out (${r.queries.sent} sent of ${r.queries.needed} needed); no score and no verdict. Run again with the same --query-log to resume.`);
      return 3;
    }
    ctx.out(`original: score ${r.original.score}, p empirical ${r.original.pEmpirical}, p parametric ${r.original.pParametric}, ${r.original.decision}`);
    ctx.out(`replay:   score ${r.replayed.score}, p empirical ${r.replayed.pEmpirical}, p parametric ${r.replayed.pParametric}, ${r.replayed.decision}`);
    if (r.reproduced) ctx.out('REPRODUCED: score, p-values and verdict are bit for bit those of the original verification');
    else for (const d of r.differences) ctx.out(`DIFFERS: ${d}`);
  }
  return !r.replayed ? 3 : r.reproduced ? 0 : NOT_REPRODUCED;
}
