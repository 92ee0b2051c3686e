/**
 * Trigger thumbnails: NHWC float32 [0,1] → PNG (pngjs), upscaled by pixel repetition so a 28×28
 * digit stays crisp in every viewer (PDF viewers smooth small images when they scale them up).
 * Values are clamped and rounded exactly as the trigger-set previews are (round(v·255)), and the
 * pngjs options are fixed, so the same pixels always give the same bytes.
 */
import { PNG } from 'pngjs';

/** Integer factor that brings the longer side to at least `target` pixels (at most 8×). */
export function upscaleFactor(h: number, w: number, target = 96): number {
  return Math.max(1, Math.min(8, Math.ceil(target / Math.max(h, w))));
}

export function pixelsToPng(pixels: Float32Array, shape: readonly [number, number, number], factor = upscaleFactor(shape[0], shape[1])): Buffer {
  const [h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new Error(`thumbnails need 1 or 3 channels, got ${c}`);
  if (pixels.length !== h * w * c) throw new Error(`thumbnail: ${pixels.length} values for ${h}×${w}×${c}`);
  const H = h * factor;
  const W = w * factor;
  const data = Buffer.alloc(H * W * c);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < W; x++) {
      const src = (sy * w + Math.floor(x / factor)) * c;
      const dst = (y * W + x) * c;
      for (let k = 0; k < c; k++) data[dst + k] = Math.min(255, Math.max(0, Math.round(pixels[src + k] * 255)));
    }
  }
  const colorType: 0 | 2 = c === 1 ? 0 : 2;
  const opts = { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 as const };
  const png = new PNG({ width: W, height: H, ...opts });
  png.data = data;
  return PNG.sync.write(png, { ...opts, deflateLevel: 9, deflateStrategy: 3, filterType: -1 });
}
