import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ATTACKS, getAttack } from '../../../../../src/main/engine/lab/attacks/index.ts';
import { evaluateAccuracy } from '../../../../../src/main/engine/models/training.ts';
import { buildModel } from '../../../../../src/main/engine/models/architectures.ts';
import { ctxOf, same, sameSnapshots, setup, snapshot, type Fixture } from './helpers.ts';

let f: Fixture;
let attacker: Int32Array;
let before: Map<string, Float32Array>;
const LOGITS = ['mlp/logits/kernel', 'mlp/logits/bias'];

beforeAll(async () => {
  f = await setup('mlp');
  attacker = f.attacker.slice(0, 320);
  before = snapshot(f.source);
});
afterAll(() => f.source.dispose());

describe('fine-tuning attacks', () => {
  it('FTLL changes only the logits layer; every other weight is bit-identical', async () => {
    const { model, record } = await ATTACKS.ftll.run(ctxOf(f, attacker), { epochs: 1 });
    const after = snapshot(model);
    for (const [name, v] of before) expect(same(v, after.get(name)!), name).toBe(!LOGITS.includes(name));
    expect(record.params).toEqual({ epochs: 1, lr: 0.01, momentum: 0.9, batchSize: 64 });
    expect(record.details?.steps).toBe(5);
    expect(evaluateAccuracy(model, f.data, f.test)).toBeGreaterThan(0.6);
    model.dispose();
    expect(sameSnapshots(snapshot(f.source), before)).toBe(true);
  });

  it('FTAL changes the hidden layers too', async () => {
    const { model } = await ATTACKS.ftal.run(ctxOf(f, attacker), { epochs: 1 });
    const after = snapshot(model);
    for (const name of ['mlp/fc1/kernel', 'mlp/fc2/kernel', ...LOGITS]) expect(same(before.get(name)!, after.get(name)!), name).toBe(false);
    model.dispose();
    expect(sameSnapshots(snapshot(f.source), before)).toBe(true);
  });

  it('RTLL/RTAL re-initialise the logits layer (epochs 0: no training at all); RTLL leaves the rest alone', async () => {
    for (const id of ['rtll', 'rtal'] as const) {
      const { model } = await ATTACKS[id].run(ctxOf(f, attacker), { epochs: 0 });
      const after = snapshot(model);
      expect(same(before.get('mlp/logits/kernel')!, after.get('mlp/logits/kernel')!)).toBe(false);
      expect(after.get('mlp/logits/bias')!.every((v) => v === 0)).toBe(true);
      for (const name of ['mlp/fc1/kernel', 'mlp/fc2/bias']) expect(same(before.get(name)!, after.get(name)!)).toBe(true);
      model.dispose();
    }
    const { model } = await ATTACKS.rtll.run(ctxOf(f, attacker), { epochs: 2 });
    const after = snapshot(model);
    for (const [name, v] of before) expect(same(v, after.get(name)!), name).toBe(!LOGITS.includes(name));
    // Two short epochs on frozen source features already put the fresh head far above chance.
    expect(evaluateAccuracy(model, f.data, f.test)).toBeGreaterThan(0.3);
    model.dispose();
    const rtal = await ATTACKS.rtal.run(ctxOf(f, attacker), { epochs: 1 });
    expect(same(before.get('mlp/fc1/kernel')!, snapshot(rtal.model).get('mlp/fc1/kernel')!)).toBe(false);
    rtal.model.dispose();
    expect(sameSnapshots(snapshot(f.source), before)).toBe(true);
  });

  it('FTLL keeps batch-norm moving statistics too (resnet body in inference mode)', async () => {
    const spec = { arch: 'resnet' as const, inputShape: [28, 28, 1] as [number, number, number], numClasses: 10, seed: 3, width: 0.25 };
    const source = buildModel(spec);
    const src = snapshot(source);
    const { model } = await ATTACKS.ftll.run({ ...ctxOf(f, attacker.slice(0, 64)), source, sourceSpec: spec }, { epochs: 1 });
    const after = snapshot(model);
    for (const [name, v] of src) expect(same(v, after.get(name)!), name).toBe(!name.startsWith('resnet/logits'));
    model.dispose();
    source.dispose();
  });

  it('is deterministic per seed; another seed differs', async () => {
    const run = async (seed: number) => {
      const { model } = await ATTACKS.rtal.run(ctxOf(f, attacker.slice(0, 128), seed), { epochs: 1 });
      const s = snapshot(model);
      model.dispose();
      return s;
    };
    const a = await run(1);
    expect(sameSnapshots(a, await run(1))).toBe(true);
    expect(sameSnapshots(a, await run(2))).toBe(false);
  });

  it('keeps numTensors flat, reports progress, honours cancellation', async () => {
    const start = tf.memory().numTensors;
    const events: number[] = [];
    for (const id of ['ftll', 'ftal', 'rtll', 'rtal'] as const) {
      const { model } = await getAttack(id).run(ctxOf(f, attacker.slice(0, 128), 5, { onProgress: (p) => events.push(p.done) }), { epochs: 1 });
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
    expect(events.slice(0, 2)).toEqual([1, 2]);
    const ac = new AbortController();
    const run = ATTACKS.ftal.run(ctxOf(f, attacker, 5, { signal: ac.signal, onProgress: (p) => p.done === 2 && ac.abort() }), { epochs: 3 });
    await expect(run).rejects.toMatchObject({ name: 'TrainingCancelled' });
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects bad params and unknown ids with the field named', async () => {
    const ctx = ctxOf(f, attacker);
    await expect(ATTACKS.ftll.run(ctx, { lr: -1 })).rejects.toThrow('ftll.lr: expected a number in (0, ∞), got -1');
    await expect(ATTACKS.ftal.run(ctx, { epochs: 1.5 })).rejects.toThrow(/^ftal\.epochs: expected an integer/);
    await expect(ATTACKS.rtal.run(ctx, { lrr: 1 } as never)).rejects.toThrow(/rtal\.lrr: unknown parameter/);
    await expect(ATTACKS.rtll.run(ctxOf(f, new Int32Array(0)), {})).rejects.toThrow(/attackerIndices/);
    expect(() => getAttack('finetune')).toThrow('unknown attack "finetune"; choose one of ftll, ftal, rtll, rtal, prune, adv-train, extract');
  });
});
