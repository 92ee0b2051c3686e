/**
 * Trigger set IO: a TriggerSet as a directory (see docs/decisions/trigger-set-format.md).
 *
 *   triggers.json      everything but the typed arrays; per array its file, dtype, length, sha256
 *   inputs.f32         n·h·w·c little-endian float32 (NHWC)
 *   labels.i32         n little-endian int32
 *   aux-<name>.f32|i32 one per auxiliary, length n·w (w values per trigger, row-major; usually w = 1)
 *   previews/trigger-000.png …  the first up to 16 triggers (grey or RGB; none for other channel counts)
 *   SHA256SUMS         `sha256sum` lines over every other file, sorted by name
 *
 * Atomic (temp sibling + rename, as model-io) and byte-stable: no timestamps, fixed key order,
 * fixed PNG options. The directory id is the SHA-256 of SHA256SUMS (`sha256sum SHA256SUMS`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { checkSaveTarget, type SaveOptions } from '../models/model-io.ts';
import { replaceDirectoryAtomically, syncDir, writeDurably } from '../io/atomic-dir.ts';
import type { ArtefactHash } from '../models/types.ts';
import type { TriggerSet } from './types.ts';
import { METHOD_IDS } from './types.ts';

export const TRIGGER_FORMAT = 'provenant-triggers/1';
export const TRIGGERS_JSON = 'triggers.json';
export const SUMS_FILE = 'SHA256SUMS';
export const MAX_PREVIEWS = 16;

export interface SavedTriggerSet {
  dir: string;
  /** Every file listed in SHA256SUMS (all but SHA256SUMS itself), sorted by name. */
  files: ArtefactHash[];
  /** SHA-256 of the SHA256SUMS file: one id for the whole directory. */
  sha256: string;
}

type Dtype = 'float32' | 'int32';
type ArrayEntry = { file: string; dtype: Dtype; length: number; sha256: string };

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const LE = endianness() === 'LE';
const AUX_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** 4-byte values as little-endian bytes (a byte copy on LE hosts, which keeps NaN payloads too). */
function toBytes(a: Float32Array | Int32Array): Uint8Array {
  const out = new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  if (!LE) for (let i = 0; i < out.length; i += 4) out.subarray(i, i + 4).reverse();
  return out;
}

function fromBytes(bytes: Uint8Array, dtype: Dtype): Float32Array | Int32Array {
  const copy = bytes.slice(); // own, aligned buffer
  if (!LE) for (let i = 0; i < copy.length; i += 4) copy.subarray(i, i + 4).reverse();
  return dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
}

/** JSON with object keys sorted recursively (arrays keep their order); rejects what JSON cannot hold. */
function canonical(v: unknown, path: string): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`trigger set: ${path} is not a finite number (${v})`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => canonical(x, `${path}[${i}]`));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x, `${path}.${k}`);
    }
    return out;
  }
  throw new Error(`trigger set: ${path} cannot be stored as JSON (${Object.prototype.toString.call(v)})`);
}

// ---------------------------------------------------------------------------------------------
// Validation shared by save and load

