/**
 * Electron main entry (bundled by electron-vite to out/main/index.js). Deliberately thin: the work is
 * in the engine and the handler registry, which run the same without Electron (bridge, CLI, tests).
 */
import { startElectronApp } from './electron/app.ts';

startElectronApp();
