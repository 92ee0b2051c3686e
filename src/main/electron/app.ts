/**
 * The Electron app's lifecycle: one instance; the workbench (data folder remembered in userData, API
 * keys encrypted with safeStorage, jobs in utility processes); IPC wired from the shared handler
 * registry; the menu; one window. Quitting cancels running jobs first (a cancelled verification is
 * left 'partial' and resumable, never half-written).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, shell, utilityProcess } from 'electron';
import { join } from 'node:path';
import { ServerEventBus } from '../bridge/events.ts';
import { createHandlers } from '../bridge/handlers.ts';
import { createWorkbench } from '../services/workbench.ts';
import { userDataPreference } from './data-dir-preference.ts';
import { forwardServerEvents, registerIpcHandlers } from './ipc.ts';
import { menuTemplate } from './menu-template.ts';
import { SafeStorageSecretStore } from './safe-storage-secrets.ts';
import { jobWorkerEntry, utilityLauncher, type ForkLike } from './utility-launcher.ts';
import { createMainWindow, isAppUrl, showRoute } from './window.ts';

export function startElectronApp(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const events = new ServerEventBus();
  const workbench = createWorkbench({
    events,
    preference: userDataPreference(app.getPath('userData')),
    secrets: (folder) => new SafeStorageSecretStore(safeStorage, () => join(folder().root, 'secrets.json')),
    launcher: utilityLauncher(utilityProcess.fork as ForkLike, jobWorkerEntry()),
  });
  const handlers = createHandlers({ appVersion: app.getVersion(), workbench: workbench.handlers });
  const mainWindow = () => BrowserWindow.getAllWindows()[0] ?? createMainWindow();

  app.on('second-instance', () => {
    const win = mainWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void workbench.close().finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    registerIpcHandlers(ipcMain, handlers, { isTrustedSender: (e) => isAppUrl(e.senderFrame?.url ?? '') });
    forwardServerEvents(events, () => BrowserWindow.getAllWindows().map((w) => w.webContents));
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({
      newCase: () => showRoute(mainWindow(), '/new-case'),
      openDataFolder: () => void shell.openPath(workbench.folder().ensure().root),
      about: () => void dialog.showMessageBox({
        type: 'info', title: 'About Provenant', message: `Provenant ${app.getVersion()}`,
        detail: `Forensic workbench for neural-network ownership.\nData folder: ${workbench.folder().root}\nElectron ${process.versions.electron}, Node ${process.versions.node}`,
      }),
    }, { dev: !app.isPackaged, platform: process.platform })));
    createMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
    });
  });
}
