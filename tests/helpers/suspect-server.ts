/**
 * A local prediction API for tests: answers KServe v2, TF-Serving or a generic JSON protocol with
 * whatever `answer` computes (a fake, or a tfjs model), and misbehaves on request — deterministically,
 * by request index (0 = first request to arrive) — to exercise retries and refusals.
 *
 * Wire formats (what an HTTP suspect must send and read):
 *  - kserve:    POST /v2/models/{modelName}/infer  {"inputs":[{"name","shape":[n,...],"datatype":"FP32","data":[...]}]}
 *               → {"outputs":[{"name":"scores","shape":[n,k],"datatype":"FP32","data":[...]},
 *                             {"name":"label","shape":[n],"datatype":"INT64","data":[...]}]}  (label-only: the label output only)
 *  - tfserving: POST /v1/models/{modelName}:predict  {"instances":[...]} → {"predictions":[row | label, ...]}
 *  - json:      POST to any path  {"data": [input, ...]} → {"results":[{"label":..,"scores":[..]}, ...]} (label-only: no scores)
 * Inputs arrive in `layout` and are handed to `answer` as NHWC. With scores 'logits', rows are
 * log(p) + 3 (softmax gives p back; the rows are plainly not probabilities).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = '429' | '500' | '503' | 'timeout' | 'slow' | 'garbage' | 'wrong-classes' | 'wrong-rows';
/** A fault, or a fault with its delay ('slow': answer after delayMs; 'timeout': never answer, or after delayMs). */
export type Fault = FaultKind | { kind: FaultKind; delayMs?: number };

export interface SuspectServerOptions {
  answer: (inputs: Float32Array, n: number) => Promise<{ labels: Int32Array; probs: Float32Array }>;
  inputShape: [number, number, number];
  numClasses: number;
  protocol: 'kserve' | 'tfserving' | 'json';
  labelOnly?: boolean;
  scores?: 'probabilities' | 'logits';
  layout?: 'nhwc' | 'nchw';
  modelName?: string;
  token?: string;
  faults?: (requestIndex: number) => Fault | undefined;
  /** Delay of a 'slow' fault without its own delayMs (default 100 ms). */
  slowMs?: number;
  /** Every request (faulty or not) waits this long before answering (to make requests overlap). */
  latencyMs?: number;
}

export interface ServedRequest {
  index: number;
  /** performance.now() at arrival. */
  at: number;
  fault?: FaultKind;
  /** Inputs in the request (undefined when it was refused before parsing). */
  n?: number;
  authorization?: string;
}

export interface SuspectServer {
  /** http://127.0.0.1:<port> (kserve/tfserving: base URL for a `model`; json: any path works). */
  url: string;
  /** The full inference endpoint of this protocol. */
  endpoint: string;
  requests(): number;
  /** Most requests that were being handled at the same time. */
  maxInFlight(): number;
  log(): ServedRequest[];
  close(): Promise<void>;
}

class BadRequest extends Error {}

