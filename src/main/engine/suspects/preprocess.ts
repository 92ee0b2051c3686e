/**
 * Declared input preprocessing of a foreign model (ONNX file, remote API): Provenant's inputs are
 * NHWC float32 in [0,1], RGB; the suspect may expect another layout, a 0–255 range, per-channel
 * mean/std normalisation or BGR order. The investigator declares it (it is recorded with the
 * exhibit); nothing is guessed except the layout of an ONNX input whose shape makes it unambiguous.
 *
 * Order (as torchvision / OpenCV pipelines apply it): x' = (x·scale − mean[c]) / std[c], then the
 * channel order, then the layout.
 */
import { z } from 'zod';

export const PreprocessingSchema = z.object({
  /** Multiplies the [0,1] input first (255 for models trained on raw bytes). */
  scale: z.number().positive().default(1),
  /** Per-channel mean in the scaled units (one value broadcasts to every channel). */
  mean: z.array(z.number()).min(1).optional(),
  /** Per-channel standard deviation in the scaled units (one value broadcasts). */
  std: z.array(z.number().positive()).min(1).optional(),
  channelOrder: z.enum(['rgb', 'bgr']).default('rgb'),
  layout: z.enum(['nhwc', 'nchw']).default('nhwc'),
});
export type Preprocessing = z.infer<typeof PreprocessingSchema>;
export type PreprocessingInput = z.input<typeof PreprocessingSchema>;

function perChannel(name: string, v: number[] | undefined, c: number, fill: number): Float64Array {
  const out = new Float64Array(c).fill(fill);
  if (!v) return out;
  if (v.length !== 1 && v.length !== c) throw new Error(`preprocessing.${name}: expected 1 or ${c} values (one per channel), got ${v.length}`);
  for (let k = 0; k < c; k++) out[k] = v.length === 1 ? v[0] : v[k];
  return out;
}

/** True when preprocessing leaves NHWC [0,1] RGB inputs unchanged. */
export function isIdentity(p: Preprocessing): boolean {
  const unit = (v: number[] | undefined, x: number) => !v || v.every((e) => e === x);
  return p.scale === 1 && unit(p.mean, 0) && unit(p.std, 1) && p.channelOrder === 'rgb' && p.layout === 'nhwc';
}

/** Applies `p` to n NHWC inputs of shape [h, w, c]; returns a new array in the declared layout. */
export function preprocess(inputs: Float32Array, n: number, shape: [number, number, number], p: Preprocessing): Float32Array {
  const [h, w, c] = shape;
  const size = h * w * c;
  if (inputs.length !== n * size) throw new Error(`preprocess: expected ${n}×${h}×${w}×${c} = ${n * size} values, got ${inputs.length}`);
  if (p.channelOrder === 'bgr' && c !== 3) throw new Error(`preprocessing.channelOrder: "bgr" needs 3 channels, the input has ${c}`);
  const mean = perChannel('mean', p.mean, c, 0);
  const std = perChannel('std', p.std, c, 1);
  const out = new Float32Array(inputs.length);
  const nchw = p.layout === 'nchw';
  for (let b = 0; b < n; b++) {
    const base = b * size;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          const v = (inputs[base + (y * w + x) * c + k] * p.scale - mean[k]) / std[k];
          const kk = p.channelOrder === 'bgr' ? c - 1 - k : k;
          out[base + (nchw ? (kk * h + y) * w + x : (y * w + x) * c + kk)] = v;
        }
      }
    }
  }
  return out;
}
