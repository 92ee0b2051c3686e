import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, loadSigningKey, publicKeyFingerprint, publicKeyPem } from '../../../../src/main/evidence/bundle/keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasOpenssl = (() => { try { execFileSync('openssl', ['version']); return true; } catch { return false; } })(); // prettier-ignore

describe('signing keys', () => {
  it('generates an Ed25519 PKCS#8 PEM readable only by its owner, and loads it back', async () => {
    const file = join(dir, 'owner.key');
    const k = await generateSigningKey(file);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadSigningKey(file);
    expect(again.fingerprint).toBe(k.fingerprint);
    const sig = sign(null, Buffer.from('x'), again.privateKey);
    expect(verify(null, Buffer.from('x'), k.publicKey, sig)).toBe(true);
  });

  it('refuses to overwrite an existing key file', async () => {
    const file = join(dir, 'twice.key');
    const first = await generateSigningKey(file);
    await expect(generateSigningKey(file)).rejects.toThrow(/already exists; refusing to overwrite/);
    expect((await loadSigningKey(file)).fingerprint).toBe(first.fingerprint);
  });

  it('refuses keys that are not Ed25519 PEM private keys, naming the file', async () => {
    const rsa = join(dir, 'rsa.key');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadSigningKey(rsa)).rejects.toThrow(/rsa\.key: an rsa key; bundles are signed with Ed25519/);
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'not a key');
    await expect(loadSigningKey(junk)).rejects.toThrow(/junk\.key: not a PEM private key/);
    await expect(loadSigningKey(join(dir, 'missing.key'))).rejects.toThrow(/missing\.key: no such signing key file/);
  });

  it('fingerprint = SHA-256 of the raw 32-byte public key, the same from public, private and PEM', async () => {
    const k = await generateSigningKey(join(dir, 'fp.key'));
    expect(k.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(publicKeyFingerprint(k.privateKey)).toBe(k.fingerprint);
    expect(publicKeyFingerprint(publicKeyPem(k.publicKey))).toBe(k.fingerprint);
    expect(publicKeyFingerprint(generateKeyPairSync('ed25519').publicKey)).not.toBe(k.fingerprint);
    expect(() => publicKeyFingerprint(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toThrow(/expected an Ed25519 key/);
  });

  it.skipIf(!hasOpenssl)('the documented openssl command gives the same fingerprint', async () => {
    const k = await generateSigningKey(join(dir, 'ossl.key'));
    const pem = join(dir, 'ossl.pub.pem');
    writeFileSync(pem, publicKeyPem(k.publicKey));
    const out = execFileSync('bash', ['-c', `openssl pkey -pubin -in "${pem}" -outform DER | tail -c 32 | sha256sum`]).toString();
    expect(out.split(' ')[0]).toBe(k.fingerprint);
  });
});
