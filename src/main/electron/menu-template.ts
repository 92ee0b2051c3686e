/**
 * The application menu, as a template (Electron's Menu.buildFromTemplate builds it in app.ts):
 *   File: New case (Ctrl/Cmd+N), Open data folder, Quit
 *   Edit: the standard editing roles (copy and paste in forms)
 *   View: Reload and developer tools in development only; zoom
 *   Help: About Provenant
 * A plain function of its actions, so it is tested without Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newCase(): void;
  openDataFolder(): void;
  about(): void;
}

export function menuTemplate(actions: MenuActions, opts: { dev: boolean; platform: NodeJS.Platform }): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { id: 'new-case', label: 'New case…', accelerator: 'CmdOrCtrl+N', click: () => actions.newCase() },
        { id: 'open-data-folder', label: 'Open data folder', click: () => actions.openDataFolder() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(opts.dev ? [{ role: 'reload' as const }, { role: 'forceReload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'help', submenu: [{ id: 'about', label: 'About Provenant', click: () => actions.about() }] },
  ];
}
