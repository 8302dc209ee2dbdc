#!/usr/bin/env bash
# The modern Hopfield update's speed, three ways in one run on this machine: native Rust
# (`emergence-lab hopfield bench`), wasm in headless Chromium (scripts/bench.mjs, hopfield
# section) and numpy float32/OpenBLAS (scripts/bench_numpy.py, in a venv under target/), with
# the ratios. Workloads: d = 1024, N = 10,000, Q = 100; and one 64×64 query (d = 4096) against
# N = 10,000. Needs dist/ (bash scripts/build.sh); the browser part runs all of scripts/bench.mjs
# (its other sections too); EL_SKIP_WASM=1 skips it. Then scripts/bench-peers.mjs times the same
# update against ONNX Runtime Web and TensorFlow.js in the browser (EL_SKIP_PEERS=1 skips it).
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
# OpenBLAS limited to narrower vectors (its runtime kernel choice, OPENBLAS_CORETYPE), one
# thread: Nehalem's kernels use 128-bit SSE without FMA, the width and operations that wasm
# SIMD128 has; Sandybridge's use 256-bit AVX without FMA. They show how much of numpy's lead is
# the hardware's wider vectors and fused multiply-add rather than the kernel.
numpy_sse=$(OPENBLAS_CORETYPE=Nehalem OPENBLAS_NUM_THREADS=1 "$venv/bin/python" scripts/bench_numpy.py)
numpy_avx=$(OPENBLAS_CORETYPE=Sandybridge OPENBLAS_NUM_THREADS=1 "$venv/bin/python" scripts/bench_numpy.py)
wasm='null'
if [ "${EL_SKIP_WASM:-0}" != 1 ]; then
  [ -f dist/pkg/webgpu-hopfield/emergence_lab.js ] || { echo "bench-hopfield: dist/ is missing; run bash scripts/build.sh first" >&2; exit 1; }
  out=$(node scripts/bench.mjs hopfield)
  echo "$out" >&2
  wasm=$(echo "$out" | sed -n "s/^hopfield-bench-json: //p")
  wasm=${wasm:-null}
fi

NATIVE="$native" NUMPY="$numpy" NUMPY1="$numpy1" NUMPY_SSE="$numpy_sse" NUMPY_AVX="$numpy_avx" WASM="$wasm" node -e '
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
  const sse = JSON.parse(process.env.NUMPY_SSE), avx = JSON.parse(process.env.NUMPY_AVX);
  console.log(`  the same numpy, one thread, OpenBLAS kernels limited to narrower vectors (OPENBLAS_CORETYPE):`);
  for (const [key, label] of [["batch", "batch"], ["single_64x64", "one 64x64 query"]]) {
    const w = wasm ? wasm[key].ms : null, n = native[key].ms;
    console.log(`    ${label}: SSE 128-bit, no FMA (Nehalem) ${f(sse[key].ms)}; AVX 256-bit, no FMA (Sandybridge) ${f(avx[key].ms)}` +
      `; native ${(n / sse[key].ms).toFixed(2)}x the SSE time` + (w == null ? "" : `, wasm ${(w / sse[key].ms).toFixed(2)}x`));
  }
  // The page steps large stores on its pool of workers (compute=auto): the wasm figure the
  // targets judge is the faster of one thread and the pool (the same bits either way).
  const pool = (key) => (wasm && wasm["pool_" + key] ? wasm["pool_" + key] : null);
  if (wasm) {
    for (const [key, label] of [["batch", "batch"], ["64x64", "one 64x64 query"]]) {
      const r = pool(key), p = numpy[key === "batch" ? "batch" : "single_64x64"].ms;
      if (r) console.log(`  wasm on the page pool of ${r.workers} workers, ${label}: ${f(r.ms)} (range ${r.min.toFixed(1)}-${r.max.toFixed(1)}; ${(r.ms / p).toFixed(2)}x numpy; same bits as one thread: ${r.sameBits})`);
    }
  }
  if (native.threads) console.log(`  native on ${native.threads.count} threads holding segments (the pool natively): batch ${f(native.threads.batch_ms)} (${(native.threads.batch_ms / numpy.batch.ms).toFixed(2)}x numpy), one 64x64 query ${f(native.threads.single_64x64_ms)}`);
  const best = (one, r) => (r && r.ms < one ? r.ms : one);
  const wb = wasm ? best(wasm.batch.ms, pool("batch")) / numpy.batch.ms : null;
  if (wb != null) console.log(`  target: wasm within 2x of numpy for the batch: ${wb <= 2 ? "met" : "MISSED"} (${wb.toFixed(1)}x)`);
  // The roofline: the fewest ms the batch could take at the measured peak rate of 4-lane
  // multiplies and adds without FMA (hopfield::bench::peak_gflops), against numpy: if even that
  // is over 2x numpy, no kernel with these lanes can meet the target on this machine.
  const roof = (label, gflop, rate) => {
    const ms = (gflop / rate) * 1e3, r = ms / numpy.batch.ms;
    console.log(`  roofline, ${label}: at the measured peak of ${rate.toFixed(1)} GFLOP/s the batch (${gflop.toFixed(2)} GFLOP) needs at least ${f(ms)} = ${r.toFixed(2)}x numpy: ` +
      (r > 2 ? "the 2x target is out of reach for 4-lane multiplies and adds on this machine" : "the 2x target is within reach in principle"));
  };
  if (native.peak) roof(`native, ${native.threads.count} threads`, native.peak.batch_gflop, native.peak.threads_gflops);
  if (wasm && wasm.peak) roof(`wasm, ${wasm.peak.workers} workers`, wasm.peak.batch_gflop, wasm.peak.pool_gflops);
  const stream = (label, r) => r && r.single_64x64.stream_ms &&
    console.log(`  memory roofline, ${label}: one pass over the stored patterns of the 64x64 query (164 MB) takes ${f(r.single_64x64.stream_ms)} on one thread; the one-thread query ${(r.single_64x64.ms / r.single_64x64.stream_ms).toFixed(2)}x that`);
  stream("native", native);
  stream("wasm", wasm);
  const ws = wasm ? best(wasm.single_64x64.ms, pool("64x64")) : native.single_64x64.ms;
  console.log(`  target: one 64x64 query in <= 16.7 ms (60 fps), ${wasm ? "wasm" : "native"}: ${ws <= 1000 / 60 ? "met" : "MISSED"} (${ws.toFixed(1)} ms)`);
'

if [ "${EL_SKIP_WASM:-0}" != 1 ] && [ "${EL_SKIP_PEERS:-0}" != 1 ]; then
  node scripts/bench-peers.mjs | grep -v '^bench-peers-json: '
fi