function checkSet(set: TriggerSet, where: string): number {
  const fail = (msg: string): never => { throw new Error(`${where}: ${msg}`); }; // prettier-ignore
  if (set.format !== TRIGGER_FORMAT) fail(`unknown trigger set format ${JSON.stringify(set.format)} (expected "${TRIGGER_FORMAT}")`);
  if (!(METHOD_IDS as readonly string[]).includes(set.method)) fail(`unknown method ${JSON.stringify(set.method)}`);
  if (!Number.isSafeInteger(set.seed)) fail(`seed must be an integer, got ${JSON.stringify(set.seed)}`);
  const shape = set.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    fail(`inputShape must be three positive integers, got ${JSON.stringify(shape)}`);
  }
  if (!Number.isInteger(set.numClasses) || set.numClasses < 1) fail(`numClasses must be a positive integer, got ${JSON.stringify(set.numClasses)}`);
  if (!(set.inputs instanceof Float32Array)) fail('inputs must be a Float32Array');
  if (!(set.labels instanceof Int32Array)) fail('labels must be an Int32Array');
  const n = set.labels.length;
  const per = shape[0] * shape[1] * shape[2];
  if (set.inputs.length !== n * per) fail(`inputs has ${set.inputs.length} values, but ${n} labels × ${JSON.stringify(shape)} need ${n * per}`);
  for (let i = 0; i < set.inputs.length; i++) if (!Number.isFinite(set.inputs[i])) fail(`inputs[${i}] is not finite`);
  for (let i = 0; i < n; i++) {
    if (set.labels[i] < 0 || set.labels[i] >= set.numClasses) fail(`labels[${i}] = ${set.labels[i]} is outside [0, ${set.numClasses})`);
  }
  for (const [name, a] of Object.entries(set.aux ?? {})) {
    if (!AUX_NAME.test(name)) fail(`aux name ${JSON.stringify(name)} must match ${AUX_NAME}`);
    if (!(a instanceof Float32Array) && !(a instanceof Int32Array)) fail(`aux "${name}" must be a Float32Array or Int32Array`);
    // w values per trigger (w ≥ 1), row-major: e.g. MFUE stores a probe direction per trigger.
    if (n === 0 ? a.length !== 0 : a.length === 0 || a.length % n !== 0) fail(`aux "${name}" has length ${a.length}, expected a positive multiple of ${n} (w values per trigger)`);
  }
  if (typeof set.source?.sha256 !== 'string' || typeof set.source?.arch !== 'string') fail('source must be {sha256, arch}');
  const pools = set.pools;
  if (!pools || ![pools.positives, pools.negatives].every((p) => Array.isArray(p) && p.every((h) => typeof h === 'string'))) {
    fail('pools must be {positives: string[], negatives: string[]}');
  }
  return n;
}

/** PNG of trigger i, scaled to bytes by round(v·255) and clamped; fixed pngjs options → deterministic bytes. */
export function previewPng(set: TriggerSet, i: number): Uint8Array {
  const [h, w, c] = set.inputShape;
  if (c !== 1 && c !== 3) throw new Error(`previews need 1 or 3 channels, got ${c}`);
  const per = h * w * c;
  const px = Buffer.alloc(per);
  for (let k = 0; k < per; k++) px[k] = Math.min(255, Math.max(0, Math.round(set.inputs[i * per + k] * 255)));
  const colorType: 0 | 2 = c === 1 ? 0 : 2;
  const opts = { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 as const };
  const png = new PNG({ width: w, height: h, ...opts });
  png.data = px;
  return new Uint8Array(PNG.sync.write(png, { ...opts, deflateLevel: 9, deflateStrategy: 3, deflateChunkSize: 32 * 1024, filterType: -1 }));
}

const previewName = (i: number): string => `previews/trigger-${String(i).padStart(3, '0')}.png`;

