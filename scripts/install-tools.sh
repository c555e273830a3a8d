#!/usr/bin/env bash
# Installs the build and test tools Gatehouse needs, skipping whatever is already there.
# The versions and the lock-file patches come from shared/TOOLCHAIN.md: the published lock files of
# cargo-leptos and wasm-bindgen-cli do not build with rustc 1.95 against this registry as they are.
#
# On a fresh 2-core machine this took 14 minutes (cargo-leptos is most of it); every later
# run takes a second. Each long step says how long it should take.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock
WASM_OPT_VERSION=123           # npm binaryen 123.0.0 (tools/package.json); Debian's 108 breaks hydration

log() { printf '[install-tools] %s\n' "$*"; }

have_version() { # command, expected version substring
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"
}

# Tools are not the product: build them quickly rather than small or fast. Set only for the tool
# installs, never for Gatehouse's own builds (cargo-leptos alone: 20 minutes here with its own
# release profile, 10.5 with this one).
quick_release() {
  CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    "$@"
}

# `cargo install --locked` of the published crate fails on this toolchain (before compiling
# anything), but leaves the crate's source unpacked in the registry; install from a copy with one
# lock entry moved back.
install_patched() { # crate, version, lock package, precise version
  local crate=$1 version=$2 pkg=$3 precise=$4 src tmp
  quick_release cargo install "$crate" --version "$version" --locked >/dev/null 2>&1 && return 0
  src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$crate-$version" | head -n 1)
  tmp=$(mktemp -d)
  cp -r "$src"/. "$tmp"
  (cd "$tmp" && cargo update -q -p "$pkg" --precise "$precise" && quick_release cargo install --path . --locked)
  rm -rf "$tmp"
}

timed() { # what, command...
  local what=$1 start=$SECONDS
  shift
  "$@"
  log "$what: done in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
}

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target (seconds)"
  rustup target add wasm32-unknown-unknown
fi

if ! have_version cargo-leptos "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION from source (about 11 minutes on 2 cores)"
  timed cargo-leptos install_patched cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1
fi

if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from source (about 2 minutes)"
  timed wasm-bindgen-cli install_patched wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
fi

# wasm-opt from npm's binaryen (compiled to JavaScript, run by node): seconds to install, where
# binaryen from source takes ten minutes. The Makefile puts tools/node_modules/.bin on PATH.
# newman, which runs the Postman collection, comes from the same package.json.
if ! PATH="$PWD/tools/node_modules/.bin:$PATH" have_version wasm-opt "version $WASM_OPT_VERSION" \
  || [ ! -x tools/node_modules/.bin/newman ]; then
  log "installing wasm-opt (npm binaryen) and newman (seconds)"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi

# schemathesis, which fuzzes the API from its OpenAPI document, in a virtual environment of its
# own, from a pinned list (tools/requirements.txt).
if ! tools/venv/bin/st --version 2>/dev/null | grep -q "$(grep '^schemathesis==' tools/requirements.txt | cut -d= -f3)"; then
  log "installing schemathesis into tools/venv (about 20 seconds)"
  rm -rf tools/venv
  python3 -m venv tools/venv
  tools/venv/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
fi

# Debian packages: Chromium for Playwright, wrk for the benchmarks, aiosmtpd as the tests' SMTP sink.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]} (about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Playwright itself, from end2end/package-lock.json (never its browser download).
if [ -f end2end/package-lock.json ] && [ ! -x end2end/node_modules/.bin/playwright ]; then
  log "npm ci in end2end/ (seconds)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi
log "all tools present"
