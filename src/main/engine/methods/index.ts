/** The fingerprinting-method registry: one FingerprintMethod per id of METHOD_IDS (types.ts). */
import { METHOD_IDS, type FingerprintMethod, type MethodId } from './types.ts';
import { ipguard } from './ipguard.ts';
import { advTra } from './adv-tra.ts';
import { cae } from './cae.ts';
import { metafinger } from './metafinger.ts';
import { anafp } from './anafp.ts';
import { mfue } from './mfue.ts';
import { ganfinger } from './ganfinger.ts';

// Each method's own params type is erased so the registry can be indexed by id; generate()
// validates whatever it is given anyway.
export const METHODS: Partial<Record<MethodId, FingerprintMethod>> = {
  ipguard: ipguard as unknown as FingerprintMethod,
  cae: cae as unknown as FingerprintMethod,
  metafinger: metafinger as unknown as FingerprintMethod,
  'adv-tra': advTra as unknown as FingerprintMethod,
  mfue: mfue as unknown as FingerprintMethod,
  ganfinger: ganfinger as unknown as FingerprintMethod,
  anafp: anafp as unknown as FingerprintMethod,
};

export function getMethod(id: string): FingerprintMethod {
  if (!(METHOD_IDS as readonly string[]).includes(id)) throw new Error(`unknown method "${id}"; choose one of ${METHOD_IDS.join(', ')}`);
  const m = METHODS[id as MethodId];
  if (!m) throw new Error(`method "${id}" is not available in this build`);
  return m;
}

/** The methods available, in METHOD_IDS order. */
export function availableMethods(): FingerprintMethod[] {
  return METHOD_IDS.flatMap((id) => (METHODS[id] ? [METHODS[id]!] : []));
}
