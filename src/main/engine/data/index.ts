/** The data module's public API: datasets, splits and batches (see docs/decisions/datasets-and-splits.md). */
export * from './types.ts';
export { datasetRef, datasetSize, sampleSize, validateDataset } from './dataset.ts';
export { loadMnist, type MnistOptions } from './mnist.ts';
export {
  loadFashionMnist,
  fashionMnistAvailable,
  fashionMnistDir,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR,
  FASHION_MNIST_ENV_VAR,
  type FashionMnistOptions,
} from './fashion-mnist.ts';
export { loadImageFolder, listImageFolder, type ImageFolderOptions } from './image-folder.ts';
export { parseIdx, readIdxFile, encodeIdxUint8, type IdxArray } from './idx.ts';
export { makeSplits, reproduceSplits, normaliseSplitConfig, type SplitOptions } from './splits.ts';
export { batchIterator, batchCount, gather, toTensors, type Batch, type BatchOptions, type LabelEncoding } from './batches.ts';
export { createRng, deriveSeed, shuffled, shuffleInPlace, checkSeed, type Rng } from './random.ts';
export { loadDataset, listDatasets, parseDatasetId, type DatasetInfo, type DatasetOptions } from './registry.ts';
export { indicesSha256, manifestSha256 } from './hash.ts';
