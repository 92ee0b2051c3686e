/**
 * The object exposed to the renderer as `window.provenant`: invoke() restricted to the contract's
 * channels and on() restricted to its server events. It returns envelopes and never throws for an API
 * error (contextBridge would drop an Error's fields); the renderer's client turns them into ApiError.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { CHANNELS, SERVER_EVENTS, isChannel, isServerEvent } from '../shared/contract.ts';
import { IPC_EVENT_CHANNEL, type Envelope, type ProvenantTransport } from '../shared/api.ts';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createPreloadApi(ipc: IpcRendererLike): ProvenantTransport {
  return {
    invoke(channel: string, input?: unknown) {
      if (!isChannel(channel)) {
        const error = { code: 'unknown_channel', message: `unknown channel "${channel}"; known channels: ${CHANNELS.join(', ')}`, channel } as const;
        return Promise.resolve({ ok: false, error } satisfies Envelope<never>);
      }
      return ipc.invoke(channel, input) as Promise<Envelope<never>>;
    },
    on(event: string, listener: (payload: never) => void) {
      if (!isServerEvent(event)) throw new Error(`unknown server event "${event}"; known events: ${SERVER_EVENTS.join(', ')}`);
      const wrapped = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
        if (name === event) listener(payload as never);
      };
      ipc.on(IPC_EVENT_CHANNEL, wrapped);
      return () => {
        ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
      };
    },
  } as ProvenantTransport;
}
