/** Provides the client to components, and a small hook for one request's state. */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ProvenantClient } from '../../../shared/api.ts';
import type { Channel, InputArgs, OutputOf } from '../../../shared/contract.ts';
import { createClient, defaultTransport, type TransportKind } from './client.ts';

interface ClientContextValue {
  client: ProvenantClient;
  transport: TransportKind;
}

const ClientContext = createContext<ClientContextValue | null>(null);

export function ClientProvider({ children, value }: { children: ReactNode; value?: ClientContextValue }) {
  const [ctx] = useState<ClientContextValue>(() => {
    if (value) return value;
    const { kind, transport } = defaultTransport();
    return { client: createClient(transport), transport: kind };
  });
  return <ClientContext.Provider value={ctx}>{children}</ClientContext.Provider>;
}

export function useClient(): ClientContextValue {
  const ctx = useContext(ClientContext);
  if (!ctx) throw new Error('useClient() needs a <ClientProvider> above it');
  return ctx;
}

export type RequestState<T> =
  | { status: 'loading' }
  | { status: 'done'; data: T }
  | { status: 'error'; error: Error };

/** Runs one request when the component mounts (and again when the input changes). */
export function useRequest<C extends Channel>(channel: C, ...args: InputArgs<C>): RequestState<OutputOf<C>> {
  const { client } = useClient();
  const [state, setState] = useState<RequestState<OutputOf<C>>>({ status: 'loading' });
  const key = JSON.stringify(args[0] ?? null);
  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    client.invoke(channel, ...args).then(
      (data) => live && setState({ status: 'done', data }),
      (error: unknown) => live && setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the input is compared by value (key)
  }, [client, channel, key]);
  return state;
}
