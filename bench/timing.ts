/** Timing helpers shared by the benchmarks: medians after a warm-up, nothing else. */
export const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/** Median wall time in ms of `iters` calls of `fn`, after `warmup` untimed calls. */
export function timeMedian(fn: () => void, iters: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}
