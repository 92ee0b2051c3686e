/**
 * The `provenant` command. Global flags: --backend auto|node-gpu|node|webgpu|wasm|cpu (or
 * $PROVENANT_BACKEND), --json (machine-readable output on stdout). Progress and logs go to stderr.
 * Exit codes: 0 ok, 1 error, 2 usage error, 130 cancelled (Ctrl-C).
 */
import { BACKEND_CHOICES, BACKEND_ENV_VAR, initBackend, parseBackendChoice } from '../engine/tensor/backend.ts';
import { TrainingCancelled } from '../engine/models/training.ts';
import { UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import { trainCommand, TRAIN_USAGE } from './commands/train.ts';
import { infoCommand, INFO_USAGE } from './commands/info.ts';
import { importCommand, IMPORT_USAGE } from './commands/import.ts';
import { caseCommand, CASE_USAGE } from './commands/case.ts';
import { reportCommand, REPORT_USAGE } from './commands/report.ts';
import { bundleCommand, BUNDLE_USAGE, keysCommand, KEYS_USAGE } from './commands/bundle.ts';
import { replayCommand, REPLAY_USAGE } from './commands/replay.ts';
import { demoCommand, DEMO_USAGE } from './commands/demo.ts';
import { serveCommand, SERVE_USAGE } from './commands/serve.ts';
import { labCommand, LAB_USAGE } from './commands/lab.ts';
import { generateCommand, GENERATE_USAGE } from './commands/generate.ts';
import { evalCommand, EVAL_USAGE } from './commands/eval.ts';
import { verifyCommand, VERIFY_USAGE } from './commands/verify.ts';

type Command = (argv: string[], ctx: CliContext) => Promise<number>;
const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  train: { run: trainCommand, usage: TRAIN_USAGE, summary: 'train a source model on a dataset and save it' },
  lab: { run: labCommand, usage: LAB_USAGE, summary: 'build a suite of pirated and innocent suspects (or a generation pool)' },
  generate: { run: generateCommand, usage: GENERATE_USAGE, summary: 'make a trigger set with a fingerprinting method' },
  verify: { run: verifyCommand, usage: VERIFY_USAGE, summary: 'score a suspect model with a trigger set; calibrated verdict against innocent models' },
  eval: { run: evalCommand, usage: EVAL_USAGE, summary: 'rank fingerprinting methods on an evaluation suite (AUC, TPR@FPR, ROC)' },
  info: { run: infoCommand, usage: INFO_USAGE, summary: 'show a model directory or an ONNX file: shapes, operators, hashes, provenance' },
  case: { run: caseCommand, usage: CASE_USAGE, summary: 'create, list, show and check cases (SQLite: exhibits, runs, queries, verdicts, audit chain)' },
  report: { run: reportCommand, usage: REPORT_USAGE, summary: 'the PDF evidence report of a verification recorded in a case' },
  bundle: { run: bundleCommand, usage: BUNDLE_USAGE, summary: 'export a signed bundle of a verification; verify or import one' },
  replay: { run: replayCommand, usage: REPLAY_USAGE, summary: 'the arbiter: replay a bundle on a suspect and check the numbers bit for bit' },
  keys: { run: keysCommand, usage: KEYS_USAGE, summary: 'make an Ed25519 signing key for bundles' },
  import: { run: importCommand, usage: IMPORT_USAGE, summary: 'an ONNX file (e.g. a PyTorch export) as a trainable source model directory' },
  demo: { run: demoCommand, usage: DEMO_USAGE, summary: 'the main job on the embedded MNIST digits' },
  serve: { run: serveCommand, usage: SERVE_USAGE, summary: 'the workbench in a browser: the built app and its API on 127.0.0.1 with a token' },
};

export function usage(): string {
  const lines = ['usage: provenant [--backend B] [--json] COMMAND [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push('', ...Object.values(COMMANDS).map((c) => c.usage), '');
  lines.push(`--backend: ${BACKEND_CHOICES.join(', ')} (default $${BACKEND_ENV_VAR} or auto)`);
  return lines.join('\n');
}

/** Splits global flags (anywhere before the command) from the command and its own arguments. */
function splitGlobal(argv: string[]): { backend?: string; json: boolean; command?: string; rest: string[] } {
  let backend: string | undefined;
  let json = false;
  const rest: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--backend') backend = argv[++i];
    else if (a.startsWith('--backend=')) backend = a.slice('--backend='.length);
    else if (!command && !a.startsWith('-')) command = a;
    else rest.push(a);
  }
  return { backend, json, command, rest };
}

export async function main(argv: string[]): Promise<number> {
  const g = splitGlobal(argv);
  if (!g.command || g.command === 'help' || g.rest.includes('--help') || g.rest.includes('-h')) {
    const c = g.command && COMMANDS[g.command];
    console.log(c ? c.usage : usage());
    return g.command && !c && g.command !== 'help' ? 2 : 0;
  }
  const command = COMMANDS[g.command];
  if (!command) {
    console.error(`provenant: unknown command "${g.command}"\n\n${usage()}`);
    return 2;
  }
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nprovenant: cancelling (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const ctx: CliContext = {
    out: (line) => process.stdout.write(`${line}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
    stderr: process.stderr,
    signal: controller.signal,
    json: g.json,
  };
  try {
    const backend = g.backend !== undefined ? parseBackendChoice(g.backend, '--backend') : undefined;
    const info = await initBackend(backend);
    ctx.log(`backend ${info.backend}${info.skipped.length ? ` (skipped: ${info.skipped.map((s) => s.backend).join(', ')})` : ''}`);
    return await command.run(g.rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`provenant ${g.command}: ${err.message}\nusage: ${command.usage}`);
      return 2;
    }
    if (err instanceof TrainingCancelled) {
      console.error(`provenant ${g.command}: ${err.message}; nothing was saved`);
      return 130;
    }
    if (controller.signal.aborted) {
      // Methods and jobs throw "<what>: cancelled" when they see the signal; nothing half-written is kept.
      console.error(`provenant ${g.command}: ${(err as Error).message ?? 'cancelled'}`);
      return 130;
    }
    console.error(`provenant ${g.command}: ${(err as Error).message ?? String(err)}`);
    if (process.env.PROVENANT_DEBUG) console.error((err as Error).stack);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
