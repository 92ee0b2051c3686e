/** The main window: sandboxed, context-isolated, loading the built renderer (or the dev server). */
import { BrowserWindow, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Bundled layout: out/main/index.js, out/preload/index.cjs, out/renderer/index.html.
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '../preload/index.cjs');
const RENDERER_INDEX = join(here, '../renderer/index.html');
const RENDERER_DIR_URL = pathToFileURL(join(here, '../renderer/')).href;

/** electron-vite dev sets this to its dev server; otherwise the built files are loaded. */
function devServerUrl(): string | undefined {
  return process.env['ELECTRON_RENDERER_URL'] || undefined;
}

/** Whether a URL belongs to our renderer (the only origin allowed to navigate to or call IPC). */
export function isAppUrl(url: string): boolean {
  const dev = devServerUrl();
  if (dev && url.startsWith(new URL(dev).origin + '/')) return true;
  return url.startsWith(RENDERER_DIR_URL);
}

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Provenant',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  const dev = devServerUrl();
  void (dev ? win.loadURL(dev) : win.loadFile(RENDERER_INDEX));
  return win;
}

/** Shows a renderer route (the hash router's `#/…`), e.g. '/new-case' from File → New case. */
export function showRoute(win: BrowserWindow, route: string): void {
  if (win.isMinimized()) win.restore();
  win.focus();
  // An in-page navigation: no reload, and will-navigate is not involved.
  void win.webContents.executeJavaScript(`window.location.hash = ${JSON.stringify(`#${route}`)}`);
}
