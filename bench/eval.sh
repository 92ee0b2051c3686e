#!/usr/bin/env bash
# The fingerprint-method benchmark for one dataset: train the source (defaults, seed 1), build the
# held-out `standard` evaluation suite and the `pool` generation pool (both resumable), then
# `provenant eval --methods all`, writing bench/results/eval-<dataset>.{json,md} and figures.
# Usage: bash bench/eval.sh mnist|fashion-mnist   (BENCH_DIR holds models; default runs/bench)
# Times on the 2-core reference machine: MNIST ~4 min of models + the eval; Fashion-MNIST ~35 min of models.
set -euo pipefail
cd "$(dirname "$0")/.."
ds="${1:-mnist}"
root="${BENCH_DIR:-runs/bench}/$ds"
cli=(node bin/provenant.mjs)
extra=()
[ "$ds" = fashion-mnist ] && extra=(--dataset fashion-mnist)
if [ ! -f "$root/source/model.json" ]; then
  "${cli[@]}" train "${extra[@]}" --arch cnn --seed 1 --out "$root/source"
fi
"${cli[@]}" lab build --source "$root/source" "${extra[@]}" --preset standard --purpose suite --seed 1 --out "$root/suite"
"${cli[@]}" lab build --source "$root/source" "${extra[@]}" --preset pool --purpose pool --seed 1 --out "$root/pool"
"${cli[@]}" eval --suite "$root/suite" --pools "$root/pool" --methods all --seed 1 --out bench/results --triggers "$root/triggers"
