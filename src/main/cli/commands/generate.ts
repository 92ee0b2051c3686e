/** `provenant generate`: make a trigger set with one fingerprinting method and save it. */
import { resolve } from 'node:path';
import { runGenerate } from '../../engine/methods/generate-job.ts';
import { METHOD_IDS } from '../../engine/methods/types.ts';
import { choiceFlag, intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { createJobProgress, formatSeconds } from '../progress-bar.ts';
import { PREPROCESS_OPTIONS, PREPROCESS_USAGE, preprocessingFlags } from '../preprocess-flags.ts';
import { datasetFlags } from './import.ts';
import { generateInCase } from '../../services/generate-in-case.ts';
import type { DatasetId } from '../../engine/data/types.ts';

export const GENERATE_USAGE = `provenant generate --method ${METHOD_IDS.join('|')} --source MODEL_DIR|MODEL.onnx [--pools POOL_DIR]
                [--seed N] [--param NAME=VALUE ...] [--params JSON] [--out DIR] [--overwrite] [--case CASE_DIR]
                ONNX source: --dataset mnist|fashion-mnist|folder [--data-dir DIR] [--split-seed 1] ${PREPROCESS_USAGE}`;

/** `--param n=50 --param pair=random` and `--params '{"n":50}'` → one object; values parse as JSON when they can. */
export function parseMethodParams(pairs: string[], json: string | undefined): Record<string, unknown> {
  let params: Record<string, unknown> = {};
  if (json !== undefined) {
    try {
      params = JSON.parse(json);
    } catch (err) {
      throw new UsageError(`--params: not valid JSON (${(err as Error).message})`);
    }
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new UsageError('--params: expected a JSON object');
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param: expected NAME=VALUE, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a bare word stays a string (e.g. pair=random) */
    }
    params[pair.slice(0, eq)] = value;
  }
  return params;
}

export async function generateCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {
    method: { type: 'string' },
    source: { type: 'string' },
    pools: { type: 'string' },
    seed: { type: 'string', default: '1' },
    param: { type: 'string', multiple: true },
    params: { type: 'string' },
    out: { type: 'string', short: 'o' },
    overwrite: { type: 'boolean', default: false },
    case: { type: 'string' }, actor: { type: 'string' },
    dataset: { type: 'string' }, 'data-dir': { type: 'string' }, 'split-seed': { type: 'string', default: '1' }, ...PREPROCESS_OPTIONS,
  });
  if (!v.method) throw new UsageError(`--method is required (one of ${METHOD_IDS.join(', ')})`);
  const method = choiceFlag(v.method, 'method', METHOD_IDS)!;
  if (!v.source) throw new UsageError('--source MODEL_DIR (or an .onnx file with --dataset) is required');
  const onnxSource = /\.onnx$/i.test(String(v.source));
  const pre = preprocessingFlags(v as Record<string, unknown>);
  if (!onnxSource && pre) throw new UsageError('--layout/--scale/--mean/--std/--bgr apply to an .onnx source; a model directory declares its own input');
  const { dataset, datasetOptions } = datasetFlags(v as Record<string, unknown>);
  const seed = intFlag(v.seed, 'seed')!;
  const params = parseMethodParams((v.param as string[] | undefined) ?? [], v.params as string | undefined);
  const out = resolve(String(v.out ?? `runs/triggers-${method}-seed${seed}`));
  const req = {
    method, seed, params, outDir: out, overwrite: Boolean(v.overwrite),
    sourceDir: resolve(String(v.source)), poolDir: v.pools ? resolve(String(v.pools)) : undefined,
    dataset: dataset as DatasetId | undefined, datasetOptions: datasetOptions as never,
    ...(onnxSource ? { sourceOnnx: { preprocessing: pre, splitSeed: intFlag(v['split-seed'], 'split-seed') } } : {}),
    onProgress: createJobProgress(ctx.stderr, method), signal: ctx.signal,
  };
  const inCase = v.case ? await generateInCase(resolve(String(v.case)), req, v.actor as string | undefined) : undefined;
  const result = inCase?.result ?? (await runGenerate(req));
  if (inCase) ctx.log(`recorded in case ${resolve(String(v.case))} as run ${inCase.runId} (trigger set #${inCase.triggerSetId})`);
  const summary = {
    method, dir: result.saved!.dir, sha256: result.saved!.sha256, triggers: result.set.labels.length, seed,
    seconds: result.seconds, params: result.set.params, poolSkipped: result.poolSkipped,
  };
  if (ctx.json) {
    ctx.out(JSON.stringify(summary, null, 2));
    return 0;
  }
  for (const s of result.poolSkipped) ctx.log(`pool member ${s.id} not used: ${s.reason}`);
  ctx.out(`${method}: ${summary.triggers} triggers in ${formatSeconds(result.seconds)}`);
  ctx.out(`saved ${summary.dir} (sha256 ${summary.sha256})`);
  return 0;
}
