/**
 * Suite presets as lists of recipes. A recipe says how one suspect is made: a removal attack on the
 * source (positive), a query-time wrapper around the source or around an attacked model (positive),
 * or an independently trained model (negative). Recipes carry no seeds: a model's seed is derived
 * from (suite seed, purpose, recipe id) by the builder, so a generation *pool* and an evaluation
 * *suite* built from the same preset never share a model (docs/decisions/model-lab-suites.md).
 */
import type { ArchId } from '../models/types.ts';
import type { AttackId, WrapperId } from './types.ts';

export type Role = 'positive' | 'negative';
export type Purpose = 'suite' | 'pool';
export const PRESETS = ['small', 'standard', 'paper', 'pool', 'calibration'] as const;
export type Preset = (typeof PRESETS)[number];

export type Recipe =
  | { id: string; role: 'positive'; kind: 'attack'; attack: AttackId; params: Record<string, unknown> }
  | { id: string; role: 'positive'; kind: 'wrapper'; base: string; wrapper: WrapperId; params: Record<string, unknown> }
  | { id: string; role: 'negative'; kind: 'independent'; arch: ArchId; width?: number; split: 'attacker' | 'ownerTrain'; epochs: number };

const attack = (id: string, a: AttackId, params: Record<string, unknown> = {}): Recipe => ({ id, role: 'positive', kind: 'attack', attack: a, params });
const wrap = (id: string, base: string, w: WrapperId, params: Record<string, unknown> = {}): Recipe => ({ id, role: 'positive', kind: 'wrapper', base, wrapper: w, params });
const indep = (id: string, arch: ArchId, split: 'attacker' | 'ownerTrain', epochs: number, width?: number): Recipe => ({
  id, role: 'negative', kind: 'independent', arch, split, epochs, ...(width ? { width } : {}),
});

/** Small: every kind of suspect once, few epochs. For tests and the demo. */
function small(): Recipe[] {
  return [
    attack('ftll', 'ftll', { epochs: 1 }),
    attack('ftal', 'ftal', { epochs: 1 }),
    attack('rtll', 'rtll', { epochs: 1 }),
    attack('rtal', 'rtal', { epochs: 1 }),
    attack('prune-global-50', 'prune', { scope: 'global', rate: 0.5 }),
    attack('adv-train', 'adv-train', { epochs: 1 }),
    attack('extract-labels-mlp', 'extract', { mode: 'labels', arch: 'mlp', epochs: 3 }),
    wrap('source+blur', 'source', 'gaussian-blur'),
    wrap('source+noise', 'source', 'gaussian-noise'),
    indep('neg-mlp-1', 'mlp', 'attacker', 3),
    indep('neg-lenet-1', 'lenet', 'attacker', 3),
    indep('neg-cnn-1', 'cnn', 'attacker', 3),
    indep('neg-cnn-owner-1', 'cnn', 'ownerTrain', 2),
  ];
}

