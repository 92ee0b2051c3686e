/**
 * What the report says about each fingerprinting method: what the triggers are, why a derived model
 * answers them like the source while an independent one does not, and what the score counts.
 * Short and factual, naming the paper; the details and our departures from each paper live in
 * docs/decisions/methods-*.md, which the report cites.
 */
import type { MethodId } from '../../engine/methods/types.ts';

export interface MethodText {
  name: string;
  paper: string;
  text: string;
  /** docs/decisions file with Provenant's parameters and departures from the paper. */
  doc: string;
}

export const METHOD_TEXTS: Record<MethodId, MethodText> = {
  ipguard: {
    name: 'IPGuard',
    paper: 'X. Cao, J. Jia, N. Z. Gong, "IPGuard: Protecting Intellectual Property of Deep Neural Networks via Fingerprinting the Classification Boundary", ACM AsiaCCS 2021',
    text:
      'The triggers are inputs moved onto the source model\'s decision boundary, where its two highest outputs are almost tied. Where exactly a boundary runs is particular to one trained model: a copy that was fine-tuned or pruned keeps most of it and answers these points like the source, while an independently trained model draws its boundaries elsewhere. Score: the share of triggers on which the suspect gives the source\'s label. Needs labels only.',
    doc: 'docs/decisions/methods-ipguard-advtra.md',
  },
  cae: {
    name: 'CAE (conferrable adversarial examples)',
    paper: 'N. Lukas, Y. Zhang, F. Kerschbaum, "Deep Neural Network Fingerprinting by Conferrable Adversarial Examples", ICLR 2021',
    text:
      'The triggers are targeted adversarial examples of the source, optimised so that they transfer to surrogate models derived from the source but not to independently trained reference models ("conferrable"). A model derived from the source therefore tends to give the same, unusual label; an independent model does not. Score: the share of triggers on which the suspect gives the source\'s label. Needs labels only.',
    doc: 'docs/decisions/methods-cae.md',
  },
  metafinger: {
    name: 'MetaFinger',
    paper: 'K. Yang et al., "MetaFinger: Fingerprinting the Deep Neural Networks with Meta-training", IJCAI 2022',
    text:
      'The triggers are optimised over a pool of models derived from the source and a pool of independently trained models, under random input transformations, so that derived models answer the source\'s label and independent ones do not; a trigger is kept only if held-out validation models of both kinds confirm this. Score: the share of triggers on which the suspect gives the source\'s label. Needs labels only.',
    doc: 'docs/decisions/methods-metafinger.md',
  },
  'adv-tra': {
    name: 'ADV-TRA (adversarial trajectories)',
    paper: 'T. Xu et al., "United We Stand, Divided We Fall: Fingerprinting Deep Neural Networks via Adversarial Trajectories", NeurIPS 2024',
    text:
      'Instead of single points, each fingerprint is a chain of small adversarial steps that crosses the source\'s decision boundaries between several classes, with steps that shrink near each boundary. A derived model flips its label at nearly the same places along the chain; an independent model does not. A trajectory matches when the suspect disagrees with the source on few of its points. Score: the share of matching trajectories. Needs labels only.',
    doc: 'docs/decisions/methods-ipguard-advtra.md',
  },
  mfue: {
    name: 'MFUE (unlearnable-example fingerprints)',
    paper: 'T. Xu et al., "Breaking the Boundary Barrier: Robust Model Fingerprinting via Unlearnable Examples in Model-Parameter Space", KDD 2026',
    text:
      'The triggers are small perturbations that minimise the loss of the source and of adversarially fine-tuned copies of it ("mimics"), so that any model in the source\'s neighbourhood of parameter space has a similar loss on them, whatever attack moved it there, while an independent model does not. A trigger matches when the suspect\'s loss lies within ±τ of the source\'s; for a suspect that returns only labels, its probabilities are estimated by Monte Carlo probing. Score: the share of matching triggers.',
    doc: 'docs/decisions/methods-mfue.md',
  },
  ganfinger: {
    name: 'GanFinger',
    paper: 'H. Ren et al., "GanFinger: GAN-Based Fingerprint Generation for Deep Neural Network Ownership Verification", AAAI 2024',
    text:
      'A generator network, trained against a discriminator, makes pairs of an input and a slightly changed copy that the source misclassifies; the copies are chosen so that models derived from the source misclassify them in the same way while independent models do not. Score: GanFinger\'s accuracy–robustness distance (agreement with the source on the changed copies minus agreement on the originals), mapped to [0, 1]. Needs labels only.',
    doc: 'docs/decisions/methods-ganfinger.md',
  },
  anafp: {
    name: 'AnaFP (analytical fingerprints)',
    paper: 'G. Yang, Z. Geng, Y. Chen, C. Luo, "Fingerprinting Deep Neural Networks for Ownership Protection: An Analytical Approach", 2026',
    text:
      'Each trigger is placed past the source\'s decision boundary along its smallest crossing perturbation (DeepFool), stretched by a factor λ chosen between a lower bound that keeps derived models agreeing (robustness) and an upper bound that keeps independent models disagreeing (uniqueness), both estimated on surrogate model pools. Score: the share of triggers on which the suspect gives the source\'s label. Needs labels only. No code of the paper is public: Provenant\'s version is reconstructed from its published description.',
    doc: 'docs/decisions/methods-anafp.md',
  },
};

/** Why the verdict's number can be trusted, whatever the method (the calibration, not the paper). */
export const CALIBRATION_TEXT = [
  'The score alone does not decide. The same trigger set was scored on a null of innocent models: models trained independently of the source, never used to make the triggers. The probability of a false accusation is the probability that such an innocent model scores as high as the suspect.',
  'It is measured directly: with N innocent models of which k score at least as high as the suspect, the empirical p-value is (1 + k)/(N + 1). This is exact when the suspect, were it innocent, would be like any other innocent model, and it can never fall below 1/(N + 1). To speak of smaller probabilities, a distribution is fitted to the null (a beta-binomial on match counts, or a beta on scores) and its tail is read at the suspect\'s score. The fitted tail only extends the measurement: "derived" is decided only when the suspect also scores above every innocent model.',
];
