/**
 * The typed client over any transport: resolves with the output, rejects with ApiError. Used by the
 * renderer (over preload or HTTP) and by tests; no DOM or Node APIs here.
 */
import { ApiError, type Envelope, type ProvenantClient, type ProvenantTransport } from './api.ts';

export function createClient(transport: ProvenantTransport): ProvenantClient {
  const invoke = transport.invoke as (channel: string, input?: unknown) => Promise<Envelope>;
  return {
    async invoke(channel: string, input?: unknown) {
      const envelope = await invoke(channel, input);
      if (!envelope.ok) throw new ApiError(envelope.error);
      return envelope.value as never;
    },
    on: (event, listener) => transport.on(event, listener),
  } as ProvenantClient;
}
