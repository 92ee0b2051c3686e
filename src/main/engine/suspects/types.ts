/**
 * A suspect as verification sees it: an oracle answering batches of inputs, possibly remote and
 * possibly label-only. Every query is counted (label-only methods are judged by query cost), and
 * later the case store records each request and reply.
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
  /** One line for reports ("suite model ftll-e5", "https://api.example/v1/predict"). */
  describe(): string;
  /** Answers `n` inputs given as NHWC float32 in [0,1] (n·h·w·c values). */
  query(inputs: Float32Array, n: number): Promise<SuspectAnswer>;
  /** Inputs answered so far (each input counts once per query). */
  queries(): number;
}
