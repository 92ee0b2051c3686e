/**
 * What travels over every transport (IPC, HTTP): a result envelope that is either the output or a
 * structured error, and the shapes of the transport objects. Errors are plain data so that they
 * survive structured cloning (contextBridge drops an Error's extra fields) and JSON.
 */
import type { Channel, InputArgs, OutputOf, ServerEventName, ServerEvents } from './contract.ts';

export const API_ERROR_CODES = ['bad_input', 'unknown_channel', 'unauthorized', 'internal'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiIssue {
  /** Dotted path of the offending field ('kind', 'items[2].name'); '' for the input as a whole. */
  path: string;
  message: string;
}

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  channel?: string;
  issues?: ApiIssue[];
}

export type Envelope<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

/** The renderer-side error for a failed request; `issues` name the fields at fault. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly channel?: string;
  readonly issues: ApiIssue[];

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.channel = body.channel;
    this.issues = body.issues ?? [];
  }
}

/** Status codes of the HTTP bridge for each error code. */
export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  bad_input: 400,
  unauthorized: 401,
  unknown_channel: 404,
  internal: 500,
};

export type Unsubscribe = () => void;
export type EventListener<E extends ServerEventName> = (payload: ServerEvents[E]) => void;

/**
 * The raw transport: what preload exposes as `window.provenant` and what the HTTP transport
 * implements. It never throws for an API error; it resolves with the envelope.
 */
export interface ProvenantTransport {
  invoke<C extends Channel>(channel: C, ...args: InputArgs<C>): Promise<Envelope<OutputOf<C>>>;
  on<E extends ServerEventName>(event: E, listener: EventListener<E>): Unsubscribe;
}

/** The typed client the renderer uses: resolves with the output, rejects with ApiError. */
export interface ProvenantClient {
  invoke<C extends Channel>(channel: C, ...args: InputArgs<C>): Promise<OutputOf<C>>;
  on<E extends ServerEventName>(event: E, listener: EventListener<E>): Unsubscribe;
}

/** Name of the IPC channel carrying server events (payload: [eventName, data]). */
export const IPC_EVENT_CHANNEL = 'provenant:event';
/** Header carrying the bridge's access token. */
export const TOKEN_HEADER = 'x-provenant-token';
