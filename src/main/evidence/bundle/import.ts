/**
 * Reading a bundle: verifyBundle checks everything in memory (bounds, paths, hashes, signature,
 * manifest schema, manifest ↔ trigger files) and writes nothing; importBundle then writes the
 * manifest and the trigger set into a temporary sibling of the output directory, re-reads the trigger
 * set there with readTriggerSet (the checks runVerify will make), and only then renames it into
 * place. A refused bundle leaves nothing behind.
 *
 * Trust is reported, not assumed: the signer is whoever holds the enclosed key; `trust` lists the
 * fingerprints the caller recognises, and `requireTrusted` turns an unknown signer into a refusal.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { readTriggerSet, SUMS_FILE, TRIGGERS_JSON } from '../../engine/methods/trigger-set-io.ts';
import { replaceDirectoryAtomically, writeDurably } from '../../engine/io/atomic-dir.ts';
import { BUNDLE_LIMITS, decodeBundle, firstIssue, MANIFEST_PATH, parseJson, TRIGGERS_PREFIX, type DecodedBundle } from './container.ts';
import { BundleError } from './errors.ts';
import { manifestSchema, type BundleManifest } from './manifest.ts';

export interface SignerInfo {
  /** SHA-256 of the raw Ed25519 public key (keys.ts). */
  fingerprint: string;
  /** SPKI PEM, as enclosed in the bundle. */
  publicKey: string;
  /** Whether the fingerprint is in the caller's trust list. */
  trusted: boolean;
  /** In words, for reports and the CLI. */
  note: string;
}

export interface VerifiedBundle {
  file: string;
  /** SHA-256 of the whole bundle file. */
  sha256: string;
  manifest: BundleManifest;
  signer: SignerInfo;
  /** Entry bytes by path (views into the file's bytes). */
  entries: DecodedBundle['entries'];
}

export interface VerifyBundleOptions {
  /** Fingerprints (hex) of signers the caller trusts. */
  trust?: readonly string[];
  /** Refuse a bundle whose signer is not in `trust` (default: report it). */
  requireTrusted?: boolean;
}

export interface ImportBundleOptions extends VerifyBundleOptions {
  /** Directory to create (or an empty one): receives manifest.json and triggers/. */
  out: string;
}

export interface ImportedBundle {
  manifest: BundleManifest;
  /** The import directory (manifest.json + triggers/). */
  dir: string;
  /** The trigger set directory, ready for readTriggerSet / runVerify. */
  triggersDir: string;
  signer: SignerInfo;
  sha256: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function signerInfo(fingerprint: string, publicKey: string, trust: readonly string[] | undefined): SignerInfo {
  const list = (trust ?? []).map((t) => {
    if (!/^[0-9a-fA-F]{64}$/.test(t)) throw new Error(`trust: ${JSON.stringify(t)} is not a 64-hex-digit key fingerprint`);
    return t.toLowerCase();
  });
  const trusted = list.includes(fingerprint);
  const note = trusted
    ? `signed by trusted key ${fingerprint}`
    : list.length
      ? `signed by key ${fingerprint}, which is NOT among the ${list.length} trusted key(s): the signature is valid, but the signer is unknown`
      : `signed by key ${fingerprint}; no trusted keys were given, so the signer is unknown`;
  return { fingerprint, publicKey, trusted, note };
}

/** Manifest ↔ entries: exactly the listed trigger files, with the listed sizes and hashes, and the directory id. */
function checkTriggerEntries(m: BundleManifest, d: DecodedBundle, bundle: string): void {
  const want = new Map<string, { bytes: number; sha256: string; field: string }>();
  m.triggers.files.forEach((f, i) => want.set(`${TRIGGERS_PREFIX}${f.file}`, { bytes: f.bytes, sha256: f.sha256, field: `manifest.triggers.files[${i}]` }));
  const sumsPath = `${TRIGGERS_PREFIX}${SUMS_FILE}`;
  for (const [i, e] of d.index.entries()) {
    if (e.path === MANIFEST_PATH || e.path === sumsPath) continue;
    if (!want.has(e.path)) throw new BundleError(bundle, `index.entries[${i}].path`, `${e.path} is not listed in manifest.triggers.files`);
  }
  for (const [path, f] of want) {
    const e = d.index.find((x) => x.path === path);
    if (!e) throw new BundleError(bundle, f.field, `${path} is listed in the manifest but missing from the bundle`);
    if (e.size !== f.bytes || e.sha256 !== f.sha256) throw new BundleError(bundle, f.field, `${path}: the manifest says ${f.bytes} bytes, SHA-256 ${f.sha256}; the bundle holds ${e.size} bytes, ${e.sha256}`);
  }
  const sums = d.entries.get(sumsPath);
  if (!sums) throw new BundleError(bundle, 'index', `${sumsPath} is missing`);
  if (sha256(sums) !== m.triggers.sha256) throw new BundleError(bundle, 'manifest.triggers.sha256', `${m.triggers.sha256} is not the SHA-256 of ${sumsPath} (${sha256(sums)})`);
  const lines = [...m.triggers.files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)).map((f) => `${f.sha256}  ${f.file}\n`).join('');
  if (Buffer.from(lines, 'utf8').compare(Buffer.from(sums)) !== 0) throw new BundleError(bundle, sumsPath, 'does not list exactly manifest.triggers.files');
}

