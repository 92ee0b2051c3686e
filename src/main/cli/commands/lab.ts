/** `provenant lab build`: build a suite of suspects (or a generation pool) around a source model. */
import { resolve } from 'node:path';
import { DATASET_IDS } from '../../engine/data/types.ts';
import { buildSuite } from '../../engine/lab/suite-builder.ts';
import type { SuiteManifest } from '../../engine/lab/manifest.ts';
import { PRESETS } from '../../engine/lab/recipes.ts';
import { choiceFlag, intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { formatSeconds } from '../progress-bar.ts';
import type { SuiteProgress } from '../../engine/lab/suite-builder.ts';

export const LAB_USAGE = `provenant lab build --source MODEL_DIR [--dataset mnist|fashion-mnist|folder] [--data-dir DIR]
                [--preset ${PRESETS.join('|')}] [--seed N] [--purpose suite|pool] [--workers N] [--out DIR]`;

function progressReporter(ctx: CliContext): (p: SuiteProgress) => void {
  const tty = Boolean(ctx.stderr.isTTY);
  return (p) => {
    if (p.last) {
      const e = p.last;
      const line = `[${p.done}/${p.total}] ${e.id.padEnd(28)} ${e.role.padEnd(8)} acc ${(e.testAccuracy * 100).toFixed(2)}%  agree ${(e.agreement * 100).toFixed(2)}%  ${e.seconds.toFixed(1)} s  ETA ${formatSeconds(p.etaSeconds)}`;
      ctx.stderr.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    } else if (tty) {
      const running = p.running.map((r) => (r.p ? `${r.id} ${Math.round((100 * r.p.done) / Math.max(1, r.p.total))}%` : r.id)).join(', ');
      ctx.stderr.write(`\r[${p.done}/${p.total}] building ${running}\x1b[K`);
    }
  };
}

export function summarise(m: SuiteManifest, dir: string, ctx: CliContext): void {
  const pos = m.models.filter((e) => e.role === 'positive');
  const neg = m.models.filter((e) => e.role === 'negative');
  if (ctx.json) {
    ctx.out(JSON.stringify({ dir, manifest: `${dir}/manifest.json`, positives: pos.length, negatives: neg.length, seconds: m.seconds }, null, 2));
    return;
  }
  ctx.out(`${m.purpose} ${dir}: ${pos.length} positives, ${neg.length} negatives in ${formatSeconds(m.seconds)}; table in ${dir}/suite.md`);
}

export async function labCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'build') throw new UsageError(`unknown lab command "${sub ?? ''}"; usage: ${LAB_USAGE}`);
  const { values: v } = parse(rest, {
    source: { type: 'string' },
    dataset: { type: 'string' },
    'data-dir': { type: 'string' },
    preset: { type: 'string' },
    seed: { type: 'string', default: '1' },
    purpose: { type: 'string', default: 'suite' },
    workers: { type: 'string' },
    out: { type: 'string' },
  });
  if (!v.source) throw new UsageError('--source MODEL_DIR is required');
  const purpose = choiceFlag(v.purpose, 'purpose', ['suite', 'pool'] as const)!;
  // A generation pool defaults to the `pool` preset (differentiable members only), a suite to `small`.
  const preset = choiceFlag(v.preset ?? (purpose === 'pool' ? 'pool' : 'small'), 'preset', PRESETS)!;
  const dataset = choiceFlag(v.dataset, 'dataset', DATASET_IDS);
  const seed = intFlag(v.seed, 'seed')!;
  const out = resolve(String(v.out ?? `runs/${purpose}-${preset}-seed${seed}`));
  const datasetOptions = v['data-dir'] ? (dataset === 'folder' ? undefined : { dir: resolve(String(v['data-dir'])) }) : undefined;
  const manifest = await buildSuite({
    sourceDir: resolve(String(v.source)), dataset, datasetOptions, outDir: out, suiteSeed: seed, purpose, preset,
    workers: intFlag(v.workers, 'workers', 1), signal: ctx.signal, log: ctx.log, onProgress: progressReporter(ctx),
  });
  summarise(manifest, out, ctx);
  return 0;
}
