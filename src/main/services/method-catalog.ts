/**
 * `methods.list`: every fingerprinting method with its defaults and a sentence per parameter, for
 * the generate wizard. The defaults come from the engine's registry (so they cannot drift); the
 * explanations are written here for investigators, from the methods' own documentation. A test
 * checks that every default has an explanation and that no explanation names an unknown parameter.
 */
import type { OutputOf } from '../../shared/contract.ts';

const COUNT = 'Number of fingerprints (triggers) kept; more costs more queries per suspect and gives a finer score.';

export const PARAM_HELP: Record<string, Record<string, string>> = {
  ipguard: {
    n: COUNT,
    margin: 'Logit margin by which the second class must overtake the first: how close to the decision boundary each point sits.',
    iterations: 'Optimisation steps per point at most (a point stops as soon as it sits on the boundary).',
    lr: 'Adam learning rate, in pixel units.',
    pair: 'Which second class each point is pushed towards: the source\'s runner-up class (default) or a seeded random one.',
  },
  cae: {
    n: COUNT,
    candidates: 'Adversarial candidates optimised (one per base sample); the n most conferrable are kept. At least n.',
    epsilon: 'Largest change of any pixel (L∞ radius) allowed to make a candidate.',
    iterations: 'Optimisation steps per candidate.',
    lr: 'Adam learning rate, in pixel units.',
    alpha: 'Weight of the conferrability term (transfer to pirated models, not to innocent ones).',
    beta: 'Weight of the term that keeps the source on the target class.',
    threshold: 'Conferrability a candidate needs on the whole pool to be kept.',
    modelsPerStep: 'Pirated and innocent pool models sampled per step, each side (0 = the whole pool every step).',
    target: 'Target class per trigger: the source\'s runner-up class or a seeded random other class.',
  },
  metafinger: {
    n: COUNT,
    batch: 'Candidates optimised together per round.',
    rounds: 'Rounds at most; generation stops once n candidates have passed the screen.',
    epochs: 'Meta-training epochs per round.',
    stepsPerEpoch: 'Optimisation steps per epoch.',
    lr: 'Adam learning rate, in pixel units.',
    sample: 'Pool models sampled per side per step.',
    alpha: 'Weight of the term that pushes innocent models away from the source\'s answers.',
    loss: 'Objective: the authors\' KL pull/push (kl) or logit-margin hinges (margin).',
    margin: 'Logit margin of the margin objective (unused with kl).',
    selectAfter: 'Candidates are taken from the epochs after this one.',
    valFraction: 'Share of each pool side held out to screen candidates.',
    augment: 'Random input transformations during optimisation (standard) or none.',
    noise: 'Strength of the noise augmentations.',
    shift: 'Largest shift, in pixels, of the shift augmentation.',
  },
  'adv-tra': {
    trajectories: 'Number of adversarial trajectories (each one is a group of triggers scored together).',
    length: 'Points per trajectory.',
    classes: 'Classes each trajectory crosses.',
    stepSize: 'First step size, in pixel units, before the search rescales it.',
    brake: 'Ratio between adjacent step sizes while approaching the decision boundary.',
    searchRounds: 'Bisection rounds that place each class change in the middle of its segment.',
    mutationThreshold: 'A trajectory matches when the share of its labels the suspect changes is at most this.',
  },
  mfue: {
    n: COUNT,
    epsilon: 'Largest change of any pixel (L∞ radius) of the unlearnable noise.',
    stepSize: 'Size of each sign step of the noise optimisation.',
    rounds: 'Rounds of the joint optimisation; each picks one mimic model.',
    stepsPerRound: 'Sign steps per round on the chosen model.',
    mimics: 'Mimic models trained to stand in for fine-tuned pirates.',
    mimicSteps: 'Training steps between two mimic snapshots.',
    mimicBatch: 'Clean samples per mimic training batch.',
    mimicAdv: 'Adversarial copies appended to each mimic batch.',
    mimicEpsilon: 'L∞ radius of the mimics\' adversarial training.',
    mimicPgdSteps: 'Steps of the mimics\' adversarial (PGD) attack.',
    mimicLr: 'Learning rate of the mimics\' training.',
    tau: 'Tolerance: a trigger matches when the suspect\'s loss is within ±tau of the source\'s.',
    probes: 'Label-only suspects: noisy probes per trigger (queries per suspect = n × probes).',
    searchRounds: 'Label-only suspects: binary-search rounds that calibrate the probes on the source.',
    smoothing: 'Label-only suspects: additive smoothing of the estimated probabilities.',
    probeNoise: 'Label-only suspects: strength of the noise that makes the probes differ.',
    probeEpsilon: 'Label-only suspects: L∞ radius of the margin ascent that gives the probe direction.',
    probeSteps: 'Label-only suspects: steps of that ascent.',
  },
  ganfinger: {
    n: 'Fingerprint pairs wanted; the set holds two inputs per pair.',
    steps: 'Training steps of the generator and discriminator.',
    batchSize: 'Samples per training step.',
    lr: 'Adam learning rate of the generator and the discriminator.',
    eta: 'Weight of the adversarial (target class) loss.',
    alpha: 'Weight of the GAN loss (realistic-looking changes).',
    beta: 'Weight of the bound on the size of each change.',
    gamma: 'Weight of the conferrability loss (pirated models agree, innocent ones do not).',
    eps: 'Largest change of any pixel (L∞ box) the generator may make.',
    c: 'Bound on the L2 size of each change, in pixel units.',
    kappa: 'Confidence margin of the adversarial loss.',
    target: 'Target class per sample: a seeded random other class or the source\'s runner-up.',
    tries: 'Targets tried per original when selecting pairs (0 = every other class).',
    width: 'Base channel width of the generator and discriminator networks.',
    poolSample: 'Pool models per side drawn for each generator step (0 = all).',
    validationShare: 'Share of each pool side held out to select pairs.',
    agreement: 'A pair is kept when at least this share of held-out pirated models follow it.',
    maxNegativeAgreement: 'and at most this share of held-out innocent models do (1 = no innocent filter).',
  },
  anafp: {
    n: COUNT,
    target: 'Target class: DeepFool\'s nearest class or a seeded random other class.',
    overshoot: 'DeepFool overshoot past the decision boundary.',
    maxIter: 'DeepFool iterations at most.',
    q: 'Quantile of the pool\'s robustness and uniqueness bounds used (1 = worst case over each pool).',
    lambdaMax: 'Largest stretch factor tried on the grid.',
    grid: 'Number of stretch factors tried between 1 and lambdaMax.',
    oversample: 'Candidates examined per fingerprint wanted; those with an empty interval are dropped first.',
    shift: 'How a pirate\'s shift is bounded: the exact margin shift or a Lipschitz-style bound.',
  },
};

export async function listMethods(): Promise<OutputOf<'methods.list'>> {
  // The registry loads tfjs: imported only when the wizard asks.
  const { availableMethods } = await import('../engine/methods/index.ts');
  return {
    methods: availableMethods().map((m) => ({
      id: m.id,
      description: m.description,
      needsPool: Boolean(m.needs.positives || m.needs.negatives),
      labelOnly: m.labelOnly,
      defaults: { ...(m.defaults as Record<string, unknown>) },
      help: PARAM_HELP[m.id] ?? {},
    })),
  };
}