/** Standard: 40 positives covering every attack and wrapper, 40 negatives of five families. */
function standard(): Recipe[] {
  const r: Recipe[] = [];
  for (const a of ['ftll', 'ftal', 'rtll', 'rtal'] as const) {
    r.push(attack(`${a}-e5`, a, { epochs: 5 }), attack(`${a}-e10-lr0.005`, a, { epochs: 10, lr: 0.005 }));
  }
  for (const p of [0.2, 0.4, 0.6, 0.8]) r.push(attack(`prune-global-${p * 100}`, 'prune', { scope: 'global', rate: p }));
  for (const p of [0.3, 0.6]) r.push(attack(`prune-layer-${p * 100}`, 'prune', { scope: 'layer', rate: p }));
  for (const p of [0.5, 0.9]) r.push(attack(`prune-global-${p * 100}-ft`, 'prune', { scope: 'global', rate: p, epochs: 3 }));
  for (const arch of ['cnn', 'lenet', 'mlp'] as const) r.push(attack(`extract-labels-${arch}`, 'extract', { mode: 'labels', arch, epochs: 10 }));
  r.push(attack('extract-labels-vgg-w0.5', 'extract', { mode: 'labels', arch: 'vgg', width: 0.5, epochs: 10 }));
  for (const arch of ['cnn', 'lenet', 'mlp'] as const) r.push(attack(`extract-probs-${arch}`, 'extract', { mode: 'probabilities', arch, epochs: 10 }));
  r.push(attack('extract-probs-resnet-w0.5', 'extract', { mode: 'probabilities', arch: 'resnet', width: 0.5, epochs: 10 }));
  for (const eps of [0.1, 0.2]) for (const k of [1, 2]) r.push(attack(`adv-train-eps${eps}-${k}`, 'adv-train', { epsilon: eps, epochs: 3 }));
  for (const w of ['crop-resize', 'flip', 'rotate', 'gaussian-noise', 'gaussian-blur', 'dp-logits', 'query-filter'] as const) r.push(wrap(`source+${w}`, 'source', w));
  r.push(wrap('ftal-e5+gaussian-noise', 'ftal-e5', 'gaussian-noise'));
  r.push(wrap('prune-global-40+gaussian-blur', 'prune-global-40', 'gaussian-blur'));
  r.push(wrap('extract-labels-cnn+crop-resize', 'extract-labels-cnn', 'crop-resize'));
  r.push(wrap('adv-train-eps0.1-1+dp-logits', 'adv-train-eps0.1-1', 'dp-logits'));
  r.push(wrap('rtal-e5+rotate', 'rtal-e5', 'rotate'));
  // vgg and resnet at width 0.5: a full-width vgg trains at ~300 samples/s here, which would make the
  // Fashion-MNIST suite (18k attacker / 42k owner samples) take hours; the families stay represented.
  for (const arch of ['mlp', 'lenet', 'cnn'] as const) for (let s = 1; s <= 7; s++) r.push(indep(`neg-${arch}-${s}`, arch, 'attacker', 10));
  for (let s = 1; s <= 7; s++) r.push(indep(`neg-vgg-w0.5-${s}`, 'vgg', 'attacker', 6, 0.5));
  for (let s = 1; s <= 4; s++) r.push(indep(`neg-resnet-w0.5-${s}`, 'resnet', 'attacker', 6, 0.5));
  for (const arch of ['mlp', 'lenet', 'cnn'] as const) for (let s = 1; s <= 2; s++) r.push(indep(`neg-${arch}-owner-${s}`, arch, 'ownerTrain', 4));
  for (let s = 1; s <= 2; s++) r.push(indep(`neg-vgg-w0.5-owner-${s}`, 'vgg', 'ownerTrain', 4, 0.5));
  return r;
}

/** Paper: MFUE Table 3's proportions — fine-tune 16, prune 4, extraction 16, adversarial 28, negatives 60. */
function paper(): Recipe[] {
  const r: Recipe[] = [];
  for (const a of ['ftll', 'ftal', 'rtll', 'rtal'] as const) for (const e of [2, 5, 10, 20]) r.push(attack(`${a}-e${e}`, a, { epochs: e }));
  for (const p of [0.2, 0.4, 0.6, 0.8]) r.push(attack(`prune-global-${p * 100}-ft`, 'prune', { scope: 'global', rate: p, epochs: 3 }));
  for (const mode of ['labels', 'probabilities'] as const) {
    for (const arch of ['cnn', 'lenet', 'mlp', 'vgg'] as const) for (const k of [1, 2]) r.push(attack(`extract-${mode}-${arch}-${k}`, 'extract', { mode, arch, epochs: 10 }));
  }
  for (const eps of [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35]) for (const k of [1, 2, 3, 4]) r.push(attack(`adv-train-eps${eps}-${k}`, 'adv-train', { epsilon: eps, epochs: 3 }));
  const archs = ['mlp', 'lenet', 'cnn', 'vgg', 'resnet'] as const;
  for (const arch of archs) for (let s = 1; s <= 10; s++) r.push(indep(`neg-${arch}-${s}`, arch, 'attacker', arch === 'resnet' ? 6 : 10, arch === 'resnet' ? 0.5 : undefined));
  for (const arch of archs) for (let s = 1; s <= 2; s++) r.push(indep(`neg-${arch}-owner-${s}`, arch, 'ownerTrain', arch === 'resnet' ? 6 : 10, arch === 'resnet' ? 0.5 : undefined));
  return r;
}