function encode(set: TriggerSet): Map<string, Uint8Array> {
  const n = checkSet(set, 'saveTriggerSet');
  const files = new Map<string, Uint8Array>();
  const entry = (file: string, a: Float32Array | Int32Array): ArrayEntry => {
    const bytes = toBytes(a);
    files.set(file, bytes);
    return { file, dtype: a instanceof Float32Array ? 'float32' : 'int32', length: a.length, sha256: sha256(bytes) };
  };
  const inputs = entry('inputs.f32', set.inputs);
  const labels = entry('labels.i32', set.labels);
  const aux: Record<string, ArrayEntry> = {};
  for (const name of Object.keys(set.aux ?? {}).sort()) {
    const a = set.aux[name];
    aux[name] = entry(`aux-${name}.${a instanceof Float32Array ? 'f32' : 'i32'}`, a);
  }
  const previews: { file: string; sha256: string }[] = [];
  const c = set.inputShape[2];
  if (c === 1 || c === 3) {
    for (let i = 0; i < Math.min(n, MAX_PREVIEWS); i++) {
      const bytes = previewPng(set, i);
      files.set(previewName(i), bytes);
      previews.push({ file: previewName(i), sha256: sha256(bytes) });
    }
  }
  // Fixed key order at the top level; free-form records (params, engine) are key-sorted.
  const json = {
    ...{ format: set.format, method: set.method, count: n, seed: set.seed },
    ...{ inputShape: [...set.inputShape], numClasses: set.numClasses },
    params: canonical(set.params ?? {}, 'params'),
    source: { sha256: set.source.sha256, arch: set.source.arch },
    pools: { positives: [...set.pools.positives], negatives: [...set.pools.negatives] },
    engine: canonical(set.engine ?? {}, 'engine'),
    arrays: { inputs, labels, aux },
    previews,
  };
  files.set(TRIGGERS_JSON, new TextEncoder().encode(JSON.stringify(json, null, 2) + '\n'));
  return files;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sums(files: Map<string, Uint8Array>): { list: ArtefactHash[]; text: string } {
  const list = [...files.entries()]
    .filter(([f]) => f !== SUMS_FILE)
    .map(([file, bytes]) => ({ file, bytes: bytes.byteLength, sha256: sha256(bytes) }))
    .sort((a, b) => byName(a.file, b.file));
  return { list, text: list.map((f) => `${f.sha256}  ${f.file}\n`).join('') };
}


/** Writes `set` as a trigger set directory at `dir`, atomically. Refuses a non-empty `dir` unless overwrite. */
export async function saveTriggerSet(set: TriggerSet, dir: string, opts: SaveOptions = {}): Promise<SavedTriggerSet> {
  const files = encode(set);
  const { list, text } = sums(files);
  files.set(SUMS_FILE, new TextEncoder().encode(text));
  const target = await checkSaveTarget(dir, opts);
  await replaceDirectoryAtomically(target, async (tmp) => {
    await mkdir(join(tmp, 'previews'), { recursive: true });
    for (const file of [...files.keys()].sort(byName)) await writeDurably(join(tmp, file), files.get(file)!);
    await syncDir(join(tmp, 'previews'));
  });
  return { dir: target, files: list, sha256: sha256(files.get(SUMS_FILE)!) };
}

const ARRAY_FILE = /^(inputs\.f32|labels\.i32|aux-[A-Za-z0-9_-]{1,64}\.(f32|i32))$/;
const PREVIEW_FILE = /^previews\/trigger-\d{3}\.png$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Reads and verifies a trigger set directory: format, every file's size and SHA-256, SHA256SUMS, shapes. */
export async function readTriggerSet(dir: string): Promise<{ set: TriggerSet; saved: SavedTriggerSet }> {
  const root = resolve(dir);
  const jsonPath = join(root, TRIGGERS_JSON);
  const files = new Map<string, Uint8Array>();
  const read = async (file: string): Promise<Uint8Array> => {
    const bytes = await readFile(join(root, file)).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${join(root, file)}: ${err.code === 'ENOENT' ? 'not found' : err.message} (trigger set ${root})`);
    });
    files.set(file, bytes);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
  const bad = (msg: string): never => { throw new Error(`${jsonPath}: ${msg}`); }; // prettier-ignore
  const jsonBytes = await read(TRIGGERS_JSON);
  let j: any; // untrusted JSON, checked field by field below
  try {
    j = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes));
  } catch (err) {
    throw new Error(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) bad('expected a JSON object');
  if (j.format !== TRIGGER_FORMAT) bad(`unknown trigger set format ${JSON.stringify(j.format)} (expected "${TRIGGER_FORMAT}")`);
  const checkHash = (file: string, bytes: Uint8Array, want: string): void => {
    const got = sha256(bytes);
    if (got !== want) throw new Error(`${join(root, file)}: sha256 ${got} does not match ${want} in ${TRIGGERS_JSON} (corrupted or modified)`);
  };
  const array = async (e: ArrayEntry | undefined, what: string): Promise<Float32Array | Int32Array> => {
    if (!e || typeof e.file !== 'string' || !ARRAY_FILE.test(e.file)) bad(`${what}: missing or unsafe file entry ${JSON.stringify(e?.file)}`);
    const dtype = e!.file.endsWith('.f32') ? 'float32' : 'int32';
    if (e!.dtype !== dtype) bad(`${what}: dtype ${JSON.stringify(e!.dtype)} does not match file ${e!.file}`);
    if (!Number.isSafeInteger(e!.length) || e!.length < 0) bad(`${what}: invalid length ${JSON.stringify(e!.length)}`);
    if (typeof e!.sha256 !== 'string' || !HEX64.test(e!.sha256)) bad(`${what}: invalid sha256`);
    const bytes = await read(e!.file);
    if (bytes.byteLength !== 4 * e!.length) {
      throw new Error(`${join(root, e!.file)}: ${bytes.byteLength} bytes, but ${TRIGGERS_JSON} lists ${e!.length} ${dtype} values (${4 * e!.length} bytes): truncated or wrong file`);
    }
    checkHash(e!.file, bytes, e!.sha256);
    return fromBytes(bytes, dtype);
  };
  const arrays = j.arrays ?? bad('missing "arrays"');
  const inputs = await array(arrays.inputs, 'arrays.inputs');
  const labels = await array(arrays.labels, 'arrays.labels');
  if (arrays.inputs.file !== 'inputs.f32' || arrays.labels.file !== 'labels.i32') bad('arrays.inputs/labels must be inputs.f32/labels.i32');
  const aux: Record<string, Float32Array | Int32Array> = {};
  for (const [name, e] of Object.entries((arrays.aux ?? {}) as Record<string, ArrayEntry>)) {
    if (e?.file !== `aux-${name}.${e?.dtype === 'float32' ? 'f32' : 'i32'}`) bad(`arrays.aux.${name}: file ${JSON.stringify(e?.file)} does not match its name`);
    aux[name] = await array(e, `arrays.aux.${name}`);
  }
  if (!Array.isArray(j.previews)) bad('missing "previews"');
  for (const p of j.previews as { file: string; sha256: string }[]) {
    if (typeof p?.file !== 'string' || !PREVIEW_FILE.test(p.file)) bad(`previews: unsafe file entry ${JSON.stringify(p?.file)}`);
    checkHash(p.file, await read(p.file), p.sha256);
  }
  const set: TriggerSet = {
    format: TRIGGER_FORMAT,
    method: j.method,
    params: j.params,
    seed: j.seed,
    inputShape: j.inputShape,
    numClasses: j.numClasses,
    inputs: inputs as Float32Array,
    labels: labels as Int32Array,
    aux,
    source: j.source,
    pools: j.pools,
    engine: j.engine,
  };
  const n = checkSet(set, jsonPath);
  if (j.count !== n) bad(`count ${JSON.stringify(j.count)} does not match ${n} labels`);
  if (j.params === null || typeof j.params !== 'object' || Array.isArray(j.params)) bad('params must be an object');
  const sumsBytes = await read(SUMS_FILE);
  const { list, text } = sums(files);
  const stored = new TextDecoder().decode(sumsBytes);
  if (stored !== text) {
    const want = new Set(text.split('\n'));
    const line = stored.split('\n').find((l) => l !== '' && !want.has(l));
    const which = line ? line.slice(66) : 'a file listed in ' + TRIGGERS_JSON;
    throw new Error(`${join(root, SUMS_FILE)}: does not match the files (first difference: ${which}); corrupted or modified`);
  }
  return { set, saved: { dir: root, files: list, sha256: sha256(sumsBytes) } };
}

/** Loads a trigger set directory with every check of readTriggerSet; errors name the offending file. */
export async function loadTriggerSet(dir: string): Promise<TriggerSet> {
  return (await readTriggerSet(dir)).set;
}
