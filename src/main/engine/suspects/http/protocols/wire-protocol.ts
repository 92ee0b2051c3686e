/** What a wire protocol does: a batch (already preprocessed, in the declared layout) to a request body, a reply body to labels or score rows. */
import type { DecodedReply } from '../reply.ts';

export interface WireProtocol {
  /** Most inputs one request may carry (1 for a "{{input}}" template), else undefined. */
  readonly maxBatch?: number;
  /** The JSON body for inputs [first, first + count) of `wire`. */
  encode(wire: Float32Array, first: number, count: number): string;
  /** Labels or score rows from a parsed reply to a request of `count` inputs; throws ReplyMismatchError. */
  decode(reply: unknown, count: number): DecodedReply;
}

/** Settings every protocol may read. */
export interface ProtocolSettings {
  inputShape: [number, number, number];
  numClasses: number;
  layout: 'nhwc' | 'nchw';
  inputName: string;
  outputName?: string;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
