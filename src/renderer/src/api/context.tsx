/** Provides the client to components, and small hooks for one request's state. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
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

export type ReloadableState<T> = RequestState<T> & { reload: () => void };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Runs one request when the component mounts, again when the input changes, and on reload(). A
 * reload keeps showing the previous data until the new answer arrives (no flicker on refresh).
 */
export function useRequest<C extends Channel>(channel: C, ...args: InputArgs<C>): ReloadableState<OutputOf<C>> {
  const { client } = useClient();
  const [state, setState] = useState<RequestState<OutputOf<C>>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(args[0] ?? null);
  useEffect(() => {
    setState({ status: 'loading' });
  }, [channel, key]);
  useEffect(() => {
    let live = true;
    client.invoke(channel, ...args).then(
      (data) => live && setState({ status: 'done', data }),
      (error: unknown) => live && setState({ status: 'error', error: asError(error) }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the input is compared by value (key)
  }, [client, channel, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
