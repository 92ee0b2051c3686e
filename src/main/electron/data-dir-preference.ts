/**
 * Where the data folder is, remembered by Electron between sessions: a small JSON file in the app's
 * userData folder (the data folder itself may move; this file says where it went).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { DataDirPreference } from '../services/settings-file.ts';

export function userDataPreference(userDataDir: string): DataDirPreference {
  const file = join(userDataDir, 'data-folder.json');
  return {
    persistent: true,
    load() {
      if (!existsSync(file)) return undefined;
      try {
        const dir = (JSON.parse(readFileSync(file, 'utf8')) as { dataDir?: unknown }).dataDir;
        return typeof dir === 'string' && isAbsolute(dir) ? dir : undefined;
      } catch {
        return undefined; // unreadable: fall back to the default folder rather than refuse to start
      }
    },
    save(dataDir) {
      mkdirSync(userDataDir, { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify({ dataDir }, null, 2)}\n`);
      renameSync(tmp, file);
    },
  };
}
