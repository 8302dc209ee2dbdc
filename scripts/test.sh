#!/usr/bin/env bash
# npm test: every test, in order: native cargo test, wasm-pack test in headless Chromium and in
# headless Firefox, then the browser end-to-end suites (Chromium via playwright-core, Firefox via
# selenium-webdriver + geckodriver) against a fresh build of dist/. Ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh || { echo "npm test: setup failed"; exit 1; }

logs=$(mktemp -d)
status=0
passed=0; failed=0; parts=()

count_cargo() { # sums "test result: ... N passed; M failed" lines
  awk '/test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { printf "%d %d\n", p, f }' "$1"
}

echo "== 1/3 cargo test (native)"
cargo test 2>&1 | tee "$logs/cargo.log"; rc=${PIPESTATUS[0]}
read -r p f < <(count_cargo "$logs/cargo.log"); [ "$rc" = 0 ] || { status=1; [ "$f" -gt 0 ] || f=1; }
passed=$((passed + p)); failed=$((failed + f)); parts+=("cargo $p passed/$f failed")

# tests/web_hopfield.rs runs one modern Hopfield update with d = 1024, N = 10,000, Q = 100 on the
# software WebGPU adapters (SwiftShader, lavapipe) and checks all 100 queries against the f64
# reference: 15-22 s on 2 cores, past the runner's default
# 20 s for the whole file, hence the longer timeout.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-180}

echo "== 2a/3 wasm-pack test --headless --chrome (tests/web.rs, tests/web_hopfield.rs in headless Chromium)"
wasm-pack test --headless --chrome -- --test web --test web_hopfield 2>&1 | tee "$logs/wasm.log"; rc=${PIPESTATUS[0]}
read -r p f < <(count_cargo "$logs/wasm.log"); [ "$rc" = 0 ] || { status=1; [ "$f" -gt 0 ] || f=1; }
passed=$((passed + p)); failed=$((failed + f)); parts+=("wasm-pack/chromium $p passed/$f failed")

echo "== 2b/3 wasm-pack test --headless --firefox (tests/web.rs, tests/web_hopfield.rs in headless Firefox ESR)"
# Firefox needs MOZ_WEBGL_FORCE_EGL=1 for WebGL2 (geckodriver ignores env in webdriver.json).
MOZ_WEBGL_FORCE_EGL=1 wasm-pack test --headless --firefox -- --test web --test web_hopfield 2>&1 | tee "$logs/wasm-ff.log"; rc=${PIPESTATUS[0]}
read -r p f < <(count_cargo "$logs/wasm-ff.log"); [ "$rc" = 0 ] || { status=1; [ "$f" -gt 0 ] || f=1; }
passed=$((passed + p)); failed=$((failed + f)); parts+=("wasm-pack/firefox $p passed/$f failed")

echo "== 3/3 build + browser end-to-end (Node test runner, playwright-core, Debian Chromium)"
if EL_TEST_BUILDS=1 bash scripts/build.sh 2>&1 | tee "$logs/build.log" && [ "${PIPESTATUS[0]}" = 0 ]; then
  node --test --test-concurrency=1 tests/e2e/ 2>&1 | tee "$logs/e2e.log"; rc=${PIPESTATUS[0]}
  p=$(awk '/^# pass /{print $3}' "$logs/e2e.log" | tail -1); f=$(awk '/^# fail /{print $3}' "$logs/e2e.log" | tail -1)
  p=${p:-0}; f=${f:-0}; [ "$rc" = 0 ] || { status=1; [ "$f" -gt 0 ] || f=1; }
else
  p=0; f=1; status=1; echo "build failed"
fi
passed=$((passed + p)); failed=$((failed + f)); parts+=("e2e $p passed/$f failed")

summary="npm test: $(IFS=';'; echo "${parts[*]}" | sed 's/;/; /g') — total $passed passed, $failed failed"
echo "$summary"
exit $status
