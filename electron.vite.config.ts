/**
 * electron-vite: main (src/main/index.ts → out/main, ESM), preload (src/preload/index.ts →
 * out/preload/index.cjs, CommonJS because sandboxed preloads cannot be ES modules) and renderer
 * (src/renderer → out/renderer). `rendererConfig` is exported so the e2e test can build the same
 * renderer with plain vite into a temporary folder.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export const rendererConfig = {
  root: resolve(root, 'src/renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    // Mantine + React in one chunk is ~0.6 MB unminified; it is loaded from disk, not a network.
    chunkSizeWarningLimit: 2000,
  },
};

export default defineConfig({
  main: {
    // Dependencies stay in node_modules (tfjs, better-sqlite3 are loaded at run time, not bundled).
    // Two entries: the app, and the job worker Electron starts as a utility process
    // (src/main/electron/utility-launcher.ts looks for out/main/job-worker.js next to index.js).
    build: {
      externalizeDeps: true,
      rolldownOptions: { input: { index: resolve(root, 'src/main/index.ts'), 'job-worker': resolve(root, 'src/main/jobs/job-worker.ts') } },
    },
  },
  preload: {
    // A sandboxed preload can require only 'electron': everything it imports (zod) is bundled in.
    build: {
      externalizeDeps: false,
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: rendererConfig,
});
