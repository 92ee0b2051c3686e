import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluateAccuracy } from '../../../../src/main/engine/models/training.ts';
import { loadMnist } from '../../../../src/main/engine/data/mnist.ts';
import { makeFixture, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(() => fx?.cleanup());

it('the method-test pool fixture gives usable positives and negatives', async () => {
  const t0 = performance.now();
  const pools = await fx.pools();
  const data = loadMnist();
  const acc = (m: { model: import('@tensorflow/tfjs').LayersModel }) => evaluateAccuracy(m.model, data, fx.splits.test.indices);
  const pos = pools.positives.map(acc);
  const neg = pools.negatives.map(acc);
  console.log(`pool fixture in ${((performance.now() - t0) / 1000).toFixed(1)} s: positives ${pos.map((a) => a.toFixed(3))}, negatives ${neg.map((a) => a.toFixed(3))}`);
  for (const a of [...pos, ...neg]) expect(a).toBeGreaterThan(0.7);
});
