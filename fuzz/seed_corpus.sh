#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: the project's samples, and .docx/.pdf written from them.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in text docx html pdf; do mkdir -p "fuzz/corpus/$t"; done
cp test_data/ok/*.txt fuzz/corpus/text/
cp test_data/ok/*.html fuzz/corpus/html/
cargo run -q -p luoshi -- bench fixtures --out fuzz/corpus
