/**
 * KServe v2 / Open Inference Protocol (Triton, KServe, OpenVINO, MLServer), JSON REST.
 *
 * Request:  {"inputs":[{"name":"input","shape":[n,h,w,c],"datatype":"FP32","data":[… n·h·w·c numbers, row-major]}]}
 *           (shape [n,c,h,w] for layout nchw).
 * Reply:    {"outputs":[{"name","shape","datatype","data"}, …]}; the output named `outputName`, else
 *           the first. Shape [n,k] is a score row per input (k must be numClasses); shape [n] or
 *           [n,1] with an integer datatype (INT*, UINT*) is a label per input. `data` may be flat or
 *           nested (the protocol allows both); its size must match the shape.
 */
import { ReplyMismatchError } from '../errors.ts';
import type { DecodedReply } from '../reply.ts';
import { flattenNumbers, inputDims } from '../wire-layout.ts';
import { isRecord, type ProtocolSettings, type WireProtocol } from './wire-protocol.ts';

const INTEGER_TYPES = /^U?INT(8|16|32|64)$/;

export function kserveProtocol(s: ProtocolSettings): WireProtocol {
  const dims = inputDims(s.inputShape, s.layout);
  const size = dims.reduce((a, b) => a * b, 1);
  return {
    encode(wire, first, count) {
      const data = Array.from(wire.subarray(first * size, (first + count) * size));
      return JSON.stringify({ inputs: [{ name: s.inputName, shape: [count, ...dims], datatype: 'FP32', data }] });
    },
    decode(reply, count): DecodedReply {
      if (!isRecord(reply) || !Array.isArray(reply.outputs) || reply.outputs.length === 0) {
        throw new ReplyMismatchError('kserve reply has no "outputs" array');
      }
      const outputs = reply.outputs as unknown[];
      const out = s.outputName === undefined ? outputs[0] : outputs.find((o) => isRecord(o) && o.name === s.outputName);
      const names = outputs.map((o) => (isRecord(o) ? JSON.stringify(o.name) : '?')).join(', ');
      if (!isRecord(out)) throw new ReplyMismatchError(`kserve reply has no output named "${s.outputName}" (outputs: ${names})`);
      const label = `kserve output ${JSON.stringify(out.name)}`;
      const shape = out.shape;
      if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new ReplyMismatchError(`${label}: "shape" is not a list of sizes`);
      }
      const data = flattenNumbers(out.data);
      if (!data) throw new ReplyMismatchError(`${label}: "data" is not (nested) numbers`);
      const expected = (shape as number[]).reduce((a, b) => a * b, 1);
      if (data.length !== expected) throw new ReplyMismatchError(`${label}: shape [${shape.join(',')}] needs ${expected} values, "data" has ${data.length}`);
      const rows = shape[0] as number;
      if (rows !== count) throw new ReplyMismatchError(`${label}: reply has ${rows} rows for ${count} inputs (one row per input expected)`);
      const integer = typeof out.datatype === 'string' && INTEGER_TYPES.test(out.datatype);
      if (integer && (shape.length === 1 || (shape.length === 2 && shape[1] === 1))) return { kind: 'labels', labels: data };
      if (shape.length === 2) {
        const k = shape[1] as number;
        return { kind: 'scores', rows: Array.from({ length: rows }, (_, i) => data.slice(i * k, (i + 1) * k)) };
      }
      throw new ReplyMismatchError(
        `${label}: shape [${shape.join(',')}] with datatype ${String(out.datatype)} is neither [n,${s.numClasses}] scores nor [n] integer labels`,
      );
    },
  };
}
