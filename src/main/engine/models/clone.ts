/**
 * An independent copy of a model: rebuilt from its spec (so the copy has the same layer names and
 * structure as any model of that spec) with every weight copied, trainable and not (batch-norm
 * moving statistics included). The copy owns fresh buffers: nothing done to it — training, in-place
 * kernels, disposal — can reach the source.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from './architectures.ts';
import type { ArchSpec } from './types.ts';

export function cloneModel(model: tf.LayersModel, spec: ArchSpec): tf.LayersModel {
  const copy = buildModel(spec);
  try {
    const src = model.weights;
    const dst = copy.weights;
    if (src.length !== dst.length) {
      throw new Error(`cloneModel: the source has ${src.length} weights, a ${spec.arch} of this spec has ${dst.length}; is the spec the source's?`);
    }
    src.forEach((w, i) => {
      const d = dst[i];
      if (w.shape.join(',') !== d.shape.join(',') || w.originalName !== d.originalName) {
        throw new Error(`cloneModel: weight ${i} is ${w.originalName} [${w.shape}] in the source but ${d.originalName} [${d.shape}] in the spec's model`);
      }
    });
    // Copied through JS memory rather than shared by reference: tfjs would share the buffer
    // (copy-on-assign), which is safe today, but a real copy keeps that safety independent of any
    // kernel or backend detail.
    const values = src.map((w) => {
      const v = w.read();
      return tf.tensor(v.dataSync().slice(), v.shape, v.dtype);
    });
    try {
      copy.setWeights(values);
    } finally {
      tf.dispose(values);
    }
    return copy;
  } catch (err) {
    copy.dispose();
    throw err;
  }
}
