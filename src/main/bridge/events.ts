/**
 * Main → renderer pushes. Producers (jobs) emit typed events here; each transport (IPC, the bridge's
 * Server-Sent Events) subscribes once and forwards them. Payloads are validated at the source.
 */
import { serverEvents, type ServerEventName, type ServerEvents } from '../../shared/contract.ts';
import { describeIssues, toIssues } from '../../shared/issues.ts';

export type AnyServerEventListener = <E extends ServerEventName>(event: E, payload: ServerEvents[E]) => void;

export class ServerEventBus {
  readonly #listeners = new Set<AnyServerEventListener>();

  emit<E extends ServerEventName>(event: E, payload: ServerEvents[E]): void {
    const parsed = serverEvents[event].safeParse(payload);
    if (!parsed.success) {
      throw new Error(`server event ${event}: invalid payload: ${describeIssues(toIssues(parsed.error))}`);
    }
    for (const listener of this.#listeners) {
      // One broken transport (a closed window, a dropped socket) must not starve the others.
      try {
        listener(event, parsed.data as ServerEvents[E]);
      } catch (err) {
        console.error(`server event ${event}: a listener failed:`, err);
      }
    }
  }

  subscribe(listener: AnyServerEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
