/**
 * tfjs-layers' Conv2D, except that inside a gradient tape a conv with a linear activation runs as
 * the plain conv2d op instead of the fused one.
 *
 * Why: tfjs runs linear-activation convs through `tf.fused.conv2d` even while recording gradients,
 * and that op's custom gradient always computes the filter (and bias) gradients as well as the input
 * gradient. For an input gradient (every fingerprinting method's inner loop) the filter gradients
 * are pure waste: ≈30 of 85 ms of a resnet input-gradient step. The plain op's registered gradient
 * is pruned per input, so only what is asked for is computed. Outside a tape, and for every other
 * activation (which tfjs already unfuses inside a tape), this is exactly the library's layer.
 *
 * It keeps the class name 'Conv2D' and replaces the library's registration, so saved models are
 * standard tfjs models and load anywhere; loading them here gives this class.
 */
import * as tf from '@tensorflow/tfjs';

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];
// The library exports a factory, not the class; one throw-away instance gives us the class.
const LibraryConv2D = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as new (args: ConvArgs) => tf.layers.Layer;

interface ConvInternals {
  kernel: { read(): tf.Tensor4D };
  bias: { read(): tf.Tensor1D } | null;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: 'same' | 'valid';
  dataFormat: string;
  dilationRate: [number, number];
}

function inGradientTape(): boolean {
  return ((tf.engine().state as unknown as { gradientDepth?: number }).gradientDepth ?? 0) > 0;
}

export class TapeAwareConv2D extends LibraryConv2D {
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as ConvInternals;
    if (!inGradientTape() || self.activation.getClassName() !== 'linear' || self.dataFormat !== 'channelsLast') {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const y = tf.conv2d(x, self.kernel.read(), self.strides, self.padding, 'NHWC', self.dilationRate);
      return self.bias ? tf.add(y, self.bias.read()) : y;
    });
  }
}
tf.serialization.registerClass(TapeAwareConv2D as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

export function conv2d(args: ConvArgs): tf.layers.Layer {
  return new TapeAwareConv2D(args);
}