export async function startSuspectServer(opts: SuspectServerOptions): Promise<SuspectServer> {
  const [h, w, c] = opts.inputShape;
  const size = h * w * c;
  const k = opts.numClasses;
  const layout = opts.layout ?? 'nhwc';
  const modelName = opts.modelName ?? 'suspect';
  const path = opts.protocol === 'kserve' ? `/v2/models/${modelName}/infer` : opts.protocol === 'tfserving' ? `/v1/models/${modelName}:predict` : '/predict';
  const served: ServedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxInFlight = 0;

  const wait = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(() => (timers.delete(t), resolve()), ms);
    timers.add(t);
  });
  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const entry: ServedRequest = { index: served.length, at: performance.now(), authorization: req.headers.authorization };
    served.push(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (opts.latencyMs) await wait(opts.latencyMs);
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) return send(res, 401, JSON.stringify({ error: 'unauthorized' }));
    if (req.method !== 'POST' || (opts.protocol !== 'json' && req.url !== path)) return send(res, 404, JSON.stringify({ error: `no model at ${req.url}` }));
    const planned = opts.faults?.(entry.index);
    const fault = typeof planned === 'string' ? { kind: planned } : planned;
    entry.fault = fault?.kind;
    switch (fault?.kind) {
      case '429': return send(res, 429, JSON.stringify({ error: 'rate limited' }), { 'retry-after': '0' });
      case '500': return send(res, 500, JSON.stringify({ error: 'internal error' }));
      case '503': return send(res, 503, JSON.stringify({ error: 'unavailable' }));
      case 'garbage': return send(res, 200, '{"outputs": [{"name": "scores", "data": [0.1, 0.');
      case 'timeout':
        if (fault.delayMs === undefined) return; // never answers; close() drops the connection
        await wait(fault.delayMs);
        break;
      case 'slow':
        await wait(fault.delayMs ?? opts.slowMs ?? 100);
        break;
    }
    let inputs: Float32Array;
    try {
      inputs = parseInputs(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (e) {
      return send(res, 400, JSON.stringify({ error: `bad request: ${(e as Error).message}` }));
    }
    const n = inputs.length / size;
    entry.n = n;
    const { labels, probs } = await opts.answer(toNhwc(inputs, n), n);
    const rows: number[][] = Array.from({ length: n }, (_, i) => Array.from(probs.subarray(i * k, (i + 1) * k), (p) => (opts.scores === 'logits' ? Math.log(Math.max(p, 1e-45)) + 3 : p)));
    const labelList = Array.from(labels);
    if (fault?.kind === 'wrong-classes') {
      rows.forEach((r) => r.push(0));
      labelList[0] = k;
    }
    if (fault?.kind === 'wrong-rows') {
      if (n > 1) rows.pop(), labelList.pop();
      else rows.push(rows[0]), labelList.push(labelList[0]);
    }
    send(res, 200, JSON.stringify(reply(rows, labelList, fault?.kind === 'wrong-classes' ? k + 1 : k)));
  };

  const dims = layout === 'nchw' ? [c, h, w] : [h, w, c];
  const flat = (v: unknown): number[] => {
    if (typeof v === 'number') return [v];
    if (Array.isArray(v)) return v.flatMap(flat);
    throw new BadRequest('expected numbers');
  };
  const checked = (values: number[], n: number): Float32Array => {
    if (values.length !== n * size) throw new BadRequest(`expected ${n}×${dims.join('×')} values, got ${values.length}`);
    return Float32Array.from(values);
  };
  function parseInputs(body: any): Float32Array {
    if (opts.protocol === 'kserve') {
      const input = body?.inputs?.[0];
      if (!input || input.datatype !== 'FP32' || !Array.isArray(input.shape)) throw new BadRequest('expected inputs[0] with FP32 datatype and a shape');
      if (input.shape.length !== 4 || input.shape.slice(1).join() !== dims.join()) throw new BadRequest(`expected shape [n,${dims}], got [${input.shape}]`);
      return checked(flat(input.data), input.shape[0]);
    }
    const list = opts.protocol === 'tfserving' ? body?.instances : body?.data;
    if (!Array.isArray(list)) throw new BadRequest(`expected "${opts.protocol === 'tfserving' ? 'instances' : 'data'}" to be an array`);
    for (const x of list) {
      if (!Array.isArray(x) || x.length !== dims[0] || !Array.isArray(x[0]) || x[0].length !== dims[1]) throw new BadRequest(`expected each input as nested [${dims}]`);
    }
    return checked(flat(list), list.length);
  }
  function toNhwc(x: Float32Array, n: number): Float32Array {
    if (layout === 'nhwc') return x;
    const out = new Float32Array(x.length);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) out[b * size + (y * w + xx) * c + ch] = x[b * size + (ch * h + y) * w + xx];
    return out;
  }
  function reply(rows: number[][], labels: number[], width: number): unknown {
    const n = rows.length;
    if (opts.protocol === 'kserve') {
      const label = { name: 'label', shape: [labels.length], datatype: 'INT64', data: labels };
      if (opts.labelOnly) return { model_name: modelName, outputs: [label] };
      return { model_name: modelName, outputs: [{ name: 'scores', shape: [n, width], datatype: 'FP32', data: rows.flat() }, label] };
    }
    if (opts.protocol === 'tfserving') return { predictions: opts.labelOnly ? labels : rows };
    return { results: opts.labelOnly ? labels.map((label) => ({ label })) : rows.map((scores, i) => ({ label: labels[i] ?? labels[0], scores })) };
  }

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) (counted = false), inFlight--;
    };
    res.on('close', done);
    handle(req, res).catch((e) => send(res, 500, JSON.stringify({ error: String(e) })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    endpoint: url + path,
    requests: () => served.length,
    maxInFlight: () => maxInFlight,
    log: () => served.slice(),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
