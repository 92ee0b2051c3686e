/**
 * The hashes the data module records. Each one has a fixed byte encoding, written down here,
 * because an arbiter re-running a verification from a bundle must be able to recompute it with any
 * tool, not just this code.
 */
import { createHash } from 'node:crypto';
import type { FileHash } from './types.ts';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function fileHash(file: string, bytes: Uint8Array): FileHash {
  return { file, bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
}

/** SHA-256 over the UTF-8 lines `${file}\t${sha256}\n`, in the order given. */
export function manifestSha256(files: readonly FileHash[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.file}\t${f.sha256}\n`);
  return h.digest('hex');
}

/**
 * SHA-256 of an index list encoded as little-endian uint32s, in the order given. Explicit LE so the
 * hash does not depend on the machine's byte order.
 */
export function indicesSha256(indices: ArrayLike<number>): string {
  const bytes = new Uint8Array(indices.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < indices.length; i++) view.setUint32(i * 4, indices[i], true);
  return sha256Hex(bytes);
}
