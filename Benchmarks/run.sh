#!/usr/bin/env bash
# Builds every benchmark in release mode and prints its figures. `make bench` runs this.
# BENCH=name runs one (parse, match, fetch, state, deliver, email, config, idle, scale, postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product feedwatch >/dev/null
only=${BENCH:-}
for b in bench-parse bench-match bench-fetch bench-state bench-deliver bench-email; do
    # BENCH=name builds only that benchmark (idle, scale and postgres need only feedwatch itself).
    [ -z "$only" ] || [ "$b" = "bench-$only" ] || continue
    swift build -c release --product "$b" >/dev/null
done
run() {
    [ -z "$only" ] || [ "$only" = "$1" ] || return 0
    echo "== $1"
    shift
    "$@"
    echo
}
run parse .build/release/bench-parse
run match .build/release/bench-match
run fetch .build/release/bench-fetch
run state .build/release/bench-state
run deliver .build/release/bench-deliver
run email .build/release/bench-email
run config Benchmarks/bench-config.sh
# The idle measurement lasts IDLE_SECONDS (default 600): run it alone with BENCH=idle.
[ "$only" = "idle" ] && run idle Benchmarks/bench-daemon-idle.sh
# The scale measurement (100,000 and 1,000,000 feeds) takes about 10 minutes: run it alone with BENCH=scale.
[ "$only" = "scale" ] && run scale Benchmarks/bench-scale.sh
# SQLite against PostgreSQL (one daemon and two sharing a database) over 10,000 feeds takes about
# 5 minutes, most of it the daemons' first-poll window: run it alone with BENCH=postgres.
[ "$only" = "postgres" ] && run postgres Benchmarks/bench-postgres.sh
exit 0
