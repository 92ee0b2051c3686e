/**
 * `provenant verify`: score a suspect — a model directory, an .onnx file, or a prediction API (KServe
 * v2 / Triton, TF-Serving REST, generic JSON) — with a trigger set, and give the calibrated verdict.
 * Exit 0 with a verdict, 3 with a partial result (the query budget ran out; resumable with the same
 * --query-log or --case), 1 on errors, 2 on usage errors. With --case every exhibit, query and number
 * is recorded in the case, and an interrupted run of the same verification is resumed.
 */
import { resolve } from 'node:path';
import type { SuspectSpec } from '../../engine/suspects/open-suspect.ts';
import { suspectKind } from '../../engine/suspects/open-suspect.ts';
import { runVerify, type VerifyRequest, type VerifyResult } from '../../engine/verify/verify-job.ts';
import { verifyInCase } from '../../services/verify-in-case.ts';
import { choiceFlag, intFlag, numberFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { createJobProgress } from '../progress-bar.ts';
import { PREPROCESS_OPTIONS, PREPROCESS_USAGE, preprocessingFlags } from '../preprocess-flags.ts';

export const VERIFY_USAGE = `provenant verify --triggers DIR --suspect MODEL_DIR|FILE.onnx|URL --null SUITE_DIR
    [--labels-only] [--level 0.001] [--budget N] [--query-log FILE | --case CASE_DIR]
    URL:  --protocol kserve|tfserving|json [--model NAME] [--auth-env VAR] [--header "K: V"]...
          [--scores probabilities|logits] [--batch-size 32] [--concurrency 4] [--rate R/s]
          [--timeout-ms 30000] [--retries 5]
          json: --json-request TEMPLATE ("{{inputs}}" or "{{input}}") --json-response PATH --json-reply labels|scores
    ONNX: [--outputs logits|probabilities]
    file or URL inputs: ${PREPROCESS_USAGE}`;

function headers(v: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of (v.header as string[] | undefined) ?? []) {
    const at = h.indexOf(':');
    if (at <= 0) throw new UsageError(`--header: expected "Name: value", got "${h}"`);
    out[h.slice(0, at).trim()] = h.slice(at + 1).trim();
  }
  if (v['auth-env'] !== undefined) {
    // The secret is read from the environment, so it is not in the shell history or `ps`.
    const name = String(v['auth-env']);
    const value = env[name];
    if (!value) throw new UsageError(`--auth-env ${name}: the environment variable is not set or empty`);
    out.Authorization = value;
  }
  return out;
}

export function suspectSpec(arg: string, v: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): SuspectSpec {
  const kind = suspectKind(arg);
  const pre = preprocessingFlags(v);
  if (kind === 'model-dir') {
    if (pre) throw new UsageError('--layout/--scale/--mean/--std/--bgr apply to .onnx files and URLs; a model directory declares its own input');
    return { kind, dir: resolve(arg) };
  }
  if (kind === 'onnx') return { kind, file: resolve(arg), ...(pre ? { preprocessing: pre } : {}), ...(v.outputs ? { outputs: choiceFlag(v.outputs, 'outputs', ['logits', 'probabilities'] as const) } : {}) };
  const protocol = choiceFlag(v.protocol, 'protocol', ['kserve', 'tfserving', 'json'] as const);
  if (!protocol) throw new UsageError('--protocol kserve|tfserving|json is required for a URL suspect');
  if (protocol === 'json' && (!v['json-request'] || !v['json-response'] || !v['json-reply'])) throw new UsageError('--protocol json needs --json-request, --json-response and --json-reply');
  const opt = <T>(key: string, val: T | undefined) => (val === undefined ? {} : { [key]: val });
  return {
    kind, url: arg, protocol,
    ...opt('model', v.model as string | undefined),
    headers: headers(v, env),
    ...opt('scores', v.scores === undefined ? undefined : choiceFlag(v.scores, 'scores', ['probabilities', 'logits'] as const)),
    ...opt('preprocessing', pre),
    ...opt('batchSize', intFlag(v['batch-size'], 'batch-size', 1)),
    ...opt('concurrency', intFlag(v.concurrency, 'concurrency', 1)),
    ...opt('ratePerSecond', numberFlag(v.rate, 'rate')),
    ...opt('timeoutMs', intFlag(v['timeout-ms'], 'timeout-ms', 1)),
    ...opt('retries', intFlag(v.retries, 'retries', 0)),
    ...(protocol === 'json' ? { json: { requestTemplate: String(v['json-request']), responsePath: String(v['json-response']), reply: choiceFlag(v['json-reply'], 'json-reply', ['labels', 'scores'] as const)! } } : {}),
  } as SuspectSpec;
}

