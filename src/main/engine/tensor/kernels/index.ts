/**
 * Registers our kernels on the tfjs wasm backend: the gradient kernels it lacks or runs slowly,
 * the forward convolutions and batch norm, per-channel broadcasts of Add/Sub/Multiply/RealDiv,
 * Tile (slow, and on the batch-norm gradient path) and a copy-free Identity.
 * Must run before the backend is initialised (setupFunc of wrapped kernels runs at init).
 * Each of our kernel configs is tagged `provenant: true` so EngineInfo can list them.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { BatchMatMul, wrapBatchMatMul } from './batch-matmul.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { Mean, Sum, wrapMean, wrapSum } from './reduce-leading-axes.ts';
import { Tile, wrapTile } from './tile.ts';
import { Conv2D, FusedConv2D, wrapConv2D } from './conv2d.ts';
import { Add, Multiply, RealDiv, Sub, wrapBroadcastBinary } from './broadcast-binary.ts';
import { FusedBatchNorm, wrapBatchNorm } from './batch-norm.ts';
import { Identity, wrapIdentity } from './identity.ts';
import { nativeKernels } from '../native/native-kernels.ts';
import type { WasmBackend } from './wasm-heap.ts';

let registered = false;

/**
 * Registers `config` in place of the backend's kernel. Its setupFunc (run by tf.setBackend('wasm'))
 * also loads our native module, so a module that cannot load makes the backend fail to initialise,
 * loudly, instead of failing at the first gradient.
 */
function replace(config: KernelConfig): void {
  if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
  const setup = config.setupFunc;
  const setupFunc = (backend: object) => {
    setup?.(backend as never);
    nativeKernels(backend as WasmBackend);
  };
  registerKernel({ ...config, setupFunc, provenant: true } as KernelConfig);
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
  replace(wrapTile(backendKernel(Tile)));
  replace(wrapConv2D(backendKernel(Conv2D)));
  replace(wrapConv2D(backendKernel(FusedConv2D)));
  for (const name of [Add, Sub, Multiply, RealDiv]) replace(wrapBroadcastBinary(backendKernel(name)));
  replace(wrapBatchNorm(backendKernel(FusedBatchNorm)));
  replace(wrapIdentity(backendKernel(Identity)));
  replace(conv2DBackpropFilterConfig);
  replace(conv2DBackpropInputConfig);
  replace(maxPoolGradConfig);
  registered = true;
}
