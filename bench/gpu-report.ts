/** Renders bench/gpu.ts's result object as bench/results/gpu.md. */

export interface StepResult {
  gflop: number;
  wasm: { ms: number; gflops: number };
  accel?: { ms: number; tflops: number; pctPeak: number | null };
  speedup?: number;
}
export interface GenResult { triggers: number; wasmS: number; accelS?: number; speedup?: number; targetS?: number; met?: boolean; plan: { kind: string; batch: number; count: number; what: string }[] }
export interface GpuReport {
  date: string;
  small: boolean;
  machine: { cpu: string; cores: number; node: string };
  config: { iters: number; warmup: number; wasmIters: number; resnet18: { widths: number[]; batch: number }; engineBatch: number };
  accelerated:
    | { backend: string; device: string; peak: { tflops: number; source: string } | null; engine: { versions: Record<string, string>; webgpu?: { limits: Record<string, number> } } }
    | { backend: null; reason: string };
  wasm: { engine: { versions: Record<string, string>; wasm?: { simd: boolean } } };
  models: Record<string, { batch: number; flopsPerImage: number; steps: Record<string, StepResult>; wasmRunAtBatch?: number }>;
  generation: Record<string, GenResult>;
  planCheck: Record<string, { measuredS: number; predictedS: number; ratio: number; params: object }>;
  targets: { resnet18TrainSpeedup: { target: number; value?: number; met: boolean } } | null;
}

export function renderGpuReport(r: GpuReport): string {
  const acc = r.accelerated.backend ? (r.accelerated as Extract<GpuReport['accelerated'], { device: string }>) : null;
  const name = acc ? `${acc.backend} on ${acc.device || 'unknown device'}` : null;
  const md: string[] = ['# GPU benchmark', ''];
  md.push(`${r.date} · host ${r.machine.cpu} (${r.machine.cores} cores) · Node ${r.machine.node}${r.small ? ' · **--small** (ResNet-18 at 1/8 width, small batches: a CPU-only check, not a measurement)' : ''}`);
  md.push('');
  md.push(acc
    ? `Accelerated: **${name}**; FP32 peak ${acc.peak ? `${acc.peak.tflops} TFLOP/s (${acc.peak.source})` : 'unknown (pass --peak-tflops)'}; tfjs-backend-webgpu ${acc.engine.versions['@tensorflow/tfjs-backend-webgpu'] ?? '-'}, Dawn (webgpu) ${acc.engine.versions.webgpu ?? '-'}.`
    : `Accelerated: none — ${(r.accelerated as { reason: string }).reason}. wasm alone was measured.`);
  md.push(`wasm: tfjs ${r.wasm.engine.versions['@tensorflow/tfjs']} with our kernels, SIMD ${r.wasm.engine.wasm?.simd ? 'on' : 'off'}, 1 thread (tfjs disables wasm threads in Node).`);
  md.push(acc
    ? `Median of ${r.config.iters} iterations after ${r.config.warmup} warm-up (accelerated), ${r.config.wasmIters} after 1 (wasm); every step ends on an asynchronous read.`
    : `Median of ${r.config.wasmIters} iterations after 1 warm-up; every step ends on an asynchronous read.`);
  md.push('');
  md.push('FLOPs are counted from the layer shapes: 2 × multiply-adds of every convolution and dense layer (batch norm, ReLU, adds, pooling not counted); input gradient = 2 × forward, train step = 3 × forward.');
  md.push('');
  md.push(`| model | batch | step | GFLOP | wasm ms | wasm GFLOP/s |${acc ? ' accel ms | accel TFLOP/s | % of FP32 peak | speed-up |' : ''}`);
  md.push(`|---|---:|---|---:|---:|---:|${acc ? '---:|---:|---:|---:|' : ''}`);
  for (const [id, m] of Object.entries(r.models)) {
    for (const [s, v] of Object.entries(m.steps)) {
      const accCols = acc && v.accel ? ` ${v.accel.ms} | ${v.accel.tflops} | ${v.accel.pctPeak ?? '-'} | ${v.speedup}× |` : '';
      md.push(`| ${id} | ${m.batch} | ${s} | ${v.gflop} | ${v.wasm.ms}${m.wasmRunAtBatch ? '*' : ''} | ${v.wasm.gflops} |${accCols}`);
    }
  }
  const scaled = Object.entries(r.models).filter(([, m]) => m.wasmRunAtBatch);
  if (scaled.length) md.push('', `(*) wasm ran ${scaled.map(([id, m]) => `${id} at batch ${m.wasmRunAtBatch}`).join(', ')} and the time is scaled to the batch: its 32-bit heap cannot hold ResNet-18's activations at batch 256 (the same holds for the plan's wasm steps above batch 64).`);
  md.push('', `## ${Object.values(r.generation)[0]?.triggers ?? 100} triggers on ResNet-18 (32×32×3), predicted from the generation plan`, '');
  md.push('The methods read tensors synchronously, which tfjs-webgpu cannot do in Node, so generation itself does not run on webgpu yet; its time is Σ (steps of the plan × measured step time). IPGuard counts all 300 iterations (it stops earlier once every point has reached its target).', '');
  md.push(`| method | wasm s |${acc ? ' accel s | speed-up | target | met |' : ''}`);
  md.push(`|---|---:|${acc ? '---:|---:|---:|:-:|' : ''}`);
  for (const [id, g] of Object.entries(r.generation)) {
    md.push(`| ${id} | ${g.wasmS} |${acc && g.accelS !== undefined ? ` ${g.accelS} | ${g.speedup}× | < ${g.targetS} s | ${g.met ? 'yes' : 'no'} |` : ''}`);
  }
  md.push('', 'Plans (step, batch, count):', '');
  for (const [id, g] of Object.entries(r.generation)) {
    md.push(`- ${id}: ${g.plan.map((e) => `${e.what}: ${e.kind}${e.kind === 'clone' ? '' : ` @${e.batch}`} × ${Number(e.count.toFixed(1))}`).join('; ')}`);
  }
  md.push('', '**Plan check** (real generate() on wasm, registry resnet 32×32×3, small parameters, vs the plan from measured steps):', '');
  for (const [id, c] of Object.entries(r.planCheck)) md.push(`- ${id}: measured ${c.measuredS} s, predicted ${c.predictedS} s, ratio ${c.ratio} (${JSON.stringify(c.params)})`);
  if (r.targets) {
    const t = r.targets.resnet18TrainSpeedup;
    md.push('', `**Target** ResNet-18 train step ≥ ${t.target}× faster than wasm: ${t.value ?? '-'}× — ${t.met ? 'met' : 'not met'}.`);
  }
  if (acc?.engine.webgpu) {
    const L = acc.engine.webgpu.limits;
    md.push('', `Adapter limits (selection): maxStorageBufferBindingSize ${L.maxStorageBufferBindingSize}, maxBufferSize ${L.maxBufferSize}, maxComputeWorkgroupStorageSize ${L.maxComputeWorkgroupStorageSize}, maxComputeInvocationsPerWorkgroup ${L.maxComputeInvocationsPerWorkgroup}; all in gpu.json.`);
  }
  md.push('', 'How to run and what is unverified: docs/decisions/webgpu-backend.md.', '');
  return md.join('\n');
}
