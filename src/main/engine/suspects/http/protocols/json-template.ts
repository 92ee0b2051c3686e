/**
 * A generic JSON API: the request is the declared template with its placeholder replaced by the
 * inputs (nested arrays in the declared layout); the answers are read at `responsePath`
 * (response-path.ts) as labels or score rows, one per input. With "{{input}}" each request carries
 * one input, and the path may lead to the bare answer (a label, or one score row).
 */
import { ReplyMismatchError } from '../errors.ts';
import { parseRequestTemplate } from '../request-template.ts';
import type { DecodedReply } from '../reply.ts';
import { parseResponsePath, selectPath } from '../response-path.ts';
import { inputDims, nestInputs } from '../wire-layout.ts';
import type { ProtocolSettings, WireProtocol } from './wire-protocol.ts';

export interface JsonTemplateSettings {
  requestTemplate: string;
  responsePath: string;
  reply: 'labels' | 'scores';
}

export function jsonTemplateProtocol(s: ProtocolSettings, j: JsonTemplateSettings): WireProtocol {
  const dims = inputDims(s.inputShape, s.layout);
  const template = parseRequestTemplate(j.requestTemplate);
  const path = parseResponsePath(j.responsePath);
  return {
    maxBatch: template.single ? 1 : undefined,
    encode(wire, first, count) {
      const inputs = nestInputs(wire, first, count, dims);
      return template.fill(template.single ? inputs[0] : inputs);
    },
    decode(reply, count): DecodedReply {
      let value = selectPath(reply, path);
      // One input per request: accept the bare answer as well as a batch of one.
      if (template.single && count === 1) {
        const bare = j.reply === 'labels' ? !Array.isArray(value) : Array.isArray(value) && !value.some(Array.isArray);
        if (bare) value = [value];
      }
      if (!Array.isArray(value)) {
        throw new ReplyMismatchError(`response path "${j.responsePath}": expected an array of ${count} ${j.reply === 'labels' ? 'labels' : 'score rows'}, found ${JSON.stringify(value)?.slice(0, 40)}`);
      }
      const rows = value;
      return j.reply === 'labels' ? { kind: 'labels', labels: rows } : { kind: 'scores', rows };
    },
  };
}
