/**
 * The bundle container: one file, parsed with strict bounds before anything is trusted
 * (docs/decisions/bundles.md has the byte layout and the openssl recipe).
 *
 *   "provenant-bundle/1\n"                 magic line (19 bytes)
 *   "<10 digits>\n"                        L: byte length of the index
 *   <L bytes>                              index: {"format","entries":[{path,size,sha256}]} (compact JSON)
 *   <entry bytes, in index order>          entry 0 is manifest.json
 *   "<10 digits>\n"                        S: byte length of the signature block
 *   <S bytes> "\n"                         {"alg","signedBytes","publicKey","fingerprint","signature"}; end of file
 *
 * Signed (Ed25519, no pre-hash): the file's first `signedBytes` = 30 + L + size(manifest.json) bytes,
 * i.e. magic, index and manifest. The index holds every entry's SHA-256, so the signature covers all
 * entries through their hashes without hashing large data twice.
 *
 * Unsigned parts (the two length lines are signed or implied; the signature block is not) are
 * accepted only in their canonical byte form, so no byte of an accepted bundle can differ from what
 * the signer wrote without the bundle being refused.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { BundleError } from './errors.ts';
import { publicKeyFingerprint, publicKeyPem } from './keys.ts';

export const BUNDLE_FORMAT = 'provenant-bundle/1';
const MAGIC = Buffer.from(`${BUNDLE_FORMAT}\n`, 'latin1');
const LENGTH_LINE = 11; // 10 decimal digits and "\n"
const HEADER = MAGIC.length + LENGTH_LINE;

/** Hard caps, checked before any allocation or parse that they bound. */
export const BUNDLE_LIMITS = {
  /** Whole file. A trigger set of 1,000 CIFAR-sized triggers with a per-trigger aux image is ~25 MB. */
  maxBundleBytes: 256 * 1024 * 1024,
  maxEntries: 256,
  maxIndexBytes: 64 * 1024,
  maxManifestBytes: 8 * 1024 * 1024,
  maxSignatureBytes: 4 * 1024,
  maxPathLength: 200,
} as const;

export const MANIFEST_PATH = 'manifest.json';
export const TRIGGERS_PREFIX = 'triggers/';
/** The only names a bundle may hold besides the manifest: the files of a trigger set directory. */
const TRIGGER_PATH = /^triggers\/(triggers\.json|SHA256SUMS|inputs\.f32|labels\.i32|aux-[A-Za-z0-9_-]{1,64}\.(f32|i32)|previews\/trigger-\d{3}\.png)$/;
const HEX64 = /^[0-9a-f]{64}$/;

export interface BundleEntry {
  path: string;
  bytes: Uint8Array;
}
export interface IndexEntry {
  path: string;
  size: number;
  sha256: string;
}
export interface SignatureBlock {
  alg: 'ed25519';
  signedBytes: number;
  /** The signer's SPKI PEM public key. */
  publicKey: string;
  /** publicKeyFingerprint of publicKey. */
  fingerprint: string;
  /** 64-byte Ed25519 signature, base64. */
  signature: string;
}
export interface DecodedBundle {
  index: IndexEntry[];
  entries: Map<string, Uint8Array>;
  signature: SignatureBlock;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const lengthLine = (n: number): Buffer => Buffer.from(`${String(n).padStart(10, '0')}\n`, 'latin1');
const indexJson = (entries: readonly IndexEntry[]): string =>
  JSON.stringify({ format: BUNDLE_FORMAT, entries: entries.map((e) => ({ path: e.path, size: e.size, sha256: e.sha256 })) });
const signatureJson = (s: SignatureBlock): string =>
  JSON.stringify({ alg: s.alg, signedBytes: s.signedBytes, publicKey: s.publicKey, fingerprint: s.fingerprint, signature: s.signature });

/**
 * Assembles and signs a bundle from entries (entry 0 must be the manifest). `tamperIndex` exists for
 * tests that need validly signed but malicious indexes; export never passes it.
 */
export function encodeBundle(entries: readonly BundleEntry[], key: { privateKey: KeyObject; publicKey: KeyObject }, tamperIndex?: (e: IndexEntry[]) => unknown): Uint8Array {
  if (!entries.length) throw new Error('a bundle needs at least the manifest entry');
  const listed = entries.map((e) => ({ path: e.path, size: e.bytes.byteLength, sha256: sha256(e.bytes) }));
  const index = Buffer.from(tamperIndex ? JSON.stringify(tamperIndex(listed)) : indexJson(listed), 'utf8');
  const signed = Buffer.concat([MAGIC, lengthLine(index.length), index, entries[0].bytes]);
  const block: SignatureBlock = {
    alg: 'ed25519',
    signedBytes: signed.length,
    publicKey: publicKeyPem(key.publicKey),
    fingerprint: publicKeyFingerprint(key.publicKey),
    signature: sign(null, signed, key.privateKey).toString('base64'),
  };
  const sig = Buffer.from(signatureJson(block), 'utf8');
  return Buffer.concat([signed, ...entries.slice(1).map((e) => e.bytes), lengthLine(sig.length), sig, Buffer.from('\n')]);
}

const indexSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  entries: z
    .array(z.strictObject({ path: z.string(), size: z.number().int().min(0).max(BUNDLE_LIMITS.maxBundleBytes), sha256: z.string().regex(HEX64) }))
    .min(1)
    .max(BUNDLE_LIMITS.maxEntries),
});
const BASE64_SIG = /^[A-Za-z0-9+/]{86}==$/;
const signatureSchema = z.strictObject({
  alg: z.literal('ed25519'),
  signedBytes: z.number().int().positive(),
  publicKey: z.string().max(1024),
  fingerprint: z.string().regex(HEX64),
  signature: z.string().regex(BASE64_SIG),
});

