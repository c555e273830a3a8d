#!/usr/bin/env bash
# Installs the build and test tools Gatehouse needs, skipping whatever is already there.
# The versions and the lock-file patches come from shared/TOOLCHAIN.md: the published lock files of
# cargo-leptos and wasm-bindgen-cli do not build with rustc 1.95 against this registry as they are.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock
WASM_OPT_VERSION=0.116.1       # binaryen 116; Debian's binaryen 108 breaks hydration

log() { printf '[install-tools] %s\n' "$*"; }

have_version() { # command, expected version substring
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"
}

# `cargo install --locked` of the published crate fails on this toolchain, but leaves the crate's
# source unpacked in the registry; install from a copy with one lock entry moved back.
install_patched() { # crate, version, lock package, precise version
  local crate=$1 version=$2 pkg=$3 precise=$4 src tmp
  cargo install "$crate" --version "$version" --locked >/dev/null 2>&1 && return 0
  src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$crate-$version" | head -n 1)
  tmp=$(mktemp -d)
  cp -r "$src"/. "$tmp"
  (cd "$tmp" && cargo update -p "$pkg" --precise "$precise" && cargo install --path . --locked)
  rm -rf "$tmp"
}

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if have_version cargo-leptos "$CARGO_LEPTOS_VERSION"; then :; else
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes)"
  install_patched cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1
fi

if have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then :; else
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  install_patched wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
fi

if have_version wasm-opt "version 116"; then :; else
  log "installing wasm-opt $WASM_OPT_VERSION (binaryen 116, about 7 minutes)"
  cargo install wasm-opt --version "$WASM_OPT_VERSION" --locked
fi

# Debian packages: Chromium for Playwright, wrk for the benchmark.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Playwright itself, from end2end/package-lock.json (never its browser download).
if [ -f end2end/package-lock.json ] && [ ! -x end2end/node_modules/.bin/playwright ]; then
  log "npm ci in end2end/"
  (cd end2end && npm ci --no-audit --no-fund)
fi
log "all tools present"
