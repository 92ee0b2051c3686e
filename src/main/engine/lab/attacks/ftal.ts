/** FTAL: fine-tune all layers on attacker data (Adi et al. 2018). Shared logic and defaults in fine-tune.ts. */
import { makeFineTuneAttack } from './fine-tune.ts';

export const ftalAttack = makeFineTuneAttack({
  id: 'ftal',
  description: 'FTAL: fine-tune all layers on attacker data',
  reinit: false,
  allLayers: true,
});
