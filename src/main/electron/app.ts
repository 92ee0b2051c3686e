/** The Electron app's lifecycle: one instance, IPC wired from the shared handler registry, one window. */
import { app, BrowserWindow, ipcMain } from 'electron';
import { ServerEventBus } from '../bridge/events.ts';
import { createHandlers } from '../bridge/handlers.ts';
import { forwardServerEvents, registerIpcHandlers } from './ipc.ts';
import { createMainWindow, isAppUrl } from './window.ts';

export function startElectronApp(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const handlers = createHandlers({ appVersion: app.getVersion() });
  const events = new ServerEventBus();

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    registerIpcHandlers(ipcMain, handlers, { isTrustedSender: (e) => isAppUrl(e.senderFrame?.url ?? '') });
    forwardServerEvents(events, () => BrowserWindow.getAllWindows().map((w) => w.webContents));
    createMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
    });
  });
}
