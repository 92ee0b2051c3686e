/**
 * The query-time wrappers behind one registry, and their composition. applyWrappers wraps in list
 * order: specs[0] wraps the base directly (innermost), each next spec wraps the result, so the last
 * spec is outermost. A query therefore passes the input transforms from the LAST spec to the first
 * before reaching the base, and output perturbations act from the first spec to the last; describe()
 * reads like function composition: applyWrappers(cnn, [blur, noise]) → "noise(…) ∘ blur(…) ∘ cnn".
 */
import { WRAPPER_IDS, type Classifier, type Wrapper, type WrapperId, type WrapperSpec } from '../types.ts';
import type { WrappedClassifier } from './common.ts';
import { cropResize } from './crop-resize.ts';
import { dpLogits } from './dp-logits.ts';
import { flip } from './flip.ts';
import { gaussianBlur } from './gaussian-blur.ts';
import { gaussianNoise } from './gaussian-noise.ts';
import { isFilteringClassifier, queryFilter, type FilterStats } from './query-filter.ts';
import { rotate } from './rotate.ts';

export type { WrappedClassifier } from './common.ts';
export type { FilterStats, FilteringClassifier } from './query-filter.ts';
export { isFilteringClassifier } from './query-filter.ts';

export const WRAPPERS: Record<WrapperId, Wrapper> = {
  'crop-resize': cropResize as unknown as Wrapper,
  flip: flip as unknown as Wrapper,
  rotate: rotate as unknown as Wrapper,
  'gaussian-noise': gaussianNoise as unknown as Wrapper,
  'gaussian-blur': gaussianBlur as unknown as Wrapper,
  'dp-logits': dpLogits as unknown as Wrapper,
  'query-filter': queryFilter as unknown as Wrapper,
};

export function getWrapper(id: string): Wrapper {
  if (!Object.prototype.hasOwnProperty.call(WRAPPERS, id)) {
    throw new Error(`unknown wrapper "${id}"; choose one of ${WRAPPER_IDS.join(', ')}`);
  }
  return WRAPPERS[id as WrapperId];
}

/** Wraps `base` with each spec in order (specs[0] innermost); an empty list returns `base` itself. */
export function applyWrappers(base: Classifier, specs: readonly WrapperSpec[]): Classifier {
  return specs.reduce<Classifier>((inner, spec, i) => {
    if (!spec || typeof spec !== 'object') throw new Error(`wrappers[${i}]: expected {wrapper, params, seed}`);
    return getWrapper(spec.wrapper).wrap(inner, spec.params ?? {}, spec.seed);
  }, base);
}

/** The wrappers of a chain, outermost first, stopping at the first classifier no wrapper made. */
export function wrapperChain(c: Classifier): WrappedClassifier[] {
  const chain: WrappedClassifier[] = [];
  let cur: Classifier | undefined = c;
  while (cur && typeof (cur as Partial<WrappedClassifier>).wrapper === 'string' && (cur as Partial<WrappedClassifier>).base) {
    chain.push(cur as WrappedClassifier);
    cur = (cur as WrappedClassifier).base;
  }
  return chain;
}

/** Records of a chain in application order (the specs that rebuild it, defaults filled). */
export function wrapperRecords(c: Classifier): WrapperSpec[] {
  return wrapperChain(c)
    .reverse()
    .map((w) => ({ wrapper: w.wrapper, params: { ...w.params }, seed: w.seed }));
}

/**
 * The flag counts of the outermost query filter in a chain (the one that sees the caller's queries;
 * an inner filter would also count the outer one's probe copies), or undefined when there is none.
 */
export function filterStats(c: Classifier): FilterStats | undefined {
  return wrapperChain(c).find(isFilteringClassifier)?.stats();
}
