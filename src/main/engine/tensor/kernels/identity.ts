/**
 * Identity for the wasm backend without a copy: the output shares the input's heap data (one more
 * reference), as Reshape already does on this backend and Identity does on the cpu and webgl
 * backends. The backend's own Identity copies the data in JavaScript; gradients call it for every
 * pass-through (add, relu masks), ≈4 ms of a resnet train step. Strings go to the backend's kernel.
 */
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

export function wrapIdentity(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    if (x.dtype === 'string') return fallback(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...original, kernelFunc };
}

export { Identity };
