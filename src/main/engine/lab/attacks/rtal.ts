/** RTAL: re-initialise the last layer, then train all layers on attacker data (Adi et al. 2018). Shared logic and defaults in fine-tune.ts. */
import { makeFineTuneAttack } from './fine-tune.ts';

export const rtalAttack = makeFineTuneAttack({
  id: 'rtal',
  description: 'RTAL: re-initialise the last layer, then train all layers on attacker data',
  reinit: true,
  allLayers: true,
});
