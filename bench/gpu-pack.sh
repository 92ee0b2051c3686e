#!/usr/bin/env bash
# Packs bench/gpu.ts for a bare machine (the lent GPU machine: no Node, no npm, no network) into
# .gpu-carry/pack.tar.xz: this Node binary, the benchmark bundled as one CommonJS file (esbuild),
# tfjs-wasm's .wasm binaries beside it, and Dawn (the webgpu package's index.js + dawn.node), which
# cannot be bundled. Unpacked with Python's tarfile there (xz may be missing). About 30 MB.
# usage: bash bench/gpu-pack.sh        (from the repository root; see docs/decisions/webgpu-backend.md)
set -euo pipefail
cd "$(dirname "$0")/.."
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
g="$stage/g"
mkdir -p "$g/node_modules/webgpu/dist/linux-x64" .gpu-carry
# import.meta.url has no meaning in CommonJS: the banner defines it as the bundle's own URL, so
# createRequire() and require.resolve('webgpu') look beside the bundle.
node_modules/.bin/esbuild bench/gpu.ts --bundle --platform=node --format=cjs --target=node20 \
  --external:webgpu --outfile="$g/gpu.cjs" --log-level=warning \
  --define:import.meta.url=__import_meta_url \
  "--banner:js=const __import_meta_url=require('url').pathToFileURL(__filename).href;"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$g/"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$g/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$g/node_modules/webgpu/dist/linux-x64/"
# Package manifests only, so that EngineInfo records the backends' versions.
for p in tfjs-backend-wasm tfjs-backend-webgpu; do
  mkdir -p "$g/node_modules/@tensorflow/$p"
  cp "node_modules/@tensorflow/$p/package.json" "$g/node_modules/@tensorflow/$p/"
done
cp "$(command -v node)" "$g/node"
tar -C "$stage" -cf - g | xz -T0 -6 > .gpu-carry/pack.tar.xz
ls -l .gpu-carry/pack.tar.xz
