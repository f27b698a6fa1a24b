#!/usr/bin/env bash
# Makes a fresh machine ready to build, test and run Luoshi. Idempotent; prints what it does.
#  - the Rust toolchain pinned in rust-toolchain.toml;
#  - Debian packages the tests and benchmarks use: chromium + chromium-driver (browser test),
#    wrk (HTTP load benchmark), fonts-noto-cjk (Chinese glyphs in browser screenshots and the
#    fonts embedded in the PDF compilation), libreoffice-writer-nogui, libreoffice-draw-nogui,
#    libreoffice-calc-nogui and poppler-utils (the tests open the .docx, the PDF compilation and
#    the .xlsx sheets in LibreOffice and read the PDF's text and fonts);
#  - a running PostgreSQL at 127.0.0.1:5432 (the storage tests run on it), with the databases of
#    earlier test runs dropped.
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

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
command -v psql >/dev/null 2>&1 || missing+=(postgresql)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
# LibreOffice's PDF import (Draw): the tests open the PDF compilation with it.
ls /usr/lib/libreoffice/program/libpdfimportlo.so >/dev/null 2>&1 || missing+=(libreoffice-draw-nogui)
# LibreOffice Calc: the tests open the .xlsx sheets with it.
ls /usr/lib/libreoffice/program/libsclo.so >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
        || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi

# PostgreSQL: start the cluster if it is down.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "setup: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do
        pg_isready -h 127.0.0.1 -p 5432 -q && break
        sleep 1
    done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "setup: PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1; }
# Each test binary creates its own database (luoshi_<name>_<pid>); drop those of earlier runs.
for db in $(psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'luoshi\_%'"); do
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done
# cargo-deny, for the supply-chain check in .ci/run (from crates.io, pinned).
if ! command -v cargo-deny >/dev/null 2>&1; then
    echo "setup: installing cargo-deny"
    cargo install cargo-deny --locked --version 0.20.2 >/dev/null 2>&1 \
        || echo "setup: cargo-deny could not be installed; .ci/run will say the supply-chain check was skipped"
fi
echo "setup: ok"
