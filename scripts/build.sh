#!/usr/bin/env bash
# Build the static site into dist/: four release wasm builds and the www/ files.
#   dist/pkg/webgpu-sorting, -dendrites, -hopfield  WebGPU only, one experiment's bindings each:
#                    what a visitor with WebGPU loads (the page's experiment, and its worker)
#   dist/pkg/webgl   every experiment, WebGPU + WebGL2: fetched only when no WebGPU adapter is
#                    found (and by pages that run several experiments on WebGL2)
#   dist/experiments.json  the registry (src/lab/registry.rs), which the page reads
# EL_TEST_BUILDS=1 (npm test) adds the test-only random walk's build and experiments-test.json.
# Prints the sizes (raw and gzip). npm binaryen's wasm-opt -Oz shrinks the WebGPU builds (what
# most visitors load; about 20 s each). EL_WASM_OPT=all shrinks the WebGL2 build too (a few
# minutes on 2 cores); EL_WASM_OPT=0 none.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh

out=dist
rm -rf "$out"
mkdir -p "$out/pkg" "$out/vendor"
# shellcheck source=scripts/wasm-pkg.sh
source scripts/wasm-pkg.sh

build() { # $1: output folder, rest: cargo flags
  local name=$1; shift
  local opt=${EL_WASM_OPT:-webgpu} optimize=0
  if [ "$opt" = all ] || [ "$opt" = 1 ] || { [ "$opt" = webgpu ] && [ "${name#webgpu-}" != "$name" ]; }; then
    optimize=1
  fi
  wasm_pkg "$out/pkg/$name" "$optimize" "$@"
}
# The experiments come from the registry (src/lab/registry.rs), through the CLI; each has a
# Cargo feature of its name that carries its bindings.
cargo run -q -- experiments --json > "$out/experiments.json"
experiments=$(cargo run -q -- experiments --ids)
for e in $experiments; do build "webgpu-$e" --no-default-features --features "$e"; done
build webgl
if [ "${EL_TEST_BUILDS:-0}" = 1 ]; then
  # For tests/e2e/walk.test.mjs: the test-only fourth experiment's own build (no wasm-opt) and a
  # registry that lists it; the site's experiments.json does not.
  EL_WASM_OPT=0 build webgpu-walk --no-default-features --features walk
  cargo run -q -- experiments --json --with-test > "$out/experiments-test.json"
fi

cp www/*.html www/*.js www/*.css "$out/"
mkdir -p "$out/experiments" "$out/docs"
cp www/experiments/*.js "$out/experiments/"
# The project's own docs, which the page cites (served as text).
cp docs/*.md "$out/docs/"
# Mark the experiments that have a page module (www/experiments/<id>.js), so the page imports
# only modules that exist; the others get the skeleton alone.
for registry_file in "$out"/experiments*.json; do
  node -e '
    const fs = require("fs"), file = process.argv[1];
    const list = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const e of list) e.module = fs.existsSync(`www/experiments/${e.id}.js`);
    fs.writeFileSync(file, JSON.stringify(list));
  ' "$registry_file"
done
cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css "$out/vendor/"
cp node_modules/uplot/LICENSE "$out/vendor/uPlot.LICENSE" 2>/dev/null || true

size() { stat -c %s "$1"; }
gz() { gzip -9c "$1" | wc -c; }
{
  echo '{'
  first=1
  for b in $(for e in $experiments; do echo "webgpu-$e"; done) webgl; do
    w="$out/pkg/$b/emergence_lab_bg.wasm"; j="$out/pkg/$b/emergence_lab.js"
    [ $first = 1 ] || echo ','
    first=0
    printf '  "%s": {"wasm": %d, "wasm_gzip": %d, "js": %d, "js_gzip": %d}' "$b" "$(size "$w")" "$(gz "$w")" "$(size "$j")" "$(gz "$j")"
  done
  echo; echo '}'
} > "$out/build-info.json"
node -e '
  const s = require("./'"$out"'/build-info.json");
  const kb = (b) => (b / 1024).toFixed(1) + " KB";
  for (const [k, v] of Object.entries(s))
    console.log(`build: ${k.padEnd(17)} wasm ${kb(v.wasm)} raw, ${kb(v.wasm_gzip)} gzip; js glue ${kb(v.js_gzip)} gzip`);
  const largest = Math.max(...Object.entries(s).filter(([k]) => k.startsWith("webgpu-")).map(([, v]) => v.wasm_gzip));
  const ok = largest <= 250 * 1024;
  console.log(`build: a WebGPU visitor loads at most ${kb(largest)} of gzipped wasm (one experiment; target ≤ 250 KB: ${ok ? "met" : "MISSED"})`);
'
echo "build: site in $out/"
