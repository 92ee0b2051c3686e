/**
 * A parser for the IDX format of MNIST-style datasets (http://yann.lecun.com/exdb/mnist/):
 *
 *   bytes 0-1  zero
 *   byte  2    element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3    number of dimensions d
 *   then d big-endian uint32 sizes, then the elements, big-endian, row-major.
 *
 * Files may be gzip-compressed (detected by the gzip magic, not the name). Every error names the
 * file, because a user pointing PROVENANT_FASHION_MNIST_DIR at the wrong folder needs to know which
 * file is wrong.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file. */
export interface IdxArray {
  /** Element type code from the header (0x08 for unsigned bytes). */
  type: number;
  dims: number[];
  data: IdxData;
}

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip bytes, or returns plain bytes unchanged. `file` is only for the error message. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new Error(`${file}: corrupt gzip data: ${(err as Error).message}`);
  }
}

/** Parses IDX bytes (plain or gzip). `file` names the source in errors. */
export function parseIdx(raw: Uint8Array, file: string): IdxArray {
  const bytes = maybeGunzip(raw, file);
  if (bytes.length < 4) throw new Error(`${file}: not an IDX file (only ${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = bytes[2];
  const ndim = bytes[3];
  const magic = view.getUint32(0).toString(16).padStart(8, '0');
  const spec = TYPES[type];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !spec || ndim === 0) {
    throw new Error(`${file}: bad IDX magic number 0x${magic} (expected 0x0000TTDD: a known type TT and DD >= 1 dimensions)`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) throw new Error(`${file}: IDX header truncated (${ndim} dimensions declared, ${bytes.length} bytes)`);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * spec.size;
  if (bytes.length !== expected) {
    throw new Error(
      `${file}: IDX size mismatch: dims [${dims.join(', ')}] of ${spec.name} need ${expected} bytes, file has ${bytes.length}` +
        (bytes.length < expected ? ' (truncated?)' : ''),
    );
  }
  return { type, dims, data: readElements(view, headerBytes, count, type) };
}

function readElements(view: DataView, offset: number, count: number, type: number): IdxData {
  if (type === 0x08) return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
  if (type === 0x09) return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
  // Multi-byte elements are big-endian; DataView reads them portably whatever the host order.
  if (type === 0x0b) return Int16Array.from({ length: count }, (_, i) => view.getInt16(offset + 2 * i));
  if (type === 0x0c) return Int32Array.from({ length: count }, (_, i) => view.getInt32(offset + 4 * i));
  if (type === 0x0d) return Float32Array.from({ length: count }, (_, i) => view.getFloat32(offset + 4 * i));
  return Float64Array.from({ length: count }, (_, i) => view.getFloat64(offset + 8 * i));
}

/** Reads and parses an IDX file; returns the raw bytes too, for hashing. */
export function readIdxFile(path: string): { raw: Uint8Array; idx: IdxArray } {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read: ${(err as Error).message}`);
  }
  return { raw, idx: parseIdx(raw, path) };
}

/**
 * Encodes an IDX file (uint8 only): the inverse of parseIdx for the type our datasets use. Tests
 * and fixtures write small IDX files with it.
 */
export function encodeIdxUint8(dims: number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdxUint8: dims [${dims.join(', ')}] need ${count} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
