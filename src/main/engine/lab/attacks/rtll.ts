/** RTLL: re-initialise the last layer, then train only it on attacker data (Adi et al. 2018). Shared logic and defaults in fine-tune.ts. */
import { makeFineTuneAttack } from './fine-tune.ts';

export const rtllAttack = makeFineTuneAttack({
  id: 'rtll',
  description: 'RTLL: re-initialise the last layer, then train only it on attacker data',
  reinit: true,
  allLayers: false,
});
