/**
 * Seeded, disjoint, recorded splits of a dataset into the three parts the product needs:
 *
 *   ownerTrain  trains the source model (and the positives derived from it),
 *   attacker    data a thief or an independent party holds: the model lab trains negatives and
 *               runs removal attacks (fine-tuning, distillation) with it,
 *   test        held out for accuracies and for generating/verifying nothing else.
 *
 * Same dataset + same config = same indices, on any machine: the only randomness is our seeded
 * xoshiro128** (random.ts), consumed in a fixed order. The format id 'provenant-split/1' pins that
 * algorithm; changing how indices are drawn must bump it, or old records would stop reproducing.
 */
import { datasetRef } from './dataset.ts';
import { indicesSha256, sha256Hex } from './hash.ts';
import { checkSeed, createRng, shuffleInPlace, type Rng } from './random.ts';
import {
  SPLIT_PART_NAMES,
  type Dataset,
  type DatasetSplits,
  type SplitConfig,
  type SplitPart,
  type SplitPartName,
  type SplitRecord,
} from './types.ts';

/** Options of makeSplits: a SplitConfig whose unit, stratify and test have defaults. */
export interface SplitOptions {
  seed: number;
  sizes: Record<SplitPartName, number>;
  /** Default 'fraction'. */
  unit?: SplitConfig['unit'];
  /** Default false (as sklearn's train_test_split). */
  stratify?: boolean;
  /** Default 'sample'. 'dataset' needs dataset.parts (Fashion-MNIST loaded with part 'all'). */
  test?: SplitConfig['test'];
}

/** Fills defaults and checks every field, naming it on error. Key order is fixed for hashing. */
export function normaliseSplitConfig(opts: SplitOptions): SplitConfig {
  const unit = opts.unit ?? 'fraction';
  if (unit !== 'fraction' && unit !== 'count') throw new Error(`split unit: expected "fraction" or "count", got "${String(unit)}"`);
  const test = opts.test ?? 'sample';
  if (test !== 'sample' && test !== 'dataset') throw new Error(`split test: expected "sample" or "dataset", got "${String(test)}"`);
  const sizes = {} as Record<SplitPartName, number>;
  for (const name of SPLIT_PART_NAMES) {
    const v = opts.sizes?.[name];
    const ok = unit === 'count' ? Number.isInteger(v) && v >= 0 : typeof v === 'number' && v >= 0 && v <= 1;
    if (!ok) throw new Error(`split sizes.${name}: expected ${unit === 'count' ? 'an integer >= 0' : 'a fraction in [0, 1]'}, got ${String(v)}`);
    sizes[name] = v;
  }
  return { seed: checkSeed(opts.seed, 'split seed'), unit, sizes, stratify: opts.stratify ?? false, test };
}

/**
 * Resolves requested sizes against a pool of `n` samples. Fractions use largest-remainder
 * rounding of fraction*n, so fractions summing to 1 cover the pool exactly and never overshoot.
 */
function resolveCounts(names: SplitPartName[], config: SplitConfig, n: number, poolName: string): number[] {
  const requested = names.map((p) => config.sizes[p]);
  const sum = requested.reduce((a, b) => a + b, 0);
  const label = names.join(' + ');
  if (config.unit === 'count') {
    if (sum > n) throw new Error(`split sizes: ${label} = ${sum} samples, but ${poolName} has only ${n}`);
    return requested;
  }
  if (sum > 1 + 1e-9) throw new Error(`split sizes: ${label} fractions sum to ${sum}, more than 1`);
  // The epsilon absorbs binary rounding (0.7 * 10 = 6.999...), never a real sample.
  const total = sum >= 1 - 1e-9 ? n : Math.floor(sum * n + 1e-9);
  const quotas = requested.map((f) => f * n);
  const counts = quotas.map((q) => Math.floor(q + 1e-9));
  const order = quotas.map((q, i) => ({ i, rem: q - counts[i] })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0, left = total - counts.reduce((a, b) => a + b, 0); left > 0; k++, left--) counts[order[k].i]++;
  return counts;
}

/**
 * Splits `k` among classes in proportion to what each still has (`avail`), exactly, with
 * largest-remainder rounding in integers (ties to the lower class index). Never exceeds avail.
 */
function apportion(k: number, avail: number[]): number[] {
  const total = avail.reduce((a, b) => a + b, 0);
  if (total === 0) return avail.map(() => 0);
  const counts = avail.map((a) => Math.floor((k * a) / total));
  const order = avail.map((a, c) => ({ c, rem: (k * a) % total })).sort((x, y) => y.rem - x.rem || x.c - y.c);
  for (let j = 0, left = k - counts.reduce((a, b) => a + b, 0); left > 0; j++, left--) counts[order[j].c]++;
  return counts;
}

/** Draws disjoint subsets of `pool` with the given sizes; each result is sorted ascending. */
function draw(ds: Dataset, pool: Int32Array, counts: number[], stratify: boolean, rng: Rng): Int32Array[] {
  if (!stratify) {
    const order = shuffleInPlace(pool.slice(), rng);
    let at = 0;
    return counts.map((k) => order.slice(at, (at += k)).sort());
  }
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (const i of pool) byClass[ds.labels[i]].push(i);
  for (const members of byClass) shuffleInPlace(members, rng);
  const taken = byClass.map(() => 0);
  return counts.map((k) => {
    const perClass = apportion(
      k,
      byClass.map((m, c) => m.length - taken[c]),
    );
    const part: number[] = [];
    perClass.forEach((n, c) => {
      part.push(...byClass[c].slice(taken[c], taken[c] + n));
      taken[c] += n;
    });
    return Int32Array.from(part).sort();
  });
}

