/**
 * Verification cost by suspect kind: the same model verified as a tfjs directory (the reference),
 * as its ONNX twin (onnxruntime-node) and behind a local prediction API (KServe v2, TF-Serving,
 * generic JSON; label-only and probabilities), with IPGuard (100 triggers) and MFUE (100 triggers;
 * label-only = 100 × 100 Monte Carlo probes). For each: the time until the suspect is scored (the
 * null's cost is the same for every kind and reported once), queries sent, and whether score and
 * verdict are identical to the reference — the point of the exercise.
 *
 * The API server runs in this process (tests/helpers/suspect-server.ts, over loopback), so the HTTP
 * numbers are the client's overhead (JSON encoding, request splitting, hashing, recording), not a
 * network's. Models: the committed ONNX-twin fixtures (tests/fixtures/onnx); null: a calibration
 * preset built on the fly.
 *
 * usage: node bin/run-ts.mjs bench/verify-remote.ts [--rounds 3] [--out bench/results]
 */
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/tensor/backend.ts';
import { buildSuite } from '../src/main/engine/lab/suite-builder.ts';
import { runGenerate } from '../src/main/engine/methods/generate-job.ts';
import { loadModel } from '../src/main/engine/models/model-io.ts';
import { modelClassifier } from '../src/main/engine/lab/classifier.ts';
import type { SuspectSpec } from '../src/main/engine/suspects/open-suspect.ts';
import { runVerify, type VerifyComplete } from '../src/main/engine/verify/verify-job.ts';
import { startSuspectServer } from '../tests/helpers/suspect-server.ts';
import { median } from './timing.ts';