/** The first problem of a zod parse as [field path, message]. */
export function firstIssue(err: z.ZodError, prefix: string): [string, string] {
  const issue = err.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return [`${prefix}${path}`, issue.message];
}

/** Strict UTF-8 + JSON.parse; errors name the region. */
export function parseJson(bytes: Uint8Array, bundle: string, field: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BundleError(bundle, field, 'not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BundleError(bundle, field, `not valid JSON (${(err as Error).message})`);
  }
}

function readLength(bytes: Uint8Array, at: number, bundle: string, field: string, max: number): number {
  if (at + LENGTH_LINE > bytes.length) throw new BundleError(bundle, field, `truncated: the file ends at byte ${bytes.length}, before the length line at ${at}`);
  const line = Buffer.from(bytes.subarray(at, at + LENGTH_LINE)).toString('latin1');
  if (!/^[0-9]{10}\n$/.test(line)) throw new BundleError(bundle, field, `expected 10 decimal digits and a newline at byte ${at}, got ${JSON.stringify(line)}`);
  const n = Number(line.slice(0, 10));
  if (n > max) throw new BundleError(bundle, field, `declared ${n} bytes, more than the limit of ${max}`);
  return n;
}

/** Why a path may not be in a bundle, or null when it may. */
export function unsafePath(path: string): string | null {
  if (path.length === 0) return 'empty path';
  if (path.length > BUNDLE_LIMITS.maxPathLength) return `longer than ${BUNDLE_LIMITS.maxPathLength} characters`;
  if (path.includes('\0')) return 'contains a NUL character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  if (path.split('/').some((s) => s === '..' || s === '.' || s === '')) return "contains '..', '.' or an empty segment";
  if (path !== MANIFEST_PATH && !TRIGGER_PATH.test(path)) return `not a name a bundle holds (${MANIFEST_PATH} or a trigger set file under ${TRIGGERS_PREFIX})`;
  return null;
}

/**
 * Parses and checks a whole bundle held in memory: magic, bounds, index, paths, sizes, the signature
 * block and signature, every entry's SHA-256. Throws BundleError naming the first failure.
 * Does not judge whether the signer is trusted, nor the manifest's content.
 */
