/**
 * settings.json in the data folder: the few workbench settings that belong to the data rather than
 * to the machine (today: the compute backend job workers ask for). Read leniently — a missing file
 * is the defaults — but a file that does not parse is an error naming the file and the field, never
 * silently replaced. Written atomically (temp sibling + rename).
 *
 * Where the data folder itself is (a machine setting) is kept by a DataDirPreference: Electron keeps
 * it in its userData folder; the bridge and the CLI take it from --data / $PROVENANT_DATA and keep
 * a change in memory only.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { BACKENDS } from '../../shared/contract.ts';

export const SETTINGS_FORMAT = 'provenant-settings/1';

const settingsSchema = z.strictObject({
  format: z.literal(SETTINGS_FORMAT),
  /** The backend job workers initialise (initBackend's choice); 'auto' picks the fastest available. */
  backend: z.enum(['auto', ...BACKENDS]).default('auto'),
});
export type WorkbenchSettings = z.output<typeof settingsSchema>;

export function readSettings(file: string): WorkbenchSettings {
  if (!existsSync(file)) return { format: SETTINGS_FORMAT, backend: 'auto' };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); fix or remove it`);
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: ${i.path.join('.') || '(file)'}: ${i.message}; fix or remove it`);
  }
  return parsed.data;
}

export function writeSettings(file: string, settings: WorkbenchSettings): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(settingsSchema.parse(settings), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Where the data folder is, remembered between sessions (or not). */
export interface DataDirPreference {
  load(): string | undefined;
  save(dir: string): void;
  /** Whether save() survives a restart (shown in settings). */
  readonly persistent: boolean;
}

/** The bridge's and the CLI's: the folder chosen at start; a change lasts until the process ends. */
export function memoryDataDirPreference(initial?: string): DataDirPreference {
  let dir = initial;
  return { load: () => dir, save: (d) => void (dir = d), persistent: false };
}
