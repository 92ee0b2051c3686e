/**
 * Registers our kernels on the tfjs wasm backend: the gradient kernels it lacks or runs slowly.
 * Must run before the backend is initialised (setupFunc of wrapped kernels runs at init).
 * Each of our kernel configs is tagged `provenant: true` so EngineInfo can list them.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { BatchMatMul, wrapBatchMatMul } from './batch-matmul.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { Mean, Sum, wrapMean, wrapSum } from './reduce-leading-axes.ts';

let registered = false;

function replace(config: KernelConfig): void {
  if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
  registerKernel({ ...config, provenant: true } as KernelConfig);
}

function backendKernel(name: string): KernelConfig {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`the tfjs wasm backend must be imported before registerWasmKernels() (no ${name} kernel)`);
  return k;
}

export function registerWasmKernels(): void {
  if (registered) return;
  replace(wrapBatchMatMul(backendKernel(BatchMatMul)));
  replace(wrapSum(backendKernel(Sum)));
  replace(wrapMean(backendKernel(Mean)));
  replace(conv2DBackpropFilterConfig);
  replace(conv2DBackpropInputConfig);
  replace(maxPoolGradConfig);
  registered = true;
}
