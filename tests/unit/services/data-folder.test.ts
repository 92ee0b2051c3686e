import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFolder, defaultDataDir, slugify } from '../../../src/main/services/data-folder.ts';
import { readSettings, writeSettings } from '../../../src/main/services/settings-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data folder', () => {
  it('defaults to $PROVENANT_DATA, else ~/.provenant', () => {
    expect(defaultDataDir({ PROVENANT_DATA: '/srv/prov' })).toBe('/srv/prov');
    expect(defaultDataDir({})).toBe(join(homedir(), '.provenant'));
  });

  it('slugs case names for folder names', () => {
    expect(slugify('Acme v. Foo (2025)')).toBe('acme-v-foo-2025');
    expect(slugify('Zürich / Łódź')).toBe('zurich-odz');
    expect(slugify('../../etc')).toBe('etc');
    expect(slugify('!!!')).toBe('case');
    expect(slugify('x'.repeat(100))).toHaveLength(40);
  });

  it('inside() resolves and refuses what escapes, naming the field', () => {
    const f = new DataFolder(dir);
    expect(f.inside('out', 'cases/a')).toBe(join(dir, 'cases/a'));
    expect(() => f.inside('out', '../x')).toThrow(/^out: .* is outside/);
    expect(() => f.inside('out', '/etc')).toThrow(/^out: \/etc is outside/);
    expect(() => new DataFolder('relative')).toThrow(/^dataDir: expected an absolute path/);
  });

  it('settings.json: defaults when missing, round trip, errors naming the file and field', () => {
    const f = new DataFolder(join(dir, 'd')).ensure();
    expect(readSettings(f.settingsFile)).toEqual({ format: 'provenant-settings/1', backend: 'auto' });
    writeSettings(f.settingsFile, { format: 'provenant-settings/1', backend: 'wasm' });
    expect(readSettings(f.settingsFile).backend).toBe('wasm');
    writeFileSync(f.settingsFile, '{');
    expect(() => readSettings(f.settingsFile)).toThrow(/settings\.json: not valid JSON/);
    writeFileSync(f.settingsFile, '{"format":"provenant-settings/1","colour":"red"}');
    expect(() => readSettings(f.settingsFile)).toThrow(/settings\.json: .*colour/);
  });
});
