/**
 * The single entry point of a request into main, whatever the transport: the channel is checked
 * against the contract, the input validated with safeParse (a bad field is named in the error), the
 * handler run (an error with a `field` from it is bad input too), and its output validated. Always
 * resolves with an Envelope; never throws.
 */
import { CHANNELS, contracts, isChannel, type Channel } from '../../shared/contract.ts';
import type { ApiErrorBody, ApiErrorCode, ApiIssue, Envelope } from '../../shared/api.ts';
import { describeIssues, toIssues } from '../../shared/issues.ts';
import type { Handler, HandlerRegistry } from './handlers.ts';

export function failure(code: ApiErrorCode, message: string, channel?: string, issues?: ApiIssue[]): Envelope<never> {
  const error: ApiErrorBody = { code, message };
  if (channel !== undefined) error.channel = channel;
  if (issues?.length) error.issues = issues;
  return { ok: false, error };
}

export async function dispatch(registry: HandlerRegistry, channel: string, rawInput: unknown): Promise<Envelope> {
  if (!isChannel(channel)) {
    return failure('unknown_channel', `unknown channel "${channel}"; known channels: ${CHANNELS.join(', ')}`, channel);
  }
  const contract = contracts[channel];
  const input = contract.input.safeParse(rawInput);
  if (!input.success) {
    const issues = toIssues(input.error);
    return failure('bad_input', `${channel}: invalid input: ${describeIssues(issues)}`, channel, issues);
  }
  let value: unknown;
  try {
    value = await (registry[channel] as Handler<Channel>)(input.data as never);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A handler that refuses one field of a valid-looking input (an unknown case id, a path outside
    // the data folder) throws an error carrying `field` (services' FieldError): that is bad input too.
    const field = (err as { field?: unknown })?.field;
    if (typeof field === 'string') {
      const prefix = `${field}: `;
      return failure('bad_input', `${channel}: ${message}`, channel, [{ path: field, message: message.startsWith(prefix) ? message.slice(prefix.length) : message }]);
    }
    return failure('internal', `${channel}: ${message}`, channel);
  }
  const output = contract.output.safeParse(value);
  if (!output.success) {
    const issues = toIssues(output.error);
    return failure('internal', `${channel}: handler returned an invalid output: ${describeIssues(issues)}`, channel, issues);
  }
  return { ok: true, value: output.data };
}