const { values: a } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results' } } });
const ROUNDS = Number(a.rounds);
const work = mkdtempSync(join(tmpdir(), 'provenant-bench-verify-'));
const source = join(work, 'source');
const nullDir = join(work, 'null');
const engine = await initBackend('wasm');
cpSync(resolve('tests/fixtures/onnx/source/tfjs'), source, { recursive: true });
const t0 = performance.now();
await buildSuite({ sourceDir: source, outDir: nullDir, suiteSeed: 1, purpose: 'suite', preset: 'calibration', workers: 2 });
console.error(`calibration null built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const triggers: Record<string, string> = {};
for (const method of ['ipguard', 'mfue']) {
  triggers[method] = join(work, method);
  const g = performance.now();
  await runGenerate({ method, sourceDir: source, outDir: triggers[method], seed: 1 });
  console.error(`${method}: 100 triggers in ${((performance.now() - g) / 1000).toFixed(1)} s`);
}
const loaded = await loadModel(source);
const clf = modelClassifier(loaded.model);
const answer = async (x: Float32Array, n: number) =>
  tf.tidy(() => {
    const p = clf.predictProbs(tf.tensor4d(x, [n, 28, 28, 1]));
    return { probs: p.dataSync() as Float32Array, labels: p.argMax(-1).dataSync() as Int32Array };
  });

type Kind = 'model-dir' | 'onnx' | 'kserve' | 'tfserving' | 'json';
const KINDS: Kind[] = ['model-dir', 'onnx', 'kserve', 'tfserving', 'json'];
interface Row { method: string; labelsOnly: boolean; kind: Kind; suspectMs: number[]; totalMs: number[]; sent: number; score: number; decision: string; sameAsReference?: boolean }
const rows: Row[] = [];

for (const method of ['ipguard', 'mfue']) {
  for (const labelsOnly of [true, false]) {
    let reference: VerifyComplete | undefined;
    for (const kind of KINDS) {
      const row: Row = { method, labelsOnly, kind, suspectMs: [], totalMs: [], sent: 0, score: NaN, decision: '' };
      for (let r = 0; r < ROUNDS; r++) {
        const server = ['kserve', 'tfserving', 'json'].includes(kind) ? await startSuspectServer({ answer, inputShape: [28, 28, 1], numClasses: 10, protocol: kind as 'kserve', labelOnly: labelsOnly, modelName: 'm' }) : undefined;
        const spec: SuspectSpec =
          kind === 'model-dir' ? { kind, dir: source }
          : kind === 'onnx' ? { kind, file: resolve('tests/fixtures/onnx/source/model.onnx') }
          : ({ kind: 'http', protocol: kind, url: kind === 'json' ? server!.endpoint : server!.url, ...(kind === 'json' ? { json: { requestTemplate: '{"data": "{{inputs}}"}', responsePath: labelsOnly ? 'results.*.label' : 'results.*.scores', reply: labelsOnly ? 'labels' : 'scores' } } : { model: 'm' }) } as SuspectSpec);
        // Round 1 runs to the verdict (to compare with the reference); later rounds stop when the
        // null starts, which is the same work for every kind.
        const stop = new AbortController();
        const start = performance.now();
        let suspectDone = 0;
        const res = await runVerify({
          triggersDir: triggers[method], suspect: spec, nullSuiteDir: nullDir, labelsOnly, signal: stop.signal,
          onProgress: (p) => {
            if (p.phase !== 'null' || suspectDone) return;
            suspectDone = performance.now();
            if (r > 0) stop.abort();
          },
        }).catch((e) => (stop.signal.aborted ? undefined : Promise.reject(e)));
        row.suspectMs.push(suspectDone - start);
        await server?.close();
        if (!res) continue;
        row.totalMs.push(performance.now() - start);
        const c = res as VerifyComplete;
        [row.sent, row.score, row.decision] = [c.queries.sent, c.score, c.verdict.decision];
        if (kind === 'model-dir') reference = c;
        else row.sameAsReference = c.score === reference!.score && c.verdict.decision === reference!.verdict.decision && c.verdict.pParametric === reference!.verdict.pParametric;
      }
      rows.push(row);
      console.error(`${method} ${labelsOnly ? 'labels' : 'probs'} ${kind}: suspect ${median(row.suspectMs).toFixed(0)} ms, ${row.sent} queries, score ${row.score.toFixed(4)} ${row.decision}${row.sameAsReference === false ? ' DIFFERS FROM REFERENCE' : ''}`);
    }
  }
}
loaded.model.dispose();
rmSync(work, { recursive: true, force: true });

const refOf = (r: Row) => rows.find((x) => x.method === r.method && x.labelsOnly === r.labelsOnly && x.kind === 'model-dir')!;
const result = {
  date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model }, engine, rounds: ROUNDS,
  note: 'suspectMs = time from the start of runVerify until the suspect is scored (opening it, every query, recording); the null (24 local models) follows and costs the same for every kind; totalMs (first round only) includes it. HTTP server in-process over loopback.',
  rows: rows.map((r) => ({ ...r, suspectMedianMs: median(r.suspectMs), totalMs: r.totalMs[0], ratioToModelDir: median(r.suspectMs) / median(refOf(r).suspectMs), queriesPerSecond: r.sent / (median(r.suspectMs) / 1000) })),
};
mkdirSync(a.out!, { recursive: true });
writeFileSync(join(a.out!, 'verify-remote.json'), JSON.stringify(result, null, 2) + '\n');
const md = [
  '# Verification cost by suspect kind',
  '',
  `${result.date}, ${result.machine.cpus} × ${result.machine.model}, backend ${engine.backend}; median of ${ROUNDS} rounds. ${result.note}`,
  '',
  '| method | mode | suspect | queries | suspect ms (median) | × model dir | queries/s | score | verdict | same as model dir |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...result.rows.map((r) => `| ${r.method} | ${r.labelsOnly ? 'labels' : 'probabilities'} | ${r.kind} | ${r.sent} | ${r.suspectMedianMs.toFixed(0)} | ${r.ratioToModelDir.toFixed(2)} | ${r.queriesPerSecond.toFixed(0)} | ${r.score.toFixed(4)} | ${r.decision} | ${r.sameAsReference === undefined ? '(reference)' : r.sameAsReference ? 'yes' : '**NO**'} |`),
  '',
];
writeFileSync(join(a.out!, 'verify-remote.md'), md.join('\n'));
console.error(`wrote ${join(a.out!, 'verify-remote.md')}`);
