import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../../src/main/electron/safe-storage-secrets.ts';
import { userDataPreference } from '../../../src/main/electron/data-dir-preference.ts';
import { authHeaders } from '../../../src/main/services/secret-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for the OS keychain: reversible, but never the plain text. */
const fakeSafeStorage = (available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (s) => Buffer.from(`enc:${Buffer.from(s).toString('hex').split('').reverse().join('')}`),
  decryptString: (b) => Buffer.from(b.toString().slice(4).split('').reverse().join(''), 'hex').toString(),
});

describe('SafeStorageSecretStore', () => {
  it('keeps only ciphertext on disk (0600), gives names, the value only through reveal', () => {
    const file = join(dir, 'secrets.json');
    const store = new SafeStorageSecretStore(fakeSafeStorage(), () => file);
    store.set('prod', 'Bearer very-secret-token');
    store.set('alpha', 'x');
    expect(store.kind).toBe('safeStorage');
    expect(store.names()).toEqual(['alpha', 'prod']);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('very-secret-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A new store on the same file (the next session) reads them back.
    const again = new SafeStorageSecretStore(fakeSafeStorage(), () => file);
    expect(authHeaders('prod', again)).toEqual({ Authorization: 'Bearer very-secret-token' });
    expect(again.delete('prod')).toBe(true);
    expect(again.delete('prod')).toBe(false);
    expect(again.reveal('prod')).toBeUndefined();
    expect(again.names()).toEqual(['alpha']);
  });

  it('refuses to store a key when the keychain is not available', () => {
    const store = new SafeStorageSecretStore(fakeSafeStorage(false), () => join(dir, 'none.json'));
    expect(() => store.set('k', 'v')).toThrow(/keychain is not available/);
    expect(store.names()).toEqual([]);
  });
});

describe('userDataPreference', () => {
  it('remembers the data folder in userData; ignores an unreadable or relative entry', () => {
    const userData = join(dir, 'userData');
    const pref = userDataPreference(userData);
    expect(pref.load()).toBeUndefined();
    pref.save('/srv/provenant');
    expect(userDataPreference(userData).load()).toBe('/srv/provenant');
    pref.save('relative');
    expect(pref.load()).toBeUndefined();
  });
});