/**
 * Pool: a generation pool for the methods that optimise against pirated / innocent models (CAE,
 * MetaFinger, GanFinger, AnaFP). 12 + 12, every member a differentiable model (no query-time
 * wrappers: generation differentiates through pool members), fewer epochs than `standard` so the
 * pool costs a fraction of the suite. Built with purpose 'pool', its seeds differ from any suite's.
 */
function pool(): Recipe[] {
  const r: Recipe[] = [];
  for (const a of ['ftll', 'ftal', 'rtll', 'rtal'] as const) r.push(attack(`${a}-e3`, a, { epochs: 3 }));
  r.push(attack('ftal-e5-lr0.005', 'ftal', { epochs: 5, lr: 0.005 }));
  r.push(attack('prune-global-30', 'prune', { scope: 'global', rate: 0.3 }));
  r.push(attack('prune-global-60-ft', 'prune', { scope: 'global', rate: 0.6, epochs: 2 }));
  r.push(attack('adv-train-eps0.15', 'adv-train', { epsilon: 0.15, epochs: 2 }));
  for (const arch of ['cnn', 'lenet'] as const) r.push(attack(`extract-labels-${arch}`, 'extract', { mode: 'labels', arch, epochs: 5 }));
  for (const arch of ['cnn', 'mlp'] as const) r.push(attack(`extract-probs-${arch}`, 'extract', { mode: 'probabilities', arch, epochs: 5 }));
  for (const arch of ['mlp', 'lenet', 'cnn'] as const) for (let s = 1; s <= 3; s++) r.push(indep(`neg-${arch}-${s}`, arch, 'attacker', 5));
  r.push(indep('neg-vgg-w0.5-1', 'vgg', 'attacker', 4, 0.5));
  r.push(indep('neg-lenet-owner-1', 'lenet', 'ownerTrain', 3));
  r.push(indep('neg-cnn-owner-1', 'cnn', 'ownerTrain', 3));
  return r;
}

/**
 * Calibration: innocent models only — the null a verdict is calibrated on when no evaluation suite
 * is at hand (an arbiter, a new dataset, a test). 24 independent models, the fewest a verdict is
 * given with plus a margin (verdict.ts refuses fewer than 20): mlp / lenet / cnn × 6 seeds on the
 * attacker split and × 2 on the owner's data, few epochs.
 */
function calibration(): Recipe[] {
  const r: Recipe[] = [];
  for (const arch of ['mlp', 'lenet', 'cnn'] as const) for (let s = 1; s <= 6; s++) r.push(indep(`neg-${arch}-${s}`, arch, 'attacker', 3));
  for (const arch of ['mlp', 'lenet', 'cnn'] as const) for (let s = 1; s <= 2; s++) r.push(indep(`neg-${arch}-owner-${s}`, arch, 'ownerTrain', 2));
  return r;
}

export function presetRecipes(preset: Preset): Recipe[] {
  const recipes =
    preset === 'small' ? small() : preset === 'standard' ? standard() : preset === 'paper' ? paper() : preset === 'pool' ? pool() : preset === 'calibration' ? calibration() : null;
  if (!recipes) throw new Error(`unknown preset "${String(preset)}"; choose one of ${PRESETS.join(', ')}`);
  const ids = new Set<string>();
  for (const r of recipes) {
    if (ids.has(r.id)) throw new Error(`preset ${preset}: recipe id "${r.id}" is used twice`);
    ids.add(r.id);
    if (r.kind === 'wrapper' && r.base !== 'source' && !ids.has(r.base)) throw new Error(`preset ${preset}: wrapper "${r.id}" wraps unknown "${r.base}"`);
  }
  return recipes;
}
