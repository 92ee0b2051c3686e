/** `provenant info MODEL`: what a model directory holds, its hashes and its provenance. */
import { loadModel } from '../../engine/models/model-io.ts';
import { parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const INFO_USAGE = 'provenant info MODEL_DIR|model.json [--json]';

export async function infoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parse(argv, {}, 1);
  if (!positionals[0]) throw new UsageError(`missing MODEL; usage: ${INFO_USAGE}`);
  const { model, meta, saved } = await loadModel(positionals[0]);
  try {
    const params = model.countParams();
    const input = model.inputs[0].shape;
    const output = model.outputs[0].shape;
    const training = meta?.training as Record<string, unknown> | undefined;
    const metrics = training?.metrics as { testAccuracy?: number; testSize?: number } | undefined;
    if (ctx.json) {
      ctx.out(JSON.stringify({ dir: saved.dir, sha256: saved.sha256, files: saved.files, params, input, output, meta }, null, 2));
      return 0;
    }
    ctx.out(`model      ${saved.dir}`);
    ctx.out(`sha256     ${saved.sha256}`);
    for (const f of saved.files) ctx.out(`  ${f.file.padEnd(12)} ${String(f.bytes).padStart(9)} B  ${f.sha256}`);
    ctx.out(`input      ${JSON.stringify(input)}   output ${JSON.stringify(output)}   parameters ${params}`);
    if (!meta) {
      ctx.out('metadata   none (a plain tfjs model directory, not written by Provenant)');
      return 0;
    }
    ctx.out(`arch       ${meta.spec.arch} (seed ${meta.spec.seed}${meta.spec.width ? `, width ${meta.spec.width}` : ''})`);
    const ds = training?.dataset as { name?: string; sha256?: string } | undefined;
    if (ds) ctx.out(`dataset    ${ds.name} (sha256 ${ds.sha256})`);
    const split = training?.split as { sha256?: string; sizes?: Record<string, number> } | undefined;
    if (split) ctx.out(`split      ${split.sha256} ${JSON.stringify(split.sizes)}`);
    if (metrics?.testAccuracy !== undefined) ctx.out(`test acc   ${(metrics.testAccuracy * 100).toFixed(2)}% on ${metrics.testSize} samples`);
    if (meta.engine) ctx.out(`engine     ${meta.engine.backend} (${Object.entries(meta.engine.versions).map(([k, v]) => `${k}@${v}`).join(', ')}), node ${meta.engine.node}`);
    ctx.out(`created    ${meta.createdAt}`);
    return 0;
  } finally {
    model.dispose();
  }
}
