#!/usr/bin/env bash
# Idle cost of `feedwatch run`: 1,000 feeds at a 10-minute interval, served by a local nginx (with
# ETags, so each poll after the first is a 304, as with real sites). After the first polls, measures
# the daemon's CPU time over IDLE_SECONDS (default 600) — every feed is polled once more in that
# time — and its memory (RSS, and the private pages no other process shares).
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE_SECONDS=${IDLE_SECONDS:-600}
FEEDS=${FEEDS:-1000}
bin=${FEEDWATCH_BIN:-.build/release/feedwatch}
[ -x "$bin" ] || swift build -c release --product feedwatch >/dev/null
work=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/www"
{
    echo '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>idle</title><link>https://example.org/</link>'
    for i in $(seq 1 30); do
        echo "<item><title>Story $i about the weather</title><link>https://example.org/$i</link><guid>s$i</guid><description>Nothing to see.</description></item>"
    done
    echo '</channel></rss>'
} > "$work/www/feed.xml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
cat > "$work/nginx.conf" <<NGINX
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
error_log $work/error.log;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    etag on;
    client_body_temp_path $work/body;
    types { application/rss+xml xml; }
    server { listen 127.0.0.1:$port; root $work/www; }
}
NGINX
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf"
# Two daemons side by side over the same feeds and the same minutes: one without the HTTP
# listener, one with it (and scraped once a minute, as Prometheus would, a little less often than
# its default): the listener's cost is the difference.
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for kind in plain listener; do
    {
        echo "state_dir: $work/state-$kind"
        echo "defaults: {interval: 10m}"
        [ "$kind" = listener ] && echo "http: {listen: \"127.0.0.1:$hport\"}"
        echo "feeds:"
        for i in $(seq 1 "$FEEDS"); do echo "  - {url: 'http://127.0.0.1:$port/feed.xml?f=$i', name: feed-$i}"; done
        echo "rules: [{name: outages, any: [panne, outage]}]"
    } > "$work/$kind.yaml"
done
clk=$(getconf CLK_TCK)
cpu() { awk -v t="$clk" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
FEEDWATCH_LOG=stderr "$bin" run -c "$work/plain.yaml" 2>"$work/plain.log" &
pid=$!
FEEDWATCH_LOG=stderr "$bin" run -c "$work/listener.yaml" 2>"$work/listener.log" &
pid2=$!
trap 'kill $pid2 2>/dev/null || true; cleanup' EXIT
# The first polls are spread over up to a minute; wait until every feed has been polled once.
for kind in plain listener; do
    for _ in $(seq 1 180); do
        never=$("$bin" state -c "$work/$kind.yaml" 2>/dev/null | grep -c ' never ' || true)
        [ "$never" = 0 ] && break
        sleep 1
    done
done
start_cpu=$(cpu $pid)
start_cpu2=$(cpu $pid2)
scrapes=0
for _ in $(seq 1 $((IDLE_SECONDS / 60))); do
    sleep 60
    curl -fsS -o /dev/null "http://127.0.0.1:$hport/metrics" && scrapes=$((scrapes + 1))
done
sleep $((IDLE_SECONDS % 60))
end_cpu=$(cpu $pid)
end_cpu2=$(cpu $pid2)
for kind in plain listener; do
    p=$pid
    [ "$kind" = listener ] && p=$pid2
    rss=$(awk '/VmRSS/ {print $2}' /proc/$p/status)
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$p/status)
    anon=$(awk '/RssAnon/ {print $2}' /proc/$p/status)
    file=$(awk '/RssFile/ {print $2}' /proc/$p/status)
    # Private: the pages no other process shares (Private_Clean + Private_Dirty), what the daemon
    # alone adds to the machine's memory.
    private=$(awk '/^Private_(Clean|Dirty):/ { kb += $2 } END { print kb }' /proc/$p/smaps_rollup)
    printf -v "rss_$kind" '%s' "RSS $((rss / 1024)) MiB (peak $((hwm / 1024)) MiB), private $((private / 1024)) MiB (RssAnon $((anon / 1024)) MiB), shared library/file pages $((file / 1024)) MiB"
done
polled=$("$bin" state -c "$work/plain.yaml" 2>/dev/null | grep -c ' 304 ' || true)
echo "idle daemon, $FEEDS feeds at a 10m interval, over ${IDLE_SECONDS} s ($polled feeds answered 304 in that time):"
echo "  without the listener: CPU $(awk -v a="$start_cpu" -v b="$end_cpu" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.2f s (goal < 1 s per 600 s: %s)", b - a, (b - a) * 600 / s < 1 ? "met" : "NOT MET" }'); $rss_plain"
echo "  with the listener, $scrapes scrapes of /metrics: CPU $(awk -v a="$start_cpu2" -v b="$end_cpu2" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.2f s (goal <= 0.5 s per 600 s: %s)", b - a, (b - a) * 600 / s <= 0.5 ? "met" : "NOT MET" }'); $rss_listener"
