/**
 * MFUE-b, the label-only loss estimate (Xu et al., KDD'26, §3.2 "Label-Only Scenario"), shared by
 * generation (the source's reference) and scoring (the suspect), so both sides compute exactly the
 * same thing on exactly the same probe inputs.
 *
 * For trigger t with true label y, M probes  x'_j = α_t·x_UF + (1 − α_t)·clip(d_t + σ·ξ_j, 0, 1):
 * d_t is the probe direction (an image reached by gradient ascent on the source from x_UF, stored in
 * the set as aux.probe), ξ_j standard normal noise regenerated from the set's seed (the M probes
 * differ only by ξ_j, i.e. they are random points of a ball around the ascent point, shrunk toward
 * x_UF by α), and α_t is found at generation by binary search on the SOURCE (largest α with more
 * than half of the probes off class y; the authors' code searches on the source too). The estimate
 * p̂_y = (hits + λ) / (M + K·λ) (additive smoothing λ; hits = probes the model labels y) gives the loss
 * −log p̂_y. The suspect is asked each probe once: n·M queries.
 */
import { createRng, deriveSeed } from '../data/random.ts';
import type { Progress } from './types.ts';
import { report, throwIfAborted } from './common.ts';

const ID = 'mfue';

/** Labels for `count` NHWC inputs (a suspect's query, or the source through the same code path). */
export type LabelOracle = (inputs: Float32Array, count: number) => Promise<Int32Array>;

export interface ProbeSpec {
  /** Triggers x_UF, n·size. */
  inputs: Float32Array;
  /** Probe directions d (ascent end points), n·size. */
  probe: Float32Array;
  /** True labels y. */
  labels: Int32Array;
  /** Seed of the probe noise (the trigger set's seed). */
  seed: number;
  probes: number;
  noise: number;
  /** Values per input (h·w·c). */
  size: number;
}

export interface McOptions {
  /** Triggers per oracle call (each call sends group·M inputs). */
  group: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Offsets the progress reports of a longer job. */
  progress?: { done: number; total: number; message: string };
}

/** ξ for trigger t: M·size standard normals (Box–Muller on the engine's seeded PRNG). */
export function probeNoise(seed: number, t: number, m: number, size: number): Float32Array {
  const rng = createRng(deriveSeed(seed, `${ID}/probe-noise/${t}`));
  const out = new Float32Array(m * size);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next())); // 1 − u ∈ (0, 1]: log never sees 0
    const a = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(a);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** The M probes of trigger t at mixing coefficient α, written to `out` from `at`. */
function writeProbes(s: ProbeSpec, t: number, alpha: number, out: Float32Array, at: number): void {
  const { size, probes: m, noise: sigma } = s;
  const x = s.inputs.subarray(t * size, (t + 1) * size);
  const d = s.probe.subarray(t * size, (t + 1) * size);
  const xi = probeNoise(s.seed, t, m, size);
  for (let j = 0; j < m; j++) {
    const o = at + j * size;
    for (let i = 0; i < size; i++) {
      const b = Math.min(1, Math.max(0, d[i] + sigma * xi[j * size + i]));
      out[o + i] = alpha * x[i] + (1 - alpha) * b;
    }
  }
}

/** Hits per trigger: how many of its M probes at α_t the oracle labels y_t. */
export async function mcHits(s: ProbeSpec, alphas: Float64Array | Float32Array, oracle: LabelOracle, opts: McOptions): Promise<Int32Array> {
  const n = s.labels.length;
  const m = s.probes;
  const hits = new Int32Array(n);
  for (let t0 = 0; t0 < n; t0 += opts.group) {
    throwIfAborted(ID, opts.signal);
    const g = Math.min(opts.group, n - t0);
    const batch = new Float32Array(g * m * s.size);
    for (let k = 0; k < g; k++) writeProbes(s, t0 + k, alphas[t0 + k], batch, k * m * s.size);
    const labels = await oracle(batch, g * m);
    for (let k = 0; k < g; k++) {
      let h = 0;
      for (let j = 0; j < m; j++) if (labels[k * m + j] === s.labels[t0 + k]) h++;
      hits[t0 + k] = h;
    }
    if (opts.progress) report(opts.onProgress, opts.progress.done + t0 + g, opts.progress.total, opts.progress.message);
    else report(opts.onProgress, t0 + g, n, 'querying probes');
  }
  return hits;
}

/** −log p̂_y with additive smoothing λ over K classes (finite for λ > 0). */
export function mcLoss(hits: number, m: number, k: number, smoothing: number): number {
  return -Math.log((hits + smoothing) / (m + k * smoothing));
}

export interface AlphaSearch {
  /** α per trigger (float32, as stored). */
  alpha: Float32Array;
  /** 1 where more than half of the probes at α = 0 already leave class y on the source (search possible). */
  found: Int32Array;
}

/**
 * Binary search of α per trigger on the source, all triggers in lock-step: lo = largest α seen with
 * hits < M/2 (more than half the probes cross), hi = smallest α seen without. A trigger whose
 * probes do not cross even at α = 0 keeps α = 0 (found = 0): its reference is still computed the
 * same way, so the interval rule stays like-with-like, it is just less informative.
 */
export async function searchAlpha(s: ProbeSpec, rounds: number, source: LabelOracle, opts: McOptions): Promise<AlphaSearch> {
  const n = s.labels.length;
  const half = s.probes / 2;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n).fill(1);
  const base = opts.progress ?? { done: 0, total: (rounds + 1) * n, message: 'searching α' };
  const at = (r: number) => ({ ...opts, progress: { ...base, done: base.done + r * n } });
  const h0 = await mcHits(s, lo, source, at(0));
  const found = Int32Array.from(h0, (h) => (h < half ? 1 : 0));
  for (let r = 1; r <= rounds; r++) {
    const mid = Float64Array.from(lo, (l, t) => (l + hi[t]) / 2);
    const h = await mcHits(s, mid, source, at(r));
    for (let t = 0; t < n; t++) if (found[t]) (h[t] < half ? lo : hi)[t] = mid[t];
  }
  return { alpha: Float32Array.from(lo), found };
}
