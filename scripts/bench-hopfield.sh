#!/usr/bin/env bash
# The modern Hopfield update's speed, three ways in one run on this machine: native Rust
# (`emergence-lab hopfield bench`), wasm in headless Chromium (scripts/bench.mjs, hopfield
# section) and numpy float32/OpenBLAS (scripts/bench_numpy.py, in a venv under target/), with
# the ratios. Workloads: d = 1024, N = 10,000, Q = 100; and one 64×64 query (d = 4096) against
# N = 10,000. Needs dist/ (bash scripts/build.sh); the browser part runs all of scripts/bench.mjs
# (its other sections too); EL_SKIP_WASM=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

venv=target/bench-venv
if ! "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy
fi

native=$(cargo run -q --release -- hopfield bench --json)
numpy=$("$venv/bin/python" scripts/bench_numpy.py)
# One BLAS thread as well: on a shared, busy machine OpenBLAS's threads can be far slower than
# one, and the ratios are judged against the faster numpy.
numpy1=$(OPENBLAS_NUM_THREADS=1 "$venv/bin/python" scripts/bench_numpy.py)
wasm='null'
if [ "${EL_SKIP_WASM:-0}" != 1 ]; then
  [ -f dist/pkg/webgpu/emergence_lab.js ] || { echo "bench-hopfield: dist/ is missing; run bash scripts/build.sh first" >&2; exit 1; }
  out=$(node scripts/bench.mjs)
  echo "$out" >&2
  wasm=$(echo "$out" | sed -n "s/^hopfield-bench-json: //p")
  wasm=${wasm:-null}
fi

NATIVE="$native" NUMPY="$numpy" NUMPY1="$numpy1" WASM="$wasm" node -e '
  const native = JSON.parse(process.env.NATIVE), wasm = JSON.parse(process.env.WASM);
  const numpyThreads = JSON.parse(process.env.NUMPY), numpyOne = JSON.parse(process.env.NUMPY1);
  const numpy = { ...numpyThreads };
  for (const key of ["batch", "single_64x64"]) {
    console.log(`numpy ${key}: ${numpyThreads[key].ms.toFixed(1)} ms with default BLAS threads, ${numpyOne[key].ms.toFixed(1)} ms with one`);
    numpy[key] = numpyThreads[key].ms <= numpyOne[key].ms ? numpyThreads[key] : numpyOne[key];
  }
  const f = (ms) => (ms == null ? "n/a" : ms.toFixed(1) + " ms");
  console.log(`hopfield bench on this machine (numpy ${numpy.numpy}, BLAS: ${numpy.blas.join("; ")}, the faster of default threads and one; native and wasm: one thread)`);
  for (const [key, label] of [["batch", "d = 1024, N = 10000, Q = 100"], ["single_64x64", "one 64x64 query (d = 4096), N = 10000"]]) {
    const n = native[key].ms, p = numpy[key].ms, w = wasm ? wasm[key].ms : null;
    console.log(`  ${label}: numpy ${f(p)}; native ${f(n)} (${(n / p).toFixed(2)}x numpy); wasm ${f(w)}` +
      (w == null ? "" : ` (${(w / p).toFixed(2)}x numpy, ${(w / n).toFixed(2)}x native)`));
  }
  const wb = wasm ? wasm.batch.ms / numpy.batch.ms : null;
  if (wb != null) console.log(`  target: wasm within 2x of numpy for the batch: ${wb <= 2 ? "met" : "MISSED"} (${wb.toFixed(1)}x)`);
  const ws = wasm ? wasm.single_64x64.ms : native.single_64x64.ms;
  console.log(`  target: one 64x64 query in <= 16.7 ms (60 fps), ${wasm ? "wasm" : "native"}: ${ws <= 1000 / 60 ? "met" : "MISSED"} (${ws.toFixed(1)} ms)`);
'
