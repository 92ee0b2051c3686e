/** `provenant report CASE_DIR --run ID --out report.pdf`: the PDF evidence report of a verification. */
import { resolve } from 'node:path';
import { renderReport } from '../../evidence/report/index.ts';
import { openCase } from '../../store/index.ts';
import { intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { reportModelFromCase } from '../../services/report-from-case.ts';

export const REPORT_USAGE = 'provenant report CASE_DIR --run ID [--out report.pdf] [--no-roc]';

export async function reportCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { run: { type: 'string' }, out: { type: 'string', short: 'o' }, 'no-roc': { type: 'boolean', default: false } }, 1);
  if (!positionals[0]) throw new UsageError(`missing CASE_DIR; usage: ${REPORT_USAGE}`);
  const runId = intFlag(v.run, 'run', 1);
  if (runId === undefined) throw new UsageError('--run ID is required (see `provenant case show CASE_DIR`)');
  const caseDir = resolve(positionals[0]);
  const out = resolve(String(v.out ?? `${caseDir}/report-run${runId}.pdf`));
  const store = openCase(caseDir, { readOnly: true });
  let model;
  try {
    model = await reportModelFromCase(store, runId, { roc: !v['no-roc'], log: ctx.log });
  } finally {
    store.close();
  }
  const r = await renderReport(model, out);
  if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
  else ctx.out(`report: ${r.file} (${r.pages} pages, sha256 ${r.sha256})`);
  return 0;
}
