import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from '../../../src/main/electron/menu-template.ts';

const items = (t: MenuItemConstructorOptions[]) => t.flatMap((m) => [m, ...((m.submenu as MenuItemConstructorOptions[] | undefined) ?? [])]);

describe('application menu', () => {
  it('File: New case and Open data folder; Help: About — each calling its action', () => {
    const actions = { newCase: vi.fn(), openDataFolder: vi.fn(), about: vi.fn() };
    const t = menuTemplate(actions, { dev: false, platform: 'linux' });
    expect(t.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'help']);
    const byId = (id: string) => items(t).find((i) => i.id === id)!;
    expect(byId('new-case')).toMatchObject({ label: 'New case…', accelerator: 'CmdOrCtrl+N' });
    (byId('new-case').click as () => void)();
    (byId('open-data-folder').click as () => void)();
    (byId('about').click as () => void)();
    expect([actions.newCase, actions.openDataFolder, actions.about].map((f) => f.mock.calls.length)).toEqual([1, 1, 1]);
  });

  it('reload and developer tools only in development', () => {
    const roles = (dev: boolean) => items(menuTemplate({ newCase() {}, openDataFolder() {}, about() {} }, { dev, platform: 'linux' })).map((i) => i.role);
    expect(roles(false)).not.toContain('reload');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    expect(menuTemplate({ newCase() {}, openDataFolder() {}, about() {} }, { dev: false, platform: 'darwin' })[0].role).toBe('appMenu');
  });
});
