#!/usr/bin/env bash
# Builds every benchmark in release mode and prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product bench-parse --product bench-match >/dev/null 2>&1 || swift build -c release
for b in bench-parse bench-match; do
    echo "== $b"
    .build/release/$b
done
