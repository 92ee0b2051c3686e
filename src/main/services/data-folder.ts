/**
 * The workbench's data folder: everything the app makes lives under one directory, so it can be
 * backed up, moved or handed over as a whole.
 *
 *   <data>/settings.json               workbench settings (settings-file.ts)
 *   <data>/keys/signing-key.pem        the Ed25519 key bundles are signed with (made on first export)
 *   <data>/models/                     source models trained outside any case
 *   <data>/cases/<slug>-<short id>/    one case directory each (src/main/store) with its artefacts
 *
 * A case is named in the contract by its UUID (the store's id, also in bundles), never by a path:
 * the folder is found by the UUID's first 8 hex digits and confirmed by reading the case's own id.
 * Paths that must stay inside the data folder go through `inside()`, which resolves them first.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CASE_FILE, openCase, type CaseStore } from '../store/index.ts';

export const DATA_ENV_VAR = 'PROVENANT_DATA';
const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** $PROVENANT_DATA, else ~/.provenant. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[DATA_ENV_VAR];
  return resolve(fromEnv && fromEnv.trim() ? fromEnv : join(homedir(), '.provenant'));
}

/** An error whose message starts with the input field at fault (what the renderer shows next to it). */
export class FieldError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'FieldError';
  }
}

/** "Acme v. Foo (2025)" → "acme-v-foo-2025"; at most 40 characters, never empty. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'case';
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

export class DataFolder {
  readonly root: string;

  constructor(root: string) {
    if (!isAbsolute(root)) throw new FieldError('dataDir', `expected an absolute path, got "${root}"`);
    this.root = resolve(root);
  }

  get casesDir(): string {
    return join(this.root, 'cases');
  }
  get keysDir(): string {
    return join(this.root, 'keys');
  }
  get modelsDir(): string {
    return join(this.root, 'models');
  }
  get settingsFile(): string {
    return join(this.root, 'settings.json');
  }

  /** Creates the folder layout (idempotent); refuses a path that is a file. */
  ensure(): this {
    if (existsSync(this.root) && !statSync(this.root).isDirectory()) throw new FieldError('dataDir', `${this.root} exists and is not a directory`);
    for (const dir of [this.root, this.casesDir, this.keysDir, this.modelsDir]) mkdirSync(dir, { recursive: true });
    return this;
  }

  /** A path given by the renderer, resolved against the data folder when relative. */
  resolve(path: string): string {
    return resolve(this.root, path);
  }

  /** Resolves `path` and refuses it, naming `field`, when it lies outside `within` (default: the data folder). */
  inside(field: string, path: string, within = this.root): string {
    const abs = resolve(within, path);
    if (!isInside(within, abs)) throw new FieldError(field, `${abs} is outside ${within}; it must be inside the data folder`);
    return abs;
  }

  /** Every case directory (those holding a case.sqlite), sorted by name. */
  caseDirs(): string[] {
    if (!existsSync(this.casesDir)) return [];
    return readdirSync(this.casesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(this.casesDir, d.name, CASE_FILE)))
      .map((d) => join(this.casesDir, d.name))
      .sort();
  }

  /** The directory of case `caseId` (a UUID); a clear error naming `caseId` when there is none. */
  caseDir(caseId: string): string {
    if (!CASE_ID.test(caseId)) throw new FieldError('caseId', `"${caseId}" is not a case id (a UUID such as cases.list returns)`);
    const suffix = `-${caseId.slice(0, 8)}`;
    for (const dir of this.caseDirs()) {
      if (!dir.endsWith(suffix)) continue;
      const store = openCase(dir, { readOnly: true });
      try {
        if (store.info().id === caseId) return dir;
      } finally {
        store.close();
      }
    }
    throw new FieldError('caseId', `no case ${caseId} in ${this.casesDir}`);
  }

  /** Where case `caseId` named `name` lives: cases/<slug>-<first 8 hex digits of the id>. */
  caseDirFor(name: string, caseId: string): string {
    return join(this.casesDir, `${slugify(name)}-${caseId.slice(0, 8)}`);
  }

  /** Opens case `caseId` read-only, runs `fn`, closes it. */
  read<T>(caseId: string, fn: (store: CaseStore) => T): T {
    const store = openCase(this.caseDir(caseId), { readOnly: true });
    try {
      const out = fn(store);
      if (out instanceof Promise) throw new Error('DataFolder.read: use readAsync for async work');
      return out;
    } finally {
      store.close();
    }
  }

  async readAsync<T>(caseId: string, fn: (store: CaseStore) => Promise<T>): Promise<T> {
    const store = openCase(this.caseDir(caseId), { readOnly: true });
    try {
      return await fn(store);
    } finally {
      store.close();
    }
  }
}
