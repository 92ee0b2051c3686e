/** Preload (sandboxed, bundled to out/preload/index.cjs): exposes the contract, nothing else. */
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api.ts';

contextBridge.exposeInMainWorld('provenant', createPreloadApi(ipcRenderer));
