#!/usr/bin/env bash
# Scale of `feedwatch run` (goal: 1,000,000 feeds at a 15-minute interval, 1,111 polls/s, under one
# core and 1 GB RSS; 100,000 feeds at 60 s, 1,667 polls/s, at most 100 µs CPU a poll and 150 MB RSS).
#
# One nginx on loopback serves 100,000 RSS files (20 items, ~5 KB, one title in 50 with a watched
# keyword) under 1,000,000 URLs spread over SCALE_HOSTS loopback addresses; nginx answers conditional
# requests itself (ETag, Last-Modified → 304) and logs "$msec $status $request_uri" for every
# request, which is how polls are counted. A changer rewrites 10 % of the files per interval, a few
# every tenth of a second.
#
# For each size — small: 100,000 feeds at 60 s; large: 1,000,000 feeds at 15 min — it prints:
# `check`'s time and peak RSS; the daemon's start; the first cycle on an empty state (every feed
# polled once, all 200s; the large one is only probed for SCALE_PROBE seconds: its rate, and when it
# would end); then, the daemon stopped, the state is given the shape a long-running daemon's has
# (scale/state.py: every feed polled, next polls spread evenly over the interval, the feeds due in
# window B holding what changed in the past interval), the daemon restarts on it, and two windows
# are measured: A with the changer stopped (every poll a 304) and B with it running (about 10 %
# 200s). In each: polls/s against the expected rate and how late polls were against their due
# time, process CPU (utime + stime), VmRSS/VmHWM, log volume. cpu = a·n304 + b·n200 in both windows
# gives the CPU of a 304 (a) and of a 200 with its parse, match, record and alerts (b).
#
# Knobs: SCALE_RUNS ("small large"), SCALE_HOSTS (256), SCALE_SMALL_FEEDS (100000),
# SCALE_SMALL_INTERVAL (60), SCALE_LARGE_FEEDS (1000000), SCALE_LARGE_INTERVAL (900), SCALE_WINDOW_A
# (30), SCALE_WINDOW_B (60), SCALE_LARGE_WINDOW_B (90), SCALE_CYCLE_TIMEOUT (the small first cycle's
# limit, 240; 0 skips it), SCALE_PROBE (the large first cycle's, 40; 0 skips it), SCALE_TMP (files
# and logs: /dev/shm when there is one), SCALE_STATE_TMP (the daemon's state: $TMPDIR, else /tmp),
# SCALE_PERF (a directory: `perf record` of the daemon in each window, NAME-A.data and NAME-B.data,
# with SCALE_PERF_OPTIONS: "-F 499 -g"; "-F 200 --call-graph dwarf,8192" for whole stacks).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${SCALE_RUNS:-small large}
HOSTS=${SCALE_HOSTS:-256}
SMALL_FEEDS=${SCALE_SMALL_FEEDS:-100000}
SMALL_INTERVAL=${SCALE_SMALL_INTERVAL:-60}
LARGE_FEEDS=${SCALE_LARGE_FEEDS:-1000000}
LARGE_INTERVAL=${SCALE_LARGE_INTERVAL:-900}
WINDOW_A=${SCALE_WINDOW_A:-30}
WINDOW_B=${SCALE_WINDOW_B:-60}
LARGE_WINDOW_B=${SCALE_LARGE_WINDOW_B:-90}
PROBE=${SCALE_PROBE:-40}
CYCLE_TIMEOUT=${SCALE_CYCLE_TIMEOUT:-240}
CHANGE=0.10
bin=${FEEDWATCH_BIN:-.build/release/feedwatch}
[ -x "$bin" ] || swift build -c release --product feedwatch >/dev/null
helpers=Benchmarks/scale
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree
# The files and logs on tmpfs when there is one (writing and removing 100,000 files on a busy disk is
# slow); the daemon's state on the disk, where its commits pay for their fsync as they would in use.
[ -d /dev/shm ] && scratch=/dev/shm || scratch=${TMPDIR:-/tmp}
work=$(mktemp -d "${SCALE_TMP:-$scratch}/feedwatch-scale.XXXXXX")
states=$(mktemp -d "${SCALE_STATE_TMP:-${TMPDIR:-/tmp}}/feedwatch-scale-state.XXXXXX")
daemon=""
changer=""
helper=""
cleanup() {
    set +e  # every step runs, whatever the previous one returned
    [ -n "$helper" ] && kill "$helper" 2>/dev/null && wait "$helper" 2>/dev/null
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    [ -n "$changer" ] && kill "$changer" 2>/dev/null && wait "$changer" 2>/dev/null
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
    rm -rf "$work" "$states"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Runs a long step in the background and waits for it: a signal interrupts the wait at once, and
# cleanup stops the step.
step() {
    "$@" &
    helper=$!
    wait "$helper"
    helper=""
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- nginx and the files ---------------------------------------------------------------------------
started=$(now)
step python3 "$helpers/feeds.py" corpus "$work/www/files"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
listens=$(python3 -c "import sys; sys.path.insert(0, '$helpers'); from common import host
for h in range($HOSTS): print('listen %s:$port;' % host(h))")
# One worker: at ~2,000 requests/s of small static files (most of them 304s) nginx needs a few per cent
# of a core; a second worker would only take CPU from the daemon (and the builds) on this 2-core machine.
cat > "$work/nginx.conf" <<NGINX
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
worker_rlimit_nofile 16384;
error_log $work/nginx-error.log;
pid $work/nginx.pid;
events { worker_connections 8192; }
http {
    log_format polls '\$msec \$status \$request_uri';
    access_log $work/access.log polls buffer=64k flush=1s;
    etag on;
    keepalive_requests 100000;
    client_body_temp_path $work/body;
    types { application/rss+xml xml; }
    server {
        $listens
        root $work/www;
        # A million URLs onto 100,000 files: /f1234567.xml is files/f34567.xml.
        location / { rewrite "^/f[0-9][0-9]([0-9]{5})\.xml\$" /files/f\$1.xml break; }
    }
}
NGINX
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf"
echo "setup: 100,000 files ($(du -s --apparent-size -k "$work/www/files" | awk '{ printf "%.0f", $1 / 1024 }') MiB) served by nginx (1 worker) on $HOSTS loopback addresses, port $port, in $(since "$started") s"

# --- helpers ---------------------------------------------------------------------------------------
# `feedwatch check`: the configuration loaded and validated, with its time and peak RSS.
check() {
    step /usr/bin/time -v "$bin" check -c "$1" >"$work/check.out" 2>"$work/check.err" || {
        echo "check failed:"
        tail -5 "$work/check.err"
        return 1
    }
    awk -v out="$(cat "$work/check.out")" '
        /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); wall = (n == 3 ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2]) }
        /User time/ { cpu += $NF } /System time/ { cpu += $NF }
        /Maximum resident set size/ { rss = $NF / 1024 }
        END { printf "config load (feedwatch check): %.1f s wall, %.1f s CPU, peak RSS %.0f MiB  [%s]\n", wall, cpu, rss, out }' \
        "$work/check.err"
    check_wall=$(awk '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); print (n == 3 ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2]) }' "$work/check.err")
}

