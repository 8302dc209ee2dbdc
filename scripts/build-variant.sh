#!/usr/bin/env bash
# Build the Hopfield experiment's wasm from the source tree as it is now into
# dist/pkg/webgpu-hopfield-NAME, the way scripts/build.sh builds dist/pkg/webgpu-hopfield (the
# same features and flags, wasm-opt -Oz): a variant of the kernels to time against the site's
# build with scripts/bench-ab.mjs. Needs dist/ (bash scripts/build.sh) for the page it runs in.
#   bash scripts/build-variant.sh NAME
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
if ! [[ $name =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]]; then
  echo "build-variant: give a name of lower-case letters, digits and dashes (the build goes to dist/pkg/webgpu-hopfield-NAME)" >&2
  exit 2
fi
if [ ! -d dist/pkg ]; then
  echo "build-variant: dist/ is missing; run bash scripts/build.sh first" >&2
  exit 1
fi
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# shellcheck source=scripts/wasm-pkg.sh
source scripts/wasm-pkg.sh
out=dist/pkg/webgpu-hopfield-$name
rm -rf "$out"
# As scripts/build.sh builds dist/pkg/webgpu-hopfield (its experiment's feature, wasm-opt).
wasm_pkg "$out" 1 --no-default-features --features hopfield
echo "build-variant: $out"