export function decodeBundle(bytes: Uint8Array, bundle: string): DecodedBundle {
  if (bytes.length > BUNDLE_LIMITS.maxBundleBytes) throw new BundleError(bundle, 'size', `${bytes.length} bytes, more than the limit of ${BUNDLE_LIMITS.maxBundleBytes}`);
  const head = Buffer.from(bytes.subarray(0, MAGIC.length));
  if (!head.equals(MAGIC)) {
    const first = head.toString('latin1');
    if (first.startsWith('provenant-bundle/')) throw new BundleError(bundle, 'magic', `unsupported bundle version ${JSON.stringify(first.split('\n')[0])} (this build reads ${BUNDLE_FORMAT})`);
    throw new BundleError(bundle, 'magic', `not a Provenant bundle (the first line must be "${BUNDLE_FORMAT}")`);
  }
  const indexLength = readLength(bytes, MAGIC.length, bundle, 'index length', BUNDLE_LIMITS.maxIndexBytes);
  if (HEADER + indexLength > bytes.length) throw new BundleError(bundle, 'index', `truncated: declares ${indexLength} bytes, the file has ${bytes.length - HEADER} after the header`);
  const indexBytes = bytes.subarray(HEADER, HEADER + indexLength);
  const parsed = indexSchema.safeParse(parseJson(indexBytes, bundle, 'index'));
  if (!parsed.success) throw new BundleError(bundle, ...firstIssue(parsed.error, 'index'));
  const index = parsed.data.entries;
  if (Buffer.from(indexJson(index), 'utf8').compare(Buffer.from(indexBytes)) !== 0) throw new BundleError(bundle, 'index', 'not in canonical form (compact JSON, keys in the documented order)');
  const seen = new Set<string>();
  index.forEach((e, i) => {
    const why = unsafePath(e.path);
    if (why) throw new BundleError(bundle, `index.entries[${i}].path`, `${JSON.stringify(e.path)}: ${why}`);
    if (seen.has(e.path)) throw new BundleError(bundle, `index.entries[${i}].path`, `${JSON.stringify(e.path)} is listed twice`);
    seen.add(e.path);
  });
  if (index[0].path !== MANIFEST_PATH) throw new BundleError(bundle, 'index.entries[0].path', `the first entry must be ${MANIFEST_PATH}, got ${JSON.stringify(index[0].path)}`);
  if (index[0].size > BUNDLE_LIMITS.maxManifestBytes) throw new BundleError(bundle, 'index.entries[0].size', `manifest of ${index[0].size} bytes, more than the limit of ${BUNDLE_LIMITS.maxManifestBytes}`);
  // Sizes are each ≤ the bundle cap and at most maxEntries of them: the sum is an exact double.
  const offsets: number[] = [];
  let end = HEADER + indexLength;
  for (const [i, e] of index.entries()) {
    offsets.push(end);
    end += e.size;
    if (end > bytes.length) throw new BundleError(bundle, `index.entries[${i}].size`, `${e.path} declares ${e.size} bytes, past the end of the file (${bytes.length} bytes): truncated or forged size`);
  }
  const sigLength = readLength(bytes, end, bundle, 'signature length', BUNDLE_LIMITS.maxSignatureBytes);
  const sigStart = end + LENGTH_LINE;
  if (sigStart + sigLength + 1 > bytes.length) throw new BundleError(bundle, 'signature', `truncated: declares ${sigLength} bytes, the file has ${bytes.length - sigStart}`);
  if (sigStart + sigLength + 1 < bytes.length) throw new BundleError(bundle, 'signature', `${bytes.length - sigStart - sigLength - 1} unexpected bytes after the signature block (entry sizes do not add up)`);
  if (bytes[bytes.length - 1] !== 0x0a) throw new BundleError(bundle, 'signature', 'the signature block must end with a newline');
  const signature = checkSignature(bytes, sigStart, sigLength, HEADER + indexLength + index[0].size, bundle);
  const entries = new Map<string, Uint8Array>();
  index.forEach((e, i) => {
    const data = bytes.subarray(offsets[i], offsets[i] + e.size);
    const got = sha256(data);
    if (got !== e.sha256) throw new BundleError(bundle, `index.entries[${i}].sha256`, `${e.path}: SHA-256 ${got} does not match the index (${e.sha256}): the entry was altered`);
    entries.set(e.path, data);
  });
  return { index, entries, signature };
}

function checkSignature(bytes: Uint8Array, start: number, length: number, signedBytes: number, bundle: string): SignatureBlock {
  const raw = bytes.subarray(start, start + length);
  const parsed = signatureSchema.safeParse(parseJson(raw, bundle, 'signature'));
  if (!parsed.success) throw new BundleError(bundle, ...firstIssue(parsed.error, 'signature'));
  const s = parsed.data;
  if (Buffer.from(signatureJson(s), 'utf8').compare(Buffer.from(raw)) !== 0) throw new BundleError(bundle, 'signature', 'not in canonical form (compact JSON, keys in the documented order)');
  if (s.signedBytes !== signedBytes) throw new BundleError(bundle, 'signature.signedBytes', `${s.signedBytes}, but magic + index + manifest are ${signedBytes} bytes`);
  let key: KeyObject;
  try {
    key = createPublicKey(s.publicKey);
  } catch (err) {
    throw new BundleError(bundle, 'signature.publicKey', `not a PEM public key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new BundleError(bundle, 'signature.publicKey', `an ${key.asymmetricKeyType} key, expected Ed25519`);
  if (publicKeyPem(key) !== s.publicKey) throw new BundleError(bundle, 'signature.publicKey', 'not in canonical SPKI PEM form');
  if (publicKeyFingerprint(key) !== s.fingerprint) throw new BundleError(bundle, 'signature.fingerprint', `${s.fingerprint} is not the fingerprint of the enclosed public key`);
  const sig = Buffer.from(s.signature, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== s.signature) throw new BundleError(bundle, 'signature.signature', 'not a canonical base64 64-byte Ed25519 signature');
  if (!verify(null, bytes.subarray(0, signedBytes), key, sig)) {
    throw new BundleError(bundle, 'signature.signature', `does not verify with the enclosed key ${s.fingerprint}: the index or the manifest was altered after signing`);
  }
  return s;
}
