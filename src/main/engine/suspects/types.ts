/**
 * A suspect as verification sees it: an oracle answering batches of inputs, possibly remote and
 * possibly label-only. Every query is counted (label-only methods are judged by query cost), every
 * exchange is handed to a recorder (the case store implements it), and a query budget is enforced.
 *
 * Two layers:
 *  - an `Oracle` only knows how to get answers for a batch (a tfjs model, an ONNX file, an HTTP API)
 *    and reports each attempt it makes (`OracleCall.report`);
 *  - `accountedSuspect` (accounted-suspect.ts) wraps any Oracle into the `Suspect` the methods use:
 *    input hashes, the reply cache, the budget, sequence numbers and the recorder live there, once.
 */
export interface SuspectAnswer {
  /** Top-1 label per input (always). */
  labels: Int32Array;
  /** Row-major [n, numClasses] probabilities, when the suspect reveals them. */
  probs?: Float32Array;
}

export interface Suspect {
  readonly inputShape: [number, number, number];
  readonly numClasses: number;
  /** True when the suspect answers with labels only (a label-only API). */
  readonly labelOnly: boolean;
  /** One line for reports ("suite model ftll-e5", "https://api.example/v1/predict"); never a secret. */
  describe(): string;
  /** Answers `n` inputs given as NHWC float32 in [0,1] (n·h·w·c values). */
  query(inputs: Float32Array, n: number): Promise<SuspectAnswer>;
  /** Inputs answered so far (each input counts once per query, cached or not). */
  queries(): number;
}

/**
 * One attempt at one request: a batch of inputs sent to an oracle and its reply or failure. Inputs
 * are identified by their hash (`inputHash`), never stored here: the trigger set holds them.
 */
export interface QueryExchange {
  /** 1, 2, … in the order attempts were reported, per suspect session. */
  seq: number;
  /** The oracle's describe() (secrets redacted). */
  oracle: string;
  /** ISO time the attempt started. */
  time: string;
  latencyMs: number;
  /** 1 for the first try of a request, 2 for its first retry, … */
  attempt: number;
  /** inputHash of every input in the request, in request order. */
  inputHashes: string[];
  /** ok: reply used; retry: failed, will be retried; failed: failed, given up (the query throws). */
  outcome: 'ok' | 'retry' | 'failed';
  httpStatus?: number;
  /** Why the attempt failed (no secrets: never headers, never the URL's credentials). */
  error?: string;
  /** The reply as understood (outcome ok): labels, and row-major probabilities when revealed. */
  labels?: number[];
  probs?: number[];
}

/** What an oracle reports per attempt; the accounting layer adds seq and oracle. */
export type ExchangeReport = Omit<QueryExchange, 'seq' | 'oracle'>;

/** Receives every exchange, synchronously, before its answer is used (so a crash loses none). */
export interface QueryRecorder {
  record(e: QueryExchange): void;
}

export interface OracleCall {
  /** inputHash of each of the n inputs. */
  hashes: string[];
  /** Report one attempt (ok or not). Local oracles report one ok exchange per batch. */
  report(e: ExchangeReport): void;
  signal?: AbortSignal;
}

/** Something that answers batches: a local model, an ONNX file, a remote API. */
export interface Oracle {
  readonly inputShape: [number, number, number];
  readonly numClasses: number;
  readonly labelOnly: boolean;
  describe(): string;
  /** Answers n NHWC [0,1] inputs; throws a clear error (naming the oracle) when it cannot. */
  answer(inputs: Float32Array, n: number, call: OracleCall): Promise<SuspectAnswer>;
  /** Releases sessions, sockets, models. */
  close?(): Promise<void> | void;
}

/**
 * Thrown by a Suspect when answering would send more queries than its budget allows. The inputs that
 * fitted were sent and recorded first, so a resumed run (same query log) does not send them again.
 */
export class BudgetExhaustedError extends Error {
  constructor(
    readonly budget: number,
    /** Queries sent to the oracle in this session (≤ budget). */
    readonly sent: number,
    /** Queries the refused call still needed. */
    readonly missing: number,
  ) {
    super(`query budget exhausted: ${sent} of ${budget} queries sent, ${missing} more needed by this step`);
    this.name = 'BudgetExhaustedError';
  }
}
