/** The renderer's view of what preload exposes. Absent in the browser (bridge) mode. */
import type { ProvenantTransport } from '../shared/api.ts';

declare global {
  interface Window {
    provenant?: ProvenantTransport;
  }
}

export {};
