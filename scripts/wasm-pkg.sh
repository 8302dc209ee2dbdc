# Sourced by scripts/build.sh and scripts/build-variant.sh (not run on its own): the one way a
# wasm build of the site is made, so that a variant timed against the site's build is built the
# same way.
#   wasm_pkg DIR OPTIMIZE [cargo flags…]
# builds the library for wasm32 with the cargo flags (features), writes its wasm-bindgen package
# into DIR, and with OPTIMIZE = 1 shrinks it with npm binaryen's wasm-opt -Oz (the features the
# build uses enabled). Needs node_modules/.bin and ~/.cargo/bin on PATH.
wasm_pkg() {
  local dir=$1 optimize=$2
  shift 2
  cargo build -q --release --target wasm32-unknown-unknown --lib "$@"
  wasm-bindgen --target web --no-typescript --out-dir "$dir" target/wasm32-unknown-unknown/release/emergence_lab.wasm
  if [ "$optimize" = 1 ]; then
    wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-simd \
      -o "$dir/emergence_lab_bg.wasm" "$dir/emergence_lab_bg.wasm"
  fi
}
