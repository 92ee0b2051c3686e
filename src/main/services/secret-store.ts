/**
 * API keys for remote suspects. The contract names a key (`endpoint.apiKey`); its value is set once
 * through `apiKeys.set` and afterwards only ever leaves the store as the `Authorization` header of a
 * job's requests: no channel returns it, no log line or job record holds it.
 *
 * Two stores: Electron's (src/main/electron/safe-storage-secrets.ts: encrypted with the OS keychain
 * via safeStorage, kept in the data folder) and this in-memory one for the bridge and the CLI, whose
 * keys are gone when the process ends (settings.get says which is in use).
 */
import { FieldError } from './data-folder.ts';

export interface SecretStore {
  readonly kind: 'safeStorage' | 'memory';
  /** Names of the stored keys, sorted. */
  names(): string[];
  set(name: string, value: string): void;
  /** Whether a key of that name existed. */
  delete(name: string): boolean;
  /** The value, for the job that sends it. Never to be returned through the contract or logged. */
  reveal(name: string): string | undefined;
}

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly #values = new Map<string, string>();

  names(): string[] {
    return [...this.#values.keys()].sort();
  }
  set(name: string, value: string): void {
    this.#values.set(name, value);
  }
  delete(name: string): boolean {
    return this.#values.delete(name);
  }
  reveal(name: string): string | undefined {
    return this.#values.get(name);
  }
}

/** The headers a job sends for an endpoint that names an API key; a clear error when the key is unknown. */
export function authHeaders(apiKey: string | undefined, secrets: SecretStore, field = 'endpoint.apiKey'): Record<string, string> {
  if (apiKey === undefined) return {};
  const value = secrets.reveal(apiKey);
  if (value === undefined) {
    const known = secrets.names();
    throw new FieldError(field, `no API key named "${apiKey}" (${known.length ? `stored keys: ${known.join(', ')}` : 'none stored'}; add it in Settings → API keys)`);
  }
  return { Authorization: value };
}
