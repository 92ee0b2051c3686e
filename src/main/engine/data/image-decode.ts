/**
 * Decoding PNG/JPEG bytes and turning them into a model input: channel conversion and resizing to
 * [h, w, c] float32 in [0, 1]. Pure JS (pngjs, jpeg-js) so it runs the same in Electron, the CLI and
 * a worker, with no native image library whose version would change the pixels.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** An 8-bit RGBA image as decoded. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width*height*4 bytes, row-major. */
  data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Which decoder the bytes need, by signature (a .png holding a JPEG still decodes). */
export function sniffImage(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Decodes PNG or JPEG bytes to RGBA; throws naming `file` on anything it cannot decode. */
export function decodeImage(bytes: Uint8Array, file: string): RgbaImage {
  const kind = sniffImage(bytes);
  if (!kind) throw new Error(`${file}: not a PNG or JPEG image (unrecognised signature)`);
  let img: RgbaImage;
  try {
    if (kind === 'png') {
      // pngjs always returns 8-bit RGBA (palette expanded, 16-bit scaled down).
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      img = { width: png.width, height: png.height, data: png.data };
    } else {
      // The limits keep a hostile or broken file from exhausting memory.
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 100, maxMemoryUsageInMB: 512 });
    }
  } catch (err) {
    throw new Error(`${file}: corrupt ${kind.toUpperCase()} image: ${(err as Error).message}`);
  }
  if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * 4) {
    throw new Error(`${file}: corrupt ${kind.toUpperCase()} image: decoded ${img.width}x${img.height} with ${img.data.length} bytes`);
  }
  return img;
}

/**
 * RGBA bytes -> `channels` floats in [0, 1] per pixel. Alpha is dropped (not composited), so a
 * transparent pixel keeps its stored colour. Grey uses the ITU-R BT.601 luma weights, as PIL's
 * convert('L') does, so images prepared in Python get the same values.
 */
export function toChannels(img: RgbaImage, channels: 1 | 3): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * channels);
  const d = img.data;
  for (let p = 0; p < n; p++) {
    const r = d[4 * p] / 255;
    const g = d[4 * p + 1] / 255;
    const b = d[4 * p + 2] / 255;
    if (channels === 1) out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else out.set([r, g, b], 3 * p);
  }
  return out;
}

interface AxisWeights {
  /** First source index contributing to each output index. */
  first: Int32Array;
  /** Per output index, the normalised weights of consecutive source indices (ragged, flattened). */
  offsets: Int32Array;
  weights: Float32Array;
}

/**
 * Weights of a triangle (bilinear) filter mapping `inSize` samples to `outSize`, with half-pixel
 * centres. When shrinking, the triangle is widened by the scale factor, as PIL's BILINEAR resize
 * does: plain 2-tap bilinear would skip most source pixels and alias (a 256px photo shrunk to 28px
 * would be sampled at 56 of its 256 columns). When enlarging it is exactly ordinary bilinear
 * interpolation with clamped edges (tf.image.resizeBilinear with halfPixelCenters).
 */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1);
  const first = new Int32Array(outSize);
  const offsets = new Int32Array(outSize + 1);
  const ws: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(inSize - 1, Math.ceil(centre + support));
    const row: number[] = [];
    let sum = 0;
    for (let j = lo; j <= hi; j++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - centre) / support));
      row.push(w);
      sum += w;
    }
    first[i] = lo;
    offsets[i] = ws.length;
    for (const w of row) ws.push(w / sum);
  }
  offsets[outSize] = ws.length;
  return { first, offsets, weights: Float32Array.from(ws) };
}

/** Resizes an HWC float image with the triangle filter (separable: rows, then columns). */
export function resizeBilinear(
  src: Float32Array,
  [inH, inW]: [number, number],
  [outH, outW]: [number, number],
  channels: number,
): Float32Array {
  if (inH === outH && inW === outW) return src.slice();
  const wx = axisWeights(inW, outW);
  const wy = axisWeights(inH, outH);
  // Horizontal pass: inH x outW.
  const tmp = new Float32Array(inH * outW * channels);
  for (let y = 0; y < inH; y++) {
    for (let x = 0; x < outW; x++) {
      for (let k = wx.offsets[x], j = wx.first[x]; k < wx.offsets[x + 1]; k++, j++) {
        const w = wx.weights[k];
        const s = (y * inW + j) * channels;
        const t = (y * outW + x) * channels;
        for (let c = 0; c < channels; c++) tmp[t + c] += w * src[s + c];
      }
    }
  }
  // Vertical pass: outH x outW.
  const out = new Float32Array(outH * outW * channels);
  for (let y = 0; y < outH; y++) {
    for (let k = wy.offsets[y], j = wy.first[y]; k < wy.offsets[y + 1]; k++, j++) {
      const w = wy.weights[k];
      for (let x = 0; x < outW; x++) {
        const s = (j * outW + x) * channels;
        const t = (y * outW + x) * channels;
        for (let c = 0; c < channels; c++) out[t + c] += w * tmp[s + c];
      }
    }
  }
  // Weights are non-negative and sum to 1, so only float rounding can step outside [0, 1].
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]));
  return out;
}

/** Decoded RGBA -> [h, w, c] float32 in [0, 1]. */
export function toModelInput(img: RgbaImage, [h, w, c]: [number, number, number]): Float32Array {
  if (c !== 1 && c !== 3) throw new Error(`image input needs 1 (grey) or 3 (RGB) channels, got ${c}`);
  return resizeBilinear(toChannels(img, c), [img.height, img.width], [h, w], c);
}