function range(start: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => start + i);
}

function makePart(ds: Dataset, name: SplitPartName, indices: Int32Array): SplitPart {
  const classCounts = new Array<number>(ds.numClasses).fill(0);
  for (const i of indices) classCounts[ds.labels[i]]++;
  return { name, indices, sha256: indicesSha256(indices), classCounts };
}

/**
 * The split's id: SHA-256 of the UTF-8 text below, one line each, so any tool can recompute it:
 * format, dataset sha256, seed, unit, requested sizes, stratify, test source, resolved sizes, and
 * the three part hashes, all in SPLIT_PART_NAMES order.
 */
function recordSha256(datasetSha: string, config: SplitConfig, parts: Record<SplitPartName, SplitPart>): string {
  const list = (f: (p: SplitPartName) => string | number): string => SPLIT_PART_NAMES.map(f).join(' ');
  const lines = [
    'provenant-split/1',
    `dataset ${datasetSha}`,
    `seed ${config.seed}`,
    `unit ${config.unit}`,
    `requested ${list((p) => config.sizes[p])}`,
    `stratify ${config.stratify}`,
    `test-source ${config.test}`,
    `sizes ${list((p) => parts[p].indices.length)}`,
    `parts ${list((p) => parts[p].sha256)}`,
  ];
  return sha256Hex(lines.map((l) => `${l}\n`).join(''));
}

/** Splits a dataset into disjoint ownerTrain / attacker / test parts, deterministically. */
export function makeSplits(ds: Dataset, opts: SplitOptions): DatasetSplits {
  const config = normaliseSplitConfig(opts);
  const rng = createRng(config.seed);
  const n = ds.labels.length;
  let drawn: Record<SplitPartName, Int32Array>;

  if (config.test === 'dataset') {
    if (!ds.parts) {
      throw new Error(`split test "dataset": ${ds.name} has no published test part; use test "sample" (or load all parts)`);
    }
    const { train, test } = ds.parts;
    // Test first, then the train pool: each pool's draws depend only on its own sizes and the seed.
    const [testCount] = resolveCounts(['test'], config, test.count, 'the dataset test part');
    const [testIdx] = draw(ds, range(test.start, test.count), [testCount], config.stratify, rng);
    const trainCounts = resolveCounts(['ownerTrain', 'attacker'], config, train.count, 'the dataset train part');
    const [ownerTrain, attacker] = draw(ds, range(train.start, train.count), trainCounts, config.stratify, rng);
    drawn = { ownerTrain, attacker, test: testIdx };
  } else {
    const counts = resolveCounts([...SPLIT_PART_NAMES], config, n, 'the dataset');
    const [ownerTrain, attacker, test] = draw(ds, range(0, n), counts, config.stratify, rng);
    drawn = { ownerTrain, attacker, test };
  }

  const parts = {
    ownerTrain: makePart(ds, 'ownerTrain', drawn.ownerTrain),
    attacker: makePart(ds, 'attacker', drawn.attacker),
    test: makePart(ds, 'test', drawn.test),
  };
  const record: SplitRecord = {
    format: 'provenant-split/1',
    dataset: datasetRef(ds),
    config,
    sizes: { ownerTrain: parts.ownerTrain.indices.length, attacker: parts.attacker.indices.length, test: parts.test.indices.length },
    parts: {
      ownerTrain: { size: parts.ownerTrain.indices.length, sha256: parts.ownerTrain.sha256, classCounts: parts.ownerTrain.classCounts },
      attacker: { size: parts.attacker.indices.length, sha256: parts.attacker.sha256, classCounts: parts.attacker.classCounts },
      test: { size: parts.test.indices.length, sha256: parts.test.sha256, classCounts: parts.test.classCounts },
    },
    sha256: recordSha256(ds.source.sha256, config, parts),
  };
  return { ...parts, record };
}

/**
 * Re-derives a recorded split and checks it bit for bit: the dataset bytes must be the recorded
 * ones and every part hash must match. Throws naming what differs; returns the splits otherwise.
 */
export function reproduceSplits(ds: Dataset, record: SplitRecord): DatasetSplits {
  if (record.format !== 'provenant-split/1') throw new Error(`split record: unknown format "${String(record.format)}"`);
  if (ds.source.sha256 !== record.dataset.sha256) {
    throw new Error(
      `split record: dataset mismatch: the record was made from ${record.dataset.name} (sha256 ${record.dataset.sha256}), ` +
        `the loaded dataset ${ds.name} has sha256 ${ds.source.sha256}`,
    );
  }
  const splits = makeSplits(ds, record.config);
  for (const p of SPLIT_PART_NAMES) {
    if (splits[p].sha256 !== record.parts[p]?.sha256) {
      throw new Error(`split record: part ${p} does not reproduce (sha256 ${splits[p].sha256}, recorded ${record.parts[p]?.sha256})`);
    }
  }
  if (splits.record.sha256 !== record.sha256) throw new Error(`split record: sha256 ${record.sha256} does not reproduce (got ${splits.record.sha256})`);
  return splits;
}
