/**
 * Wires the contract onto Electron's IPC: one ipcMain.handle per contract channel, all going through
 * dispatch() (validation, structured errors), and server events forwarded to every window. Electron
 * is only a type here, so this is tested with fakes (tests/unit/bridge/ipc.test.ts).
 */
import type { IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from '../../shared/contract.ts';
import { IPC_EVENT_CHANNEL, type Envelope } from '../../shared/api.ts';
import { dispatch, failure } from '../bridge/dispatch.ts';
import type { ServerEventBus } from '../bridge/events.ts';
import type { HandlerRegistry } from '../bridge/handlers.ts';

export type InvokeEventLike = Pick<IpcMainInvokeEvent, 'senderFrame'>;

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<Envelope>): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface IpcOptions {
  /** Requests from frames other than our renderer (a navigated-away page, an iframe) are refused. */
  isTrustedSender?: (event: InvokeEventLike) => boolean;
}

/** Registers every contract channel; returns a function that removes them again. */
export function registerIpcHandlers(ipc: IpcMainLike, handlers: HandlerRegistry, options: IpcOptions = {}): () => void {
  const trusted = options.isTrustedSender ?? (() => true);
  for (const channel of CHANNELS) {
    ipc.handle(channel, async (event, input) => {
      if (!trusted(event)) return failure('unauthorized', `${channel}: request from an untrusted frame`, channel);
      return dispatch(handlers, channel, input);
    });
  }
  return () => {
    for (const channel of CHANNELS) ipc.removeHandler(channel);
  };
}

/** Sends every server event to the live windows as (IPC_EVENT_CHANNEL, name, payload). */
export function forwardServerEvents(bus: ServerEventBus, targets: () => Iterable<WebContentsLike>): () => void {
  return bus.subscribe((event, payload) => {
    for (const wc of targets()) if (!wc.isDestroyed()) wc.send(IPC_EVENT_CHANNEL, event, payload);
  });
}