# Starts the daemon on config $1, its log in $2 (operational lines and, with no journald answering,
# alerts); waits until it says it started (configuration loaded, state open, schedule built).
start_daemon() {
    daemon_started=$(now)
    FEEDWATCH_LOG=stderr "$bin" run -c "$1" 2>>"$2" &
    daemon=$!
    until grep -q ' started: ' "$2" 2>/dev/null; do
        kill -0 "$daemon" 2>/dev/null || { echo "the daemon exited:"; tail -5 "$2"; daemon=""; return 1; }
        sleep 0.2
    done
    startup=$(since "$daemon_started")
    echo "daemon start (configuration, state, schedule): $startup s, RSS $(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$daemon/status") MiB"
}

stop_daemon() {
    local stopping
    stopping=$(now)
    kill -TERM "$daemon"
    wait "$daemon" || true
    daemon=""
    echo "daemon stopped (SIGTERM) in $(since "$stopping") s"
}

start_changer() {  # $1 period, $2 start time
    python3 "$helpers/feeds.py" change "$work/www/files" "$1" "$CHANGE" "$2" >"$work/changer.out" &
    changer=$!
}

stop_changer() {
    kill -TERM "$changer"
    wait "$changer" || true
    changer=""
    cat "$work/changer.out"
}

# /metrics timed while the daemon polls at full rate (the listener's port is in its log).
scrape_times() {
    local port
    port=$(sed -n 's/.*http: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$1" | tail -1)
    [ -n "$port" ] || { echo "(no listener in the daemon's log: /metrics not timed)"; return 0; }
    for _ in $(seq 1 50); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics"; done |
        sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "/metrics while polling (50 scrapes): median %.1f ms, 90th percentile %.1f ms, max %.1f ms (goal <= 10 ms: %s)\n", t[int(NR / 2)], t[int(NR * 0.9)], t[NR], t[NR] <= 10 ? "met" : "NOT MET" }'
    # /healthz reads no state and no metrics: what answering at all costs while the daemon polls.
    for _ in $(seq 1 50); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/healthz"; done |
        sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "/healthz while polling (50 requests): median %.1f ms, 90th percentile %.1f ms, max %.1f ms\n", t[int(NR / 2)], t[int(NR * 0.9)], t[NR] }'
}

