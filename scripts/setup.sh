#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine of this project's kind; quiet when all is there.
# Installs: the wasm32 target, wasm-bindgen-cli at exactly the version in Cargo.lock, wasm-pack,
# geckodriver, Debian's chromium + chromium-driver + firefox-esr + mesa-vulkan-drivers (lavapipe,
# Firefox's WebGPU adapter), and the npm packages (npm ci). Never Debian's binaryen
# (its wasm-opt 108 writes wasm that does not load; see docs/toolchain.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { echo "setup: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_pid=""
missing=()
for pkg in chromium chromium-driver firefox-esr mesa-vulkan-drivers; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt, in the background)"
  ( as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" ) \
    > /tmp/emergence-lab-apt.log 2>&1 &
  apt_pid=$!
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
wb=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wb" ]; then
  say "installing wasm-bindgen-cli $wb (a few minutes)"
  # --locked fails for 0.2.130 on this registry (webpki-roots 1.0.11 missing); unlocked works.
  cargo install -q --locked wasm-bindgen-cli --version "$wb" 2>/dev/null \
    || cargo install -q --force wasm-bindgen-cli --version "$wb"
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (a few minutes)"
  cargo install -q --locked wasm-pack
fi

if ! command -v geckodriver >/dev/null; then
  say "installing geckodriver (a few minutes)"
  cargo install -q --locked geckodriver
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ -n "$apt_pid" ]; then
  if ! wait "$apt_pid"; then
    say "apt-get failed:"; tail -20 /tmp/emergence-lab-apt.log >&2; exit 1
  fi
  say "$(chromium --version 2>/dev/null | tail -1); $(firefox-esr --version 2>/dev/null | tail -1)"
fi
