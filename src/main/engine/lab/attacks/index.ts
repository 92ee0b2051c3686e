/** The removal-attack registry: one Attack per id of ATTACK_IDS (lab/types.ts). */
import { ATTACK_IDS, type Attack, type AttackId } from '../types.ts';
import { ftllAttack } from './ftll.ts';
import { ftalAttack } from './ftal.ts';
import { rtllAttack } from './rtll.ts';
import { rtalAttack } from './rtal.ts';
import { pruneAttack } from './prune.ts';
import { advTrainAttack } from './adv-train.ts';
import { extractAttack } from './extract.ts';

// Each attack's own params type is erased here so the registry can be indexed by id; run()
// validates whatever it is given anyway.
export const ATTACKS: Record<AttackId, Attack> = {
  ftll: ftllAttack as unknown as Attack,
  ftal: ftalAttack as unknown as Attack,
  rtll: rtllAttack as unknown as Attack,
  rtal: rtalAttack as unknown as Attack,
  prune: pruneAttack as unknown as Attack,
  'adv-train': advTrainAttack as unknown as Attack,
  extract: extractAttack as unknown as Attack,
};

export function getAttack(id: string): Attack {
  if (!(ATTACK_IDS as readonly string[]).includes(id)) {
    throw new Error(`unknown attack "${id}"; choose one of ${ATTACK_IDS.join(', ')}`);
  }
  return ATTACKS[id as AttackId];
}

export { cloneModel } from '../../models/clone.ts';
export { pgd, pgdAccuracy, type PgdConfig } from './pgd.ts';
