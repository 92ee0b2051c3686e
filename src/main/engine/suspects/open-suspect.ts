/**
 * What an investigator names as the suspect — a model directory, an ONNX file, or a prediction API —
 * and how it becomes an Oracle. The identity string is what evidence records (and what a query log
 * is bound to): a file's SHA-256, or the protocol and the URL with its secrets redacted.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { modelClassifier } from '../lab/classifier.ts';
import { hashModelDir, loadModel } from '../models/model-io.ts';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { classifierOracle } from './classifier-oracle.ts';
import { httpOracle, type HttpOracleOptions } from './http/http-oracle.ts';
import { redactUrl } from './http/redact.ts';
import { openOnnxOracle } from './onnx-oracle.ts';
import type { PreprocessingInput } from './preprocess.ts';
import type { Oracle } from './types.ts';

export type SuspectSpec =
  | { kind: 'model-dir'; dir: string }
  | { kind: 'onnx'; file: string; preprocessing?: PreprocessingInput; outputs?: 'logits' | 'probabilities' }
  | ({ kind: 'http' } & Omit<HttpOracleOptions, 'inputShape' | 'numClasses' | 'labelOnly'>);

export interface OpenedSuspect {
  oracle: Oracle;
  /** For evidence and query logs; never a secret. */
  identity: string;
  exhibit: { kind: SuspectSpec['kind']; location: string; sha256?: string };
}

/** The spec a command-line `--suspect` names: a URL, an .onnx file, or a model directory. */
export function suspectKind(arg: string): SuspectSpec['kind'] {
  if (/^https?:\/\//i.test(arg)) return 'http';
  if (/\.onnx$/i.test(arg)) return 'onnx';
  let st;
  try {
    st = statSync(arg);
  } catch {
    throw new Error(`suspect "${arg}": no such file or directory (expected a model directory, an .onnx file or an http(s):// URL)`);
  }
  if (st.isDirectory()) return 'model-dir';
  throw new Error(`suspect "${arg}": a file that is not .onnx; expected a model directory, an .onnx file or an http(s):// URL`);
}

/**
 * The identity openSuspect will give, without opening the suspect (no model is loaded, no request
 * sent): what a case or a query log binds a run to before it starts.
 */
export async function suspectIdentity(spec: SuspectSpec): Promise<string> {
  if (spec.kind === 'model-dir') return `model-dir sha256:${(await hashModelDir(spec.dir)).sha256}`;
  if (spec.kind === 'onnx') return `onnx sha256:${createHash('sha256').update(await readFile(spec.file)).digest('hex')}`;
  return httpIdentity(spec);
}

function httpIdentity(spec: Extract<SuspectSpec, { kind: 'http' }>): string {
  return `http ${spec.protocol} ${redactUrl(spec.url)}${spec.model ? ` model ${spec.model}` : ''}`;
}

/** Opens the suspect for a trigger set of `inputShape` and `numClasses`; checks that they agree. */
export async function openSuspect(spec: SuspectSpec, want: { inputShape: [number, number, number]; numClasses: number; labelOnly: boolean }): Promise<OpenedSuspect> {
  const agree = (where: string, o: Oracle) => {
    if (o.inputShape.join('×') !== want.inputShape.join('×') || o.numClasses !== want.numClasses) {
      void o.close?.();
      throw new Error(`${where}: the suspect takes ${o.inputShape.join('×')} inputs with ${o.numClasses} classes; the trigger set is for ${want.inputShape.join('×')} with ${want.numClasses}`);
    }
    return o;
  };
  if (spec.kind === 'model-dir') {
    const m = await loadModel(spec.dir);
    const oracle = classifierOracle(modelClassifier(m.model), { labelOnly: want.labelOnly, name: `model ${basename(spec.dir)}`, dispose: () => m.model.dispose() });
    return { oracle: agree(spec.dir, oracle), identity: `model-dir sha256:${m.saved.sha256}`, exhibit: { kind: 'model-dir', location: m.saved.dir, sha256: m.saved.sha256 } };
  }
  if (spec.kind === 'onnx') {
    const o = await openOnnxOracle(spec.file, { preprocessing: spec.preprocessing, outputs: spec.outputs, labelOnly: want.labelOnly });
    return { oracle: agree(spec.file, o), identity: `onnx sha256:${o.sha256}`, exhibit: { kind: 'onnx', location: spec.file, sha256: o.sha256 } };
  }
  const { kind: _kind, ...opts } = spec;
  const oracle = httpOracle({ ...opts, inputShape: want.inputShape, numClasses: want.numClasses, labelOnly: want.labelOnly });
  return { oracle, identity: httpIdentity(spec), exhibit: { kind: 'http', location: redactUrl(spec.url) } };
}
