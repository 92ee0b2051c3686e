/**
 * The flags that declare how a foreign model (ONNX file, prediction API) is fed: layout, scale,
 * per-channel mean/std and channel order. Shared by `verify`, `import` and `generate`, so the same
 * words mean the same thing everywhere (and are recorded the same way).
 */
import type { PreprocessingInput } from '../engine/suspects/preprocess.ts';
import { choiceFlag, numberFlag, type Options } from './args.ts';

export const PREPROCESS_OPTIONS: Options = {
  layout: { type: 'string' }, scale: { type: 'string' }, mean: { type: 'string' }, std: { type: 'string' }, bgr: { type: 'boolean' },
};

export const PREPROCESS_USAGE = '[--layout nhwc|nchw] [--scale S] [--mean a[,b,c]] [--std a[,b,c]] [--bgr]';

const list = (v: unknown, flag: string) => String(v).split(',').map((x) => numberFlag(x.trim(), flag)!);

/** The declared preprocessing, or undefined when no flag was given. */
export function preprocessingFlags(v: Record<string, unknown>): PreprocessingInput | undefined {
  const p: PreprocessingInput = {
    ...(v.layout !== undefined ? { layout: choiceFlag(v.layout, 'layout', ['nhwc', 'nchw'] as const) } : {}),
    ...(v.scale !== undefined ? { scale: numberFlag(v.scale, 'scale') } : {}),
    ...(v.mean !== undefined ? { mean: list(v.mean, 'mean') } : {}),
    ...(v.std !== undefined ? { std: list(v.std, 'std') } : {}),
    ...(v.bgr ? { channelOrder: 'bgr' as const } : {}),
  };
  return Object.keys(p).length ? p : undefined;
}