/** Manifest ↔ trigger set content: the method, seed, shapes and expected outputs the manifest states are the trigger set's. */
function checkTriggerContent(m: BundleManifest, d: DecodedBundle, bundle: string): void {
  const jsonPath = `${TRIGGERS_PREFIX}${TRIGGERS_JSON}`;
  const raw = d.entries.get(jsonPath);
  if (!raw) throw new BundleError(bundle, 'index', `${jsonPath} is missing`);
  const j = parseJson(raw, bundle, jsonPath) as Record<string, unknown> | null;
  if (j === null || typeof j !== 'object') throw new BundleError(bundle, jsonPath, 'not a JSON object');
  const same = (field: string, mine: unknown, theirs: unknown) => {
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) throw new BundleError(bundle, `manifest.${field}`, `${JSON.stringify(mine)} differs from ${jsonPath} (${JSON.stringify(theirs)})`);
  };
  same('method', m.method, j.method);
  same('seed', m.seed, j.seed);
  same('params', m.params, j.params);
  same('triggers.count', m.triggers.count, j.count);
  same('triggers.inputShape', m.triggers.inputShape, j.inputShape);
  same('triggers.numClasses', m.triggers.numClasses, j.numClasses);
  const labels = d.entries.get(`${TRIGGERS_PREFIX}labels.i32`);
  if (!labels || labels.byteLength !== 4 * m.triggers.count) throw new BundleError(bundle, `${TRIGGERS_PREFIX}labels.i32`, `expected ${4 * m.triggers.count} bytes (${m.triggers.count} int32 labels), got ${labels?.byteLength ?? 'none'}`);
  const view = new DataView(labels.buffer, labels.byteOffset, labels.byteLength);
  for (let i = 0; i < m.triggers.count; i++) {
    if (view.getInt32(4 * i, true) !== m.expectedOutputs[i]) throw new BundleError(bundle, `manifest.expectedOutputs[${i}]`, `${m.expectedOutputs[i]}, but labels.i32 holds ${view.getInt32(4 * i, true)}`);
  }
}

/** Checks a bundle completely, in memory; writes nothing. Throws BundleError naming the bundle and the field. */
export async function verifyBundle(file: string, opts: VerifyBundleOptions = {}): Promise<VerifiedBundle> {
  const path = resolve(file);
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new BundleError(path, 'file', err.code === 'ENOENT' ? 'no such file' : err.message);
  });
  if (!st.isFile()) throw new BundleError(path, 'file', 'not a regular file');
  // Checked before reading: a huge file is refused without being loaded.
  if (st.size > BUNDLE_LIMITS.maxBundleBytes) throw new BundleError(path, 'size', `${st.size} bytes, more than the limit of ${BUNDLE_LIMITS.maxBundleBytes}`);
  const bytes = new Uint8Array(await readFile(path));
  const decoded = decodeBundle(bytes, path);
  const parsed = manifestSchema.safeParse(parseJson(decoded.entries.get(MANIFEST_PATH)!, path, 'manifest'));
  if (!parsed.success) throw new BundleError(path, ...firstIssue(parsed.error, 'manifest'));
  const manifest = parsed.data;
  checkTriggerEntries(manifest, decoded, path);
  checkTriggerContent(manifest, decoded, path);
  const signer = signerInfo(decoded.signature.fingerprint, decoded.signature.publicKey, opts.trust);
  if (opts.requireTrusted && !signer.trusted) throw new BundleError(path, 'signature.fingerprint', signer.note);
  return { file: path, sha256: sha256(bytes), manifest, signer, entries: decoded.entries };
}

/** Verifies `file` completely, then writes it out as `out`/manifest.json + `out`/triggers/ in one rename. */
export async function importBundle(file: string, opts: ImportBundleOptions): Promise<ImportedBundle> {
  const target = resolve(opts.out);
  const existing = await stat(target).catch(() => null);
  if (existing && !existing.isDirectory()) throw new BundleError(resolve(file), 'out', `${target} exists and is not a directory`);
  if (existing && (await readdir(target)).length > 0) throw new BundleError(resolve(file), 'out', `${target} exists and is not empty`);
  const v = await verifyBundle(file, opts);
  await replaceDirectoryAtomically(target, async (tmp) => {
    for (const [path, bytes] of v.entries) {
      const dest = resolve(tmp, path);
      if (!dest.startsWith(tmp + sep)) throw new BundleError(v.file, path, 'escapes the import directory'); // unreachable: paths are whitelisted
      await mkdir(dirname(dest), { recursive: true });
      await writeDurably(dest, bytes);
    }
    let saved;
    try {
      saved = (await readTriggerSet(join(tmp, 'triggers'))).saved;
    } catch (err) {
      throw new BundleError(v.file, 'triggers', (err as Error).message.split(tmp).join(join(target)));
    }
    if (saved.sha256 !== v.manifest.triggers.sha256) throw new BundleError(v.file, 'manifest.triggers.sha256', `the imported trigger set is ${saved.sha256}`);
  });
  return { manifest: v.manifest, dir: target, triggersDir: join(target, 'triggers'), signer: v.signer, sha256: v.sha256 };
}
