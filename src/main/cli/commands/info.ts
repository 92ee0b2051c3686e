/** `provenant info MODEL`: what a model directory holds, its hashes and its provenance. */
import { loadModel } from '../../engine/models/model-io.ts';
import { describeOnnx } from '../../engine/models/onnx/describe.ts';
import { parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const INFO_USAGE = 'provenant info MODEL_DIR|model.json|MODEL.onnx [--json]';

export async function infoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parse(argv, {}, 1);
  if (!positionals[0]) throw new UsageError(`missing MODEL; usage: ${INFO_USAGE}`);
  if (/\.onnx$/i.test(positionals[0])) return onnxInfo(positionals[0], ctx);
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
    const o = meta.spec.onnx;
    if (o) ctx.out(`arch       onnx: ${o.file} (graph.onnx, sha256 ${o.sha256}); input ${o.input.layout}, scale ${o.input.scale}${o.input.mean ? `, mean ${o.input.mean}` : ''}${o.input.std ? `, std ${o.input.std}` : ''}${o.input.channelOrder === 'bgr' ? ', BGR' : ''}`);
    else ctx.out(`arch       ${meta.spec.arch} (seed ${meta.spec.seed}${meta.spec.width ? `, width ${meta.spec.width}` : ''})`);
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

/** An ONNX file: what it takes and gives, its operators (and which the importer cannot run), its hash. */
async function onnxInfo(file: string, ctx: CliContext): Promise<number> {
  const d = await describeOnnx(file);
  if (ctx.json) {
    ctx.out(JSON.stringify(d, null, 2));
    return 0;
  }
  const dims = (t: { dims: (number | string)[] | null }) => (t.dims ? `[${t.dims.join(', ')}]` : '[?]');
  ctx.out(`onnx       ${d.file} (${d.bytes} B)`);
  ctx.out(`sha256     ${d.sha256}`);
  ctx.out(`producer   ${d.producer.name} ${d.producer.version}; IR ${d.irVersion}, opset ${d.opset}`);
  for (const i of d.inputs) ctx.out(`input      ${i.name} ${i.dtype} ${dims(i)}`);
  for (const o of d.outputs) ctx.out(`output     ${o.name} ${o.dtype} ${dims(o)}`);
  ctx.out(`classes    ${d.classes ?? 'unknown (symbolic output dimension)'}`);
  ctx.out(`operators  ${Object.entries(d.operators).map(([op, n]) => `${op}×${n}`).join(', ')}`);
  ctx.out(`weights    ${d.initializers.count} initializers, ${d.initializers.elements} values`);
  ctx.out(d.unsupported.length ? `importer   cannot run: ${d.unsupported.join(', ')} (verify it as a suspect with onnxruntime instead)` : 'importer   every operator supported: usable as a source (`provenant import`)');
  return 0;
}
