/**
 * The renderer's typed client. In Electron it wraps `window.provenant` (preload → IPC); in a browser
 * it talks to the localhost bridge over fetch (`POST /api/<channel>`) and EventSource (`/events`).
 * Both transports resolve with envelopes; createClient (src/shared/client.ts) turns them into
 * outputs or ApiErrors.
 */
import { TOKEN_HEADER, type Envelope, type ProvenantTransport } from '../../../shared/api.ts';

export { createClient } from '../../../shared/client.ts';

export type TransportKind = 'electron' | 'http';

const TOKEN_KEY = 'provenant.bridgeToken';

/** The bridge token arrives as `#token=…` in the address; it is kept for the tab and removed from view. */
export function bridgeToken(): string {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function httpTransport(baseUrl = '', token = bridgeToken()): ProvenantTransport {
  let source: EventSource | null = null;
  return {
    async invoke(channel: string, input?: unknown): Promise<Envelope<never>> {
      let res: Response;
      try {
        res = await fetch(`${baseUrl}/api/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
          body: JSON.stringify(input ?? {}),
        });
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: `bridge unreachable: ${(err as Error).message}`, channel } };
      }
      try {
        return (await res.json()) as Envelope<never>;
      } catch {
        return { ok: false, error: { code: 'internal', message: `bridge answered ${res.status} without JSON`, channel } };
      }
    },
    on(event: string, listener: (payload: never) => void) {
      source ??= new EventSource(`${baseUrl}/events?token=${encodeURIComponent(token)}`);
      const handler = (e: MessageEvent<string>) => listener(JSON.parse(e.data) as never);
      source.addEventListener(event, handler);
      return () => source?.removeEventListener(event, handler);
    },
  } as ProvenantTransport;
}

export function defaultTransport(): { kind: TransportKind; transport: ProvenantTransport } {
  return window.provenant
    ? { kind: 'electron', transport: window.provenant }
    : { kind: 'http', transport: httpTransport() };
}
