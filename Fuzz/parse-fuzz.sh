#!/bin/sh
# Fuzzes FeedwatchParse with libFuzzer + AddressSanitizer (leak checking on).
# Usage: Fuzz/parse-fuzz.sh [SECONDS]   (default 600). Run from the package root.
# Fuzz/feed.dict gives the mutator the markup of every format, so that it reaches items and extensions.
# Corpus: Tests/FeedwatchParseTests/Fixtures (read-only seeds) + .build/fuzz/corpus (grows).
# Crashes, leaks and timeouts are written to .build/fuzz/artifacts/ and make the script exit non-zero.
set -eu
seconds=${1:-600}
out=.build/fuzz
mkdir -p "$out/corpus" "$out/artifacts"
swiftc -O -g -parse-as-library -sanitize=fuzzer,address -module-name FeedwatchParse \
    -I Sources/CLibXML2 -I Sources/CUchardet -Xcc -I/usr/include/libxml2 -lxml2 -luchardet \
    Sources/FeedwatchParse/*.swift Fuzz/FuzzEntry.swift -o "$out/parse-fuzzer"
cp Tests/FeedwatchParseTests/Fixtures/*.xml Tests/FeedwatchParseTests/Fixtures/*.json \
   Tests/FeedwatchParseTests/Fixtures/*.html "$out/corpus/" 2>/dev/null || true
ASAN_OPTIONS=detect_leaks=1 "$out/parse-fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -dict=Fuzz/feed.dict -print_final_stats=1 -artifact_prefix="$out/artifacts/" "$out/corpus"
