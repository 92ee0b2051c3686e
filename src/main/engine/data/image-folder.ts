/**
 * Imports a user's own images: a folder with one sub-folder per class, each holding PNG/JPEG files.
 *
 *   root/cat/001.png, root/cat/002.jpg, root/dog/a.jpeg  ->  classNames ['cat', 'dog']
 *
 * Determinism: class folders and files are sorted by UTF-16 code units (not localeCompare, whose
 * order depends on the machine's locale), so the same folder gives the same labels, sample order
 * and hash everywhere. Every image is resized to the requested [h, w, c] (image-decode.ts).
 *
 * What is skipped, with a warning recorded in the dataset's source: files with other extensions,
 * nested folders, files at the top level. Hidden files (.DS_Store, ._x) are skipped silently. What
 * is an error: a corrupt image (naming the file), an empty class folder, no class folders at all.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { allocLabels, validateDataset } from './dataset.ts';
import { fileHash, manifestSha256 } from './hash.ts';
import { decodeImage, toModelInput } from './image-decode.ts';
import type { Dataset, FileHash } from './types.ts';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** Options of loadImageFolder. */
export interface ImageFolderOptions {
  /** The root folder (one sub-folder per class). */
  path: string;
  /** Target [height, width, channels]; channels 1 converts to grey, 3 keeps RGB. Alpha is dropped. */
  inputShape: [number, number, number];
  /** Display name; default "<folder name> (image folder)". */
  name?: string;
  signal?: AbortSignal;
  /** Called after each image with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory(); // stat, not lstat: a symlinked class folder counts
  } catch {
    return false;
  }
}

interface Listing {
  classNames: string[];
  /** Per class, the image files (relative to root: "class/file"). */
  files: string[][];
  warnings: string[];
}

/** Lists classes and image files without reading any image. */
export function listImageFolder(root: string): Listing {
  if (!isDir(root)) throw new Error(`image folder ${root} does not exist or is not a folder`);
  const warnings: string[] = [];
  const classNames: string[] = [];
  for (const entry of readdirSync(root).sort(byCodeUnits)) {
    if (entry.startsWith('.')) continue;
    if (isDir(join(root, entry))) classNames.push(entry);
    else warnings.push(`${entry}: skipped, files must sit in a class sub-folder`);
  }
  if (classNames.length === 0) {
    throw new Error(`image folder ${root} has no class sub-folders (expected root/<class>/<image files>)`);
  }
  const files = classNames.map((cls) => {
    const images: string[] = [];
    for (const entry of readdirSync(join(root, cls)).sort(byCodeUnits)) {
      if (entry.startsWith('.')) continue;
      const rel = `${cls}/${entry}`;
      if (isDir(join(root, cls, entry))) warnings.push(`${rel}: skipped, nested folders are not read`);
      else if (!IMAGE_EXTENSIONS.has(extname(entry).toLowerCase())) warnings.push(`${rel}: skipped, not .png/.jpg/.jpeg`);
      else images.push(rel);
    }
    if (images.length === 0) throw new Error(`class folder ${join(root, cls)} has no PNG/JPEG images`);
    return images;
  });
  return { classNames, files, warnings };
}

function checkShape(shape: [number, number, number]): void {
  const [h, w, c] = shape;
  if (!(Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0) || (c !== 1 && c !== 3)) {
    throw new Error(`inputShape must be [height, width, 1 or 3] with positive integer sizes, got [${shape.join(', ')}]`);
  }
}

/** Reads, decodes and resizes every image; labels are class-folder indices in sorted order. */
export async function loadImageFolder(opts: ImageFolderOptions): Promise<Dataset> {
  checkShape(opts.inputShape);
  const root = resolve(opts.path);
  const { classNames, files, warnings } = listImageFolder(root);
  const total = files.reduce((sum, f) => sum + f.length, 0);
  const [h, w, c] = opts.inputShape;
  const per = h * w * c;
  const images = new Float32Array(total * per);
  const labels = allocLabels(total, classNames.length);
  const hashes: FileHash[] = [];

  let i = 0;
  for (let label = 0; label < classNames.length; label++) {
    for (const rel of files[label]) {
      opts.signal?.throwIfAborted();
      const path = join(root, rel);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch (err) {
        throw new Error(`${path}: cannot read: ${(err as Error).message}`);
      }
      hashes.push(fileHash(rel, bytes));
      images.set(toModelInput(decodeImage(bytes, path), opts.inputShape), i * per);
      labels[i] = label;
      i++;
      opts.onProgress?.(i, total);
    }
  }

  return validateDataset({
    id: 'folder',
    name: opts.name ?? `${basename(root)} (image folder)`,
    inputShape: [h, w, c],
    numClasses: classNames.length,
    classNames,
    images,
    labels,
    source: { kind: 'folder', path: root, sha256: manifestSha256(hashes), files: hashes, warnings },
  });
}
