/**
 * `provenant case new|list|show|check`: a case is a directory holding case.sqlite (exhibits hashed
 * at intake, endpoints, trigger sets, runs, every query and reply, verdicts, notes, and a
 * hash-chained audit log). `check` recomputes the chain and every exhibit's hash and names the
 * first altered row or file (exit 4 when anything was altered).
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CASE_FILE, openCase } from '../../store/index.ts';
import { parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const CASE_USAGE = `provenant case new DIR --name NAME [--investigator WHO] [--owner WHO] [--suspect-party WHO] [--description TEXT]
       provenant case list [DIR (./cases)]   ·   provenant case show CASE_DIR   ·   provenant case check CASE_DIR`;

export const INTEGRITY_FAILED = 4;

export async function caseCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'new') return caseNew(rest, ctx);
  if (sub === 'list') return caseList(rest, ctx);
  if (sub === 'show') return caseShow(rest, ctx);
  if (sub === 'check') return caseCheck(rest, ctx);
  throw new UsageError(`case: expected new, list, show or check; usage:\n${CASE_USAGE}`);
}

function caseNew(argv: string[], ctx: CliContext): number {
  const { values: v, positionals } = parse(argv, {
    name: { type: 'string' }, investigator: { type: 'string' }, owner: { type: 'string' }, 'suspect-party': { type: 'string' }, description: { type: 'string' }, actor: { type: 'string' },
  }, 1);
  if (!positionals[0]) throw new UsageError(`case new: missing DIR; usage: ${CASE_USAGE}`);
  if (!v.name) throw new UsageError('case new: --name is required');
  const parties = {
    ...(v.investigator ? { investigator: String(v.investigator) } : {}),
    ...(v.owner ? { owner: String(v.owner) } : {}),
    ...(v['suspect-party'] ? { suspect: String(v['suspect-party']) } : {}),
  };
  const store = openCase(resolve(positionals[0]), { create: { name: String(v.name), parties, ...(v.description ? { description: String(v.description) } : {}) }, actor: v.actor as string | undefined });
  try {
    const info = store.info();
    if (ctx.json) ctx.out(JSON.stringify(info, null, 2));
    else ctx.out(`case "${info.name}" (${info.id}) created in ${info.dir}`);
    return 0;
  } finally {
    store.close();
  }
}

function caseList(argv: string[], ctx: CliContext): number {
  const { positionals } = parse(argv, {}, 1);
  const root = resolve(positionals[0] ?? 'cases');
  if (!existsSync(root)) throw new Error(`${root}: no such folder of cases`);
  const dirs = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(root, d.name, CASE_FILE)));
  const rows = dirs.map((d) => {
    const store = openCase(join(root, d.name), { readOnly: true });
    try {
      const runs = store.runs();
      return { ...store.info(), runs: runs.length, verdicts: runs.filter((r) => r.status === 'complete').length };
    } finally {
      store.close();
    }
  });
  if (ctx.json) ctx.out(JSON.stringify(rows, null, 2));
  else if (!rows.length) ctx.out(`no cases in ${root}`);
  else for (const r of rows) ctx.out(`${r.dir}  "${r.name}"  created ${r.createdAt}  ${r.runs} runs, ${r.verdicts} complete`);
  return 0;
}

function caseShow(argv: string[], ctx: CliContext): number {
  const { positionals } = parse(argv, {}, 1);
  if (!positionals[0]) throw new UsageError(`case show: missing CASE_DIR; usage: ${CASE_USAGE}`);
  const store = openCase(resolve(positionals[0]), { readOnly: true });
  try {
    const info = store.info();
    const exhibits = store.exhibits();
    const runs = store.runs().map((r) => ({ ...r, verdict: store.verdict(r.id), queries: store.querySummary(r.id) }));
    if (ctx.json) {
      ctx.out(JSON.stringify({ info, exhibits, endpoints: store.endpoints(), triggerSets: store.triggerSets(), runs, notes: store.notes() }, null, 2));
      return 0;
    }
    ctx.out(`case       "${info.name}" (${info.id}), created ${info.createdAt}`);
    for (const [role, who] of Object.entries(info.parties)) ctx.out(`  ${role.padEnd(12)} ${who}`);
    ctx.out(`exhibits   ${exhibits.length}`);
    for (const e of exhibits) ctx.out(`  #${e.id} ${e.role.padEnd(16)} ${e.sha256}  ${e.path}`);
    for (const ep of store.endpoints()) ctx.out(`  endpoint #${ep.id} ${ep.protocol} ${ep.url} (${ep.mode})`);
    ctx.out(`runs       ${runs.length}`);
    for (const r of runs) {
      const v = r.verdict;
      ctx.out(`  run ${r.id} ${r.kind} ${r.method} ${r.status.padEnd(8)} ${r.startedAt}  ${r.queries.inputsAnswered} inputs answered, ${r.queries.retries} retries${v ? `  → ${v.decision}, score ${v.score.toFixed(4)}, p ${v.pParametric === null ? '–' : v.pParametric.toPrecision(3)}` : ''}`);
    }
    return 0;
  } finally {
    store.close();
  }
}

async function caseCheck(argv: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parse(argv, {}, 1);
  if (!positionals[0]) throw new UsageError(`case check: missing CASE_DIR; usage: ${CASE_USAGE}`);
  const store = openCase(resolve(positionals[0]), { readOnly: true });
  try {
    const r = await store.check();
    if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
    else {
      ctx.out(`audit chain: ${r.chain.entries} entries${r.chain.head ? `, head #${r.chain.head.seq} ${r.chain.head.hash}` : ''}`);
      ctx.out(`rows checked: ${r.rows.checked}; exhibits re-hashed: ${r.exhibits.checked}`);
      if (r.ok) ctx.out('INTACT: the audit chain verifies, every row matches its audit entry, every exhibit matches its intake hash');
      else for (const p of r.problems) ctx.out(`ALTERED: ${p}`);
    }
    return r.ok ? 0 : INTEGRITY_FAILED;
  } finally {
    store.close();
  }
}