export async function verifyCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {
    triggers: { type: 'string' }, suspect: { type: 'string' }, null: { type: 'string' },
    'labels-only': { type: 'boolean', default: false }, level: { type: 'string', default: '0.001' },
    budget: { type: 'string' }, 'query-log': { type: 'string' }, case: { type: 'string' }, actor: { type: 'string' },
    protocol: { type: 'string' }, model: { type: 'string' }, 'auth-env': { type: 'string' }, header: { type: 'string', multiple: true },
    scores: { type: 'string' }, 'batch-size': { type: 'string' }, concurrency: { type: 'string' }, rate: { type: 'string' },
    'timeout-ms': { type: 'string' }, retries: { type: 'string' },
    'json-request': { type: 'string' }, 'json-response': { type: 'string' }, 'json-reply': { type: 'string' },
    outputs: { type: 'string' }, ...PREPROCESS_OPTIONS,
  });
  if (!v.triggers) throw new UsageError('--triggers DIR is required (a trigger set from `provenant generate`)');
  if (!v.suspect) throw new UsageError('--suspect is required: a model directory, an .onnx file or an http(s):// URL');
  if (!v.null) throw new UsageError('--null SUITE_DIR is required: its innocent models calibrate the verdict (they must not be in the generation pool)');
  const level = numberFlag(v.level, 'level')!;
  if (!(level > 0 && level < 1)) throw new UsageError(`--level: expected a number in (0, 1), got "${String(v.level)}"`);
  const suspect = suspectSpec(String(v.suspect), v as Record<string, unknown>);
  const bars = { suspect: createJobProgress(ctx.stderr, 'suspect', 30), null: createJobProgress(ctx.stderr, 'null', 30) };
  const req: VerifyRequest = {
    triggersDir: resolve(String(v.triggers)), suspect, nullSuiteDir: resolve(String(v.null)),
    labelsOnly: Boolean(v['labels-only']), level, budget: intFlag(v.budget, 'budget', 0),
    queryLog: v['query-log'] ? resolve(String(v['query-log'])) : undefined,
    signal: ctx.signal, onProgress: (p) => bars[p.phase](p),
  };
  if (v.case && v['query-log']) throw new UsageError('--case records every query in the case; --query-log is for verifications outside a case (use one)');
  const inCase = v.case ? await verifyInCase(resolve(String(v.case)), req, ctx.log, v.actor as string | undefined) : undefined;
  const r = inCase?.result ?? (await runVerify(req));
  if (ctx.json) ctx.out(JSON.stringify(inCase ? { ...r, case: { dir: resolve(String(v.case)), run: inCase.run.id, resumedReplies: inCase.resumedReplies } } : r, null, 2));
  else {
    printResult(r, level, ctx);
    if (inCase) ctx.out(`recorded in case ${resolve(String(v.case))} as run ${inCase.run.id} (${inCase.run.status})${inCase.resumedReplies ? `, resumed with ${inCase.resumedReplies} recorded replies` : ''}`);
  }
  return r.status === 'partial' ? 3 : 0;
}

function printResult(r: VerifyResult, level: number, ctx: CliContext): void {
  const q = r.queries;
  const used = `queries: ${q.sent} sent${q.budget !== undefined ? ` of a budget of ${q.budget}` : ''}, ${q.reused} reused from the query log; ${q.answered} of ${q.needed} needed answered`;
  ctx.out(`suspect: ${r.suspect.describe} (${r.suspect.identity}; ${r.suspect.labelsOnly ? 'labels only' : 'probabilities'})`);
  if (r.status === 'partial') {
    ctx.out(used);
    ctx.out(`PARTIAL RESULT — ${r.reason}`);
    return;
  }
  ctx.out(`${r.method}: score ${r.score.toFixed(4)}; ${used}`);
  ctx.out(`null: ${r.nullScores.length} innocent models, highest ${r.verdict.nullMax.toFixed(4)}; p empirical ${r.verdict.pEmpirical.toPrecision(3)}, p ${r.verdict.model?.kind ?? 'parametric'} ${r.verdict.pParametric === null ? '–' : r.verdict.pParametric.toPrecision(3)}`);
  ctx.out(`verdict (level ${level}): ${r.verdict.decision} — ${r.verdict.explanation}`);
}