# With SCALE_PERF set, where the daemon's CPU goes in window A and in window B (perf report -i).
profile_windows() {  # $1 name
    [ -n "${SCALE_PERF:-}" ] || return 0
    mkdir -p "$SCALE_PERF"
    (
        for window in "A $T_A $T_B" "B $T_B $T_END"; do
            set -- "$1" $window
            sleep "$(awk -v t="$3" -v n="$(now)" 'BEGIN { d = t - n; print (d > 0 ? d : 0) }')"
            # shellcheck disable=SC2086  # the options are words
            perf record -q ${SCALE_PERF_OPTIONS:--F 499 -g} -p "$daemon" -o "$SCALE_PERF/$1-$2.data" -- \
                sleep "$(awk -v a="$3" -v b="$4" 'BEGIN { print b - a - 1 }')" 2>/dev/null || true
        done
    ) &
}

# --- one size: FEEDS feeds at INTERVAL seconds --------------------------------------------------------
# $1 name, $2 feeds, $3 interval (s), $4 window B (s), $5 how long the first cycle may take (s; 0: skip it)
measure_size() {
    local name=$1 feeds=$2 interval=$3 window_b=$4 first=$5
    local config=$work/$name.yaml log=$work/daemon-$name.log rate written lead
    rate=$(awk -v n="$feeds" -v i="$interval" 'BEGIN { printf "%.1f", n / i }')
    echo "== $feeds feeds at ${interval}s ($rate polls/s)"
    written=$(now)
    step python3 "$helpers/config.py" "$config" "$feeds" "${interval}s" "$states/$name" "$HOSTS" "$port"
    echo "(configuration written in $(since "$written") s, $(du -k "$config" | awk '{ printf "%.0f", $1 / 1024 }') MiB)"
    check "$config"
    if [ "$first" -gt 0 ]; then
        # The first cycle on an empty state: every poll a 200 whose items are recorded silently.
        start_daemon "$config" "$log.first"
        step python3 "$helpers/window.py" cycle "$daemon" "$work/access.log" "$feeds" "$daemon_started" "$first" \
            "first cycle (all 200)"
        stop_daemon
    else
        # No first cycle: `once` over the first feed alone creates the state. The start is guessed from
        # check's time: the daemon reads its configuration twice and then each feed's stored state.
        python3 "$helpers/config.py" "$work/one.yaml" 1 "${interval}s" "$states/$name" "$HOSTS" "$port"
        FEEDWATCH_LOG=stderr "$bin" once -c "$work/one.yaml" >/dev/null 2>>"$log.first"
        startup=$(awk -v c="$check_wall" 'BEGIN { print c * 3 }')
    fi
    # Restarted on a state with the shape a long-running daemon's has (see scale/state.py), the
    # schedule due from LEAD seconds on: the start measured above, a fifth more, and 10 s.
    lead=$(awk -v s="$startup" 'BEGIN { printf "%.0f", s * 1.2 + 10 }')
    step python3 "$helpers/state.py" "$states/$name/feedwatch.sqlite" "$work/www/files" "$feeds" "$HOSTS" "$port" \
        "$interval" "$lead" 5 "$WINDOW_A" "$window_b" "$CHANGE" "$work/due-$name" >"$work/times"
    eval "$(cat "$work/times")"
    start_daemon "$config" "$log"
    awk -v r="$T_READY" -v n="$(now)" -v l="$lead" \
        'BEGIN { if (n > r) printf "(the start took longer than the %.0f s allowed: the schedule began %.0f s late)\n", l, n - r }'
    start_changer "$interval" "$T_B"
    profile_windows "$name"
    NGINX_MASTER=$(cat "$work/nginx.pid") step python3 "$helpers/window.py" measure "$daemon" "$work/access.log" "$log" "$work/results" "$rate" "$work/due-$name" \
        "$name A (changer off)@$T_A@$T_B" "$name B (changer on)@$T_B@$T_END"
    python3 "$helpers/window.py" solve "$work/results" "$name A (changer off)" "$name B (changer on)"
    scrape_times "$log"
    stop_changer
    stop_daemon
    # Operational lines go to stderr (FEEDWATCH_LOG=stderr); alerts too when no journald answers.
    echo "daemon log after the restart: $(wc -l <"$log") lines, $(wc -c <"$log" | awk '{ printf "%.0f", $1 / 1024 }') KB, $(grep -c 'alert_id=' "$log" || true) of them alerts"
    echo
}

small() { measure_size small "$SMALL_FEEDS" "$SMALL_INTERVAL" "$WINDOW_B" "$CYCLE_TIMEOUT"; }
large() { measure_size large "$LARGE_FEEDS" "$LARGE_INTERVAL" "$LARGE_WINDOW_B" "$PROBE"; }

for r in $RUNS; do "$r"; done
echo "(scale benchmark: $(since "$started") s in all)"
