/** A LayersModel as a Classifier (softmax over its logits), the base every wrapper wraps. */
import * as tf from '@tensorflow/tfjs';
import { predictProbabilities } from '../models/predict.ts';
import type { Classifier } from './types.ts';

export function modelClassifier(model: tf.LayersModel, name = model.name): Classifier {
  const shape = model.inputs[0].shape.slice(1) as [number, number, number];
  const out = model.outputs[0].shape;
  return {
    inputShape: shape,
    numClasses: out[out.length - 1] as number,
    predictProbs: (x) => predictProbabilities(model, x),
    describe: () => name,
  };
}
