/**
 * TensorFlow Serving REST predict API, row ("instances") format.
 *
 * Request:  {"instances":[ input_0, input_1, … ]}, each input nested arrays [h][w][c] ([c][h][w] for nchw).
 * Reply:    {"predictions":[ row_0, row_1, … ]}: a row of numClasses numbers is scores; an integer
 *           (or [integer]) is a label. A model with several named outputs answers objects
 *           ({"probs":[…],"label":3}); `outputName` picks one.
 */
import { ReplyMismatchError } from '../errors.ts';
import type { DecodedReply } from '../reply.ts';
import { inputDims, nestInputs } from '../wire-layout.ts';
import { isRecord, type ProtocolSettings, type WireProtocol } from './wire-protocol.ts';

export function tfservingProtocol(s: ProtocolSettings): WireProtocol {
  const dims = inputDims(s.inputShape, s.layout);
  return {
    encode(wire, first, count) {
      return JSON.stringify({ instances: nestInputs(wire, first, count, dims) });
    },
    decode(reply, count): DecodedReply {
      if (!isRecord(reply) || !Array.isArray(reply.predictions)) {
        const error = isRecord(reply) && typeof reply.error === 'string' ? ` (error: ${reply.error.slice(0, 200)})` : '';
        throw new ReplyMismatchError(`tfserving reply has no "predictions" array${error}`);
      }
      let rows = reply.predictions as unknown[];
      if (rows.some(isRecord)) {
        if (s.outputName === undefined) {
          const keys = isRecord(rows[0]) ? Object.keys(rows[0]).map((k) => JSON.stringify(k)).join(', ') : '';
          throw new ReplyMismatchError(`tfserving predictions are objects (named outputs ${keys}); set outputName to pick one`);
        }
        rows = rows.map((r, i) => {
          if (!isRecord(r) || !(s.outputName! in r)) throw new ReplyMismatchError(`tfserving prediction ${i} has no output "${s.outputName}"`);
          return r[s.outputName!];
        });
      }
      if (rows.length !== count) throw new ReplyMismatchError(`reply has ${rows.length} rows for ${count} inputs (one row per input expected)`);
      const isLabel = (r: unknown) => Number.isInteger(r) || (s.numClasses !== 1 && Array.isArray(r) && r.length === 1 && Number.isInteger(r[0]));
      if (rows.length > 0 && rows.every(isLabel)) return { kind: 'labels', labels: rows.map((r) => (Array.isArray(r) ? r[0] : r)) };
      return { kind: 'scores', rows };
    },
  };
}
