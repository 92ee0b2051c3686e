/**
 * Signing keys for bundles: Ed25519 through node:crypto, the private key as a PKCS#8 PEM file that
 * only its owner can read.
 *
 * Fingerprint (docs/decisions/bundles.md): SHA-256, lower-case hex, of the raw 32-byte Ed25519 public
 * key (RFC 8032 encoding; the last 32 bytes of its SubjectPublicKeyInfo DER). With openssl:
 *   openssl pkey -pubin -in signer.pem -outform DER | tail -c 32 | sha256sum
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** publicKeyFingerprint(publicKey). */
  fingerprint: string;
  /** The PKCS#8 PEM file the key lives in. */
  file: string;
}

/** The raw 32-byte Ed25519 public key (refuses any other key type). */
export function rawPublicKey(publicKey: KeyObject | string): Buffer {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${pub.asymmetricKeyType ?? pub.type}`);
  const x = pub.export({ format: 'jwk' }).x;
  const raw = Buffer.from(x ?? '', 'base64url');
  if (raw.length !== 32) throw new Error(`Ed25519 public key has ${raw.length} bytes, expected 32`);
  return raw;
}

/** SHA-256 (hex) of the raw 32-byte Ed25519 public key. Accepts a KeyObject (public or private) or a PEM. */
export function publicKeyFingerprint(publicKey: KeyObject | string): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex');
}

/** The SPKI PEM of a public key: what a bundle carries and what `openssl pkeyutl -pubin` reads. */
export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Creates a new Ed25519 key in `file` (PKCS#8 PEM, mode 0600). Refuses to overwrite an existing file. */
export async function generateSigningKey(file: string): Promise<SigningKey> {
  const path = resolve(file);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  // 'wx' fails if the file exists: a signing key is an identity, never silently replaced.
  const fh = await open(path, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${path}: ${err.code === 'EEXIST' ? 'already exists; refusing to overwrite a signing key' : err.message}`);
  });
  try {
    await fh.chmod(0o600); // the mode given to open() is reduced by the umask; make it exact
    await fh.writeFile(pem);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey), file: path };
}

/** Reads an Ed25519 private key (PKCS#8 PEM) written by generateSigningKey (or `openssl genpkey -algorithm ed25519`). */
export async function loadSigningKey(file: string): Promise<SigningKey> {
  const path = resolve(file);
  const pem = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${path}: ${err.code === 'ENOENT' ? 'no such signing key file' : err.message}`);
  });
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`${path}: not a PEM private key (${(err as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path}: an ${privateKey.asymmetricKeyType} key; bundles are signed with Ed25519`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey), file: path };
}
