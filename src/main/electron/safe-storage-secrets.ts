/**
 * Electron's SecretStore: API keys encrypted with the operating system's keychain through
 * safeStorage (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux) and kept in the
 * data folder as `secrets.json` (mode 0600) — only ciphertext ever touches the disk. A machine
 * without a usable keychain refuses to store keys rather than keep them in the clear.
 *
 * `safeStorage` is passed in (tested with a fake: tests/unit/electron/safe-storage-secrets.test.ts).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SecretStore } from '../services/secret-store.ts';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const FORMAT = 'provenant-secrets/1';
type SecretsFile = { format: typeof FORMAT; keys: Record<string, string> };

export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'safeStorage' as const;

  constructor(
    private readonly safeStorage: SafeStorageLike,
    /** Where secrets.json is (it follows the data folder). */
    private readonly file: () => string,
  ) {}

  names(): string[] {
    return Object.keys(this.#read().keys).sort();
  }

  set(name: string, value: string): void {
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new Error('apiKeys.set: the operating system keychain is not available, so the key cannot be stored encrypted; it was not stored');
    }
    const data = this.#read();
    data.keys[name] = this.safeStorage.encryptString(value).toString('base64');
    this.#write(data);
  }

  delete(name: string): boolean {
    const data = this.#read();
    if (!Object.hasOwn(data.keys, name)) return false;
    delete data.keys[name];
    this.#write(data);
    return true;
  }

  reveal(name: string): string | undefined {
    const data = this.#read();
    if (!Object.hasOwn(data.keys, name)) return undefined;
    return this.safeStorage.decryptString(Buffer.from(data.keys[name], 'base64'));
  }

  #read(): SecretsFile {
    const file = this.file();
    if (!existsSync(file)) return { format: FORMAT, keys: {} };
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<SecretsFile>;
    if (data.format !== FORMAT || typeof data.keys !== 'object' || data.keys === null) throw new Error(`${file}: not a Provenant secrets file`);
    return { format: FORMAT, keys: { ...data.keys } };
  }

  #write(data: SecretsFile): void {
    const file = this.file();
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }
}
