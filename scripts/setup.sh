#!/usr/bin/env bash
# Makes a fresh machine ready to build and test Luoshi. Idempotent; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is missing; install Rust (rustup) first" >&2
    exit 1
fi
# rust-toolchain.toml pins the compiler; rustup installs it (and rustfmt, clippy) on first use.
rustup show active-toolchain >/dev/null
if [ ! -d ../shared/seeds ]; then
    echo "setup: ../shared/seeds is missing: the seed tests read the public documents from there and will fail" >&2
fi
echo "setup: ok"
