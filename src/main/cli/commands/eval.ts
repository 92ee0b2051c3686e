/** `provenant eval`: rank fingerprinting methods on an evaluation suite; writes eval-<dataset>.json/.md and figures. */
import { resolve } from 'node:path';
import { evaluate, resolveMethodList } from '../../engine/verify/evaluate.ts';
import { evalJsonPath, mergeEvalReports, readEvalReport, writeEvalReport } from '../../engine/verify/eval-report.ts';
import type { MethodId } from '../../engine/methods/types.ts';
import { intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { createJobProgress, formatSeconds } from '../progress-bar.ts';

export const EVAL_USAGE = `provenant eval --suite SUITE_DIR [--pools POOL_DIR] [--methods all|m1,m2] [--seed N]
                [--params '{"ipguard":{"n":50}}'] [--source MODEL_DIR] [--out DIR] [--triggers DIR] [--append]`;

export async function evalCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {
    suite: { type: 'string' },
    pools: { type: 'string' },
    methods: { type: 'string', default: 'all' },
    seed: { type: 'string', default: '1' },
    params: { type: 'string' },
    source: { type: 'string' },
    out: { type: 'string', short: 'o', default: 'runs/eval' },
    triggers: { type: 'string' },
    append: { type: 'boolean', default: false },
  });
  if (!v.suite) throw new UsageError('--suite SUITE_DIR is required (build one with `provenant lab build --preset standard`)');
  let params: Partial<Record<MethodId, Record<string, unknown>>> | undefined;
  if (v.params) {
    try {
      params = JSON.parse(String(v.params));
    } catch (err) {
      throw new UsageError(`--params: not valid JSON (${(err as Error).message})`);
    }
  }
  let methods: MethodId[];
  try {
    methods = resolveMethodList([String(v.methods)]);
  } catch (err) {
    throw new UsageError(`--methods: ${(err as Error).message}`);
  }
  const out = resolve(String(v.out));
  const progress = new Map<string, ReturnType<typeof createJobProgress>>();
  const report = await evaluate({
    suiteDir: resolve(String(v.suite)), poolDir: v.pools ? resolve(String(v.pools)) : undefined, methods, params,
    seed: intFlag(v.seed, 'seed')!, sourceDir: v.source ? resolve(String(v.source)) : undefined,
    triggersDir: resolve(String(v.triggers ?? `${out}/triggers`)),
    log: ctx.log, signal: ctx.signal,
    onProgress: (p) => {
      const key = `${p.method} ${p.phase}`;
      if (!progress.has(key)) progress.set(key, createJobProgress(ctx.stderr, key, 30));
      progress.get(key)!(p);
    },
  });
  // --append: replace these methods' rows in the earlier report of the same suite, keep the others.
  const earlier = v.append ? await readEvalReport(evalJsonPath(report, out)) : null;
  const paths = await writeEvalReport(earlier ? mergeEvalReports(earlier, report) : report, out);
  if (ctx.json) {
    ctx.out(JSON.stringify({ ...paths, methods: report.methods.map((m) => ({ label: m.label, ...m.metrics, error: m.error })) }, null, 2));
    return report.methods.some((m) => m.error) ? 1 : 0;
  }
  for (const m of report.methods) {
    ctx.out(m.metrics
      ? `${m.label.padEnd(26)} AUC ${m.metrics.auc.toFixed(4)}  TPR@1%FPR ${m.metrics.tprAt1.tpr.toFixed(3)}  TPR@10%FPR ${m.metrics.tprAt10.tpr.toFixed(3)}  ARUC ${m.metrics.aruc.toFixed(3)}  ${m.queries!.mean.toFixed(0)} queries`
      : `${m.label.padEnd(26)} FAILED: ${m.error}`);
  }
  ctx.out(`evaluated in ${formatSeconds(report.seconds)}; tables in ${paths.markdown}`);
  // A failed method is a failed evaluation (exit 1), though the report with the others is written.
  return report.methods.some((m) => m.error) ? 1 : 0;
}
