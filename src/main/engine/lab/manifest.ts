/**
 * manifest.json (every suspect: role, method, params, seed, accuracy, agreement, sha256, backend)
 * and suite.md, a table in the shape of MFUE's Table 3: per attack family, how many models and their
 * test accuracy, next to the source's.
 */
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetRef } from '../data/types.ts';
import type { EngineInfo } from '../tensor/backend.ts';
import type { ManifestEntry } from './build-recipe.ts';
import type { Preset, Purpose } from './recipes.ts';

export const SUITE_FORMAT = 'provenant-suite/1';

export interface SuiteManifest {
  format: typeof SUITE_FORMAT;
  purpose: Purpose;
  preset: Preset;
  seed: number;
  createdAt: string;
  complete: boolean;
  source: { dir: string; sha256: string; arch: string; testAccuracy: number };
  dataset: DatasetRef;
  split: string;
  engine: EngineInfo;
  seconds: number;
  models: ManifestEntry[];
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

const pendingWrites = new Map<string, Promise<void>>();

/**
 * Writes manifest.json and suite.md atomically. Calls for one directory are queued and run in call
 * order: two workers finishing together would otherwise race on the same temporary file (one
 * rename then fails with ENOENT) or let an older manifest overwrite a newer one.
 */
export function writeManifest(dir: string, m: SuiteManifest): Promise<void> {
  const json = JSON.stringify(m, null, 2) + '\n';
  const md = suiteMarkdown(m);
  const previous = pendingWrites.get(dir) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    await writeAtomic(join(dir, 'manifest.json'), json);
    await writeAtomic(join(dir, 'suite.md'), md);
  });
  pendingWrites.set(dir, next);
  const forget = () => void (pendingWrites.get(dir) === next && pendingWrites.delete(dir));
  next.then(forget, forget);
  return next;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}`;

/** Groups: fine-tuning variants, pruning, adversarial training, extraction, each wrapper, negatives by arch. */
export function family(e: ManifestEntry): string {
  if (e.role === 'negative') return `independent ${e.arch}${(e.params as { split?: string }).split === 'ownerTrain' ? ' (owner data)' : ''}`;
  if (e.kind === 'wrapper') return `query-time: ${e.method}`;
  if (e.method === 'extract') return `extraction (${(e.params as { mode?: string }).mode})`;
  return e.method;
}

export function suiteMarkdown(m: SuiteManifest): string {
  const lines = [
    `# ${m.purpose === 'pool' ? 'Generation pool' : 'Evaluation suite'} · ${m.dataset.name} · preset ${m.preset} · seed ${m.seed}`,
    '',
    `Source: ${m.source.arch}, test accuracy ${pct(m.source.testAccuracy)} % (sha256 ${m.source.sha256.slice(0, 16)}…). ` +
      `${m.models.filter((e) => e.role === 'positive').length} positives, ${m.models.filter((e) => e.role === 'negative').length} negatives; ` +
      `built in ${Math.round(m.seconds)} s on ${m.engine.backend}${m.complete ? '' : ' (INCOMPLETE)'}.`,
    '',
    '| role | family | models | test accuracy % (mean, min–max) | agreement with source % (mean) |',
    '|---|---|---:|---|---:|',
  ];
  const groups = new Map<string, ManifestEntry[]>();
  for (const e of m.models) groups.set(`${e.role}\t${family(e)}`, [...(groups.get(`${e.role}\t${family(e)}`) ?? []), e]);
  for (const [key, es] of groups) {
    const [role, fam] = key.split('\t');
    const acc = es.map((e) => e.testAccuracy);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    lines.push(`| ${role} | ${fam} | ${es.length} | ${pct(mean(acc))} (${pct(Math.min(...acc))}–${pct(Math.max(...acc))}) | ${pct(mean(es.map((e) => e.agreement)))} |`);
  }
  lines.push('', '## Every model', '', '| id | role | method | arch | test acc % | agreement % | seconds |', '|---|---|---|---|---:|---:|---:|');
  for (const e of m.models) lines.push(`| ${e.id} | ${e.role} | ${e.method} | ${e.arch} | ${pct(e.testAccuracy)} | ${pct(e.agreement)} | ${e.seconds.toFixed(1)} |`);
  return lines.join('\n') + '\n';
}

/**
 * Refuses a generation pool and an evaluation suite that share a model: nothing used to generate a
 * trigger set may be among the suspects that evaluate it. Compared by model hash, by seed and by
 * recipe hash, so a copied directory is caught as well as a rebuilt one.
 */
export function checkSeparation(pool: SuiteManifest, suite: SuiteManifest): void {
  if (pool.purpose !== 'pool') throw new Error(`expected a generation pool, got a ${pool.purpose} manifest`);
  if (suite.purpose !== 'suite') throw new Error(`expected an evaluation suite, got a ${suite.purpose} manifest`);
  const seen = new Map<string, string>();
  for (const e of pool.models) for (const k of [e.sha256, `seed:${e.seed}`, e.recipeHash]) if (k) seen.set(k, e.id);
  for (const e of suite.models) {
    for (const k of [e.sha256, `seed:${e.seed}`, e.recipeHash]) {
      if (k && seen.has(k)) throw new Error(`suite model "${e.id}" also appears in the generation pool as "${seen.get(k)}" (${k.startsWith('seed:') ? 'same seed' : 'same model'})`);
    }
  }
}
