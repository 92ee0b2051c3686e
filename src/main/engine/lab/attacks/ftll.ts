/** FTLL: fine-tune the last (logits) layer on attacker data (Adi et al. 2018). Shared logic and defaults in fine-tune.ts. */
import { makeFineTuneAttack } from './fine-tune.ts';

export const ftllAttack = makeFineTuneAttack({
  id: 'ftll',
  description: 'FTLL: fine-tune the last (logits) layer on attacker data',
  reinit: false,
  allLayers: false,
});
