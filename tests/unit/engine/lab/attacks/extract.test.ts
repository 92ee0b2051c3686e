import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ATTACKS } from '../../../../../src/main/engine/lab/attacks/index.ts';
import { agreement, ctxOf, sameSnapshots, setup, snapshot, type Fixture } from './helpers.ts';

let f: Fixture;
let before: Map<string, Float32Array>;

beforeAll(async () => {
  f = await setup('mlp');
  before = snapshot(f.source);
});
afterAll(() => f.source.dispose());

describe('extract attack', () => {
  it('labels mode: the student agrees with the source on >= 90% of held-out inputs, without true labels', async () => {
    // The dataset the attacker holds has every label set to 0: only the source's answers can teach.
    const blind = { ...f.data, labels: new Uint8Array(f.data.labels.length) };
    const { model, spec, record } = await ATTACKS.extract.run({ ...ctxOf(f, f.attacker), data: blind }, {});
    const agree = agreement(model, f.source, f.data, f.test);
    console.log(`${record.params.mode} agreement ${agree.toFixed(3)}`);
    expect(agree).toBeGreaterThanOrEqual(0.9);
    expect(record.details?.queries).toBe(2000);
    expect(record.params).toEqual({ mode: 'labels', temperature: 1, arch: 'mlp', width: 1, epochs: 10, lr: 1e-3, optimizer: 'adam', batchSize: 64, queryBudget: null });
    expect(spec.arch).toBe('mlp');
    expect(spec.seed).not.toBe(f.spec.seed);
    model.dispose();
    expect(sameSnapshots(snapshot(f.source), before)).toBe(true);
  });

  it('probabilities mode (distillation, T = 2) also reaches >= 90% agreement', async () => {
    const { model, record } = await ATTACKS.extract.run(ctxOf(f, f.attacker), { mode: 'probabilities', temperature: 2, epochs: 5 });
    const agree = agreement(model, f.source, f.data, f.test);
    console.log(`${record.params.mode} agreement ${agree.toFixed(3)}`);
    expect(agree).toBeGreaterThanOrEqual(0.9);
    expect(record.params.temperature).toBe(2);
    model.dispose();
  });

  it('any registry architecture as student; query budget; deterministic; numTensors flat', async () => {
    const start = tf.memory().numTensors;
    const run = async (seed: number) => ATTACKS.extract.run(ctxOf(f, f.attacker, seed), { arch: 'lenet', width: 0.5, epochs: 1, queryBudget: 200 });
    const a = await run(4);
    const b = await run(4);
    expect(a.spec).toMatchObject({ arch: 'lenet', width: 0.5 });
    expect(a.record.details?.queries).toBe(200);
    expect(a.record.details?.steps).toBe(4);
    expect(sameSnapshots(snapshot(a.model), snapshot(b.model))).toBe(true);
    a.model.dispose();
    b.model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects bad params with the field named', async () => {
    const ctx = ctxOf(f, f.attacker);
    await expect(ATTACKS.extract.run(ctx, { mode: 'logits' })).rejects.toThrow('extract.mode: expected one of "labels", "probabilities", got "logits"');
    await expect(ATTACKS.extract.run(ctx, { arch: 'gpt' })).rejects.toThrow(/^extract\.arch: expected one of "mlp"/);
    await expect(ATTACKS.extract.run(ctx, { temperature: 0 })).rejects.toThrow('extract.temperature');
    await expect(ATTACKS.extract.run(ctx, { queryBudget: 0 })).rejects.toThrow('extract.queryBudget');
  });
});
