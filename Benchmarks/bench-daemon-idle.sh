#!/usr/bin/env bash
# Idle cost of `feedwatch run`: 1,000 feeds at a 10-minute interval, served by a local nginx (with
# ETags, so each poll after the first is a 304, as with real sites). After the first polls, measures
# the daemon's CPU time over IDLE_SECONDS (default 600) — every feed is polled once more in that
# time — and its RSS.
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
{
    echo "state_dir: $work/state"
    echo "defaults: {interval: 10m}"
    echo "feeds:"
    for i in $(seq 1 "$FEEDS"); do echo "  - {url: 'http://127.0.0.1:$port/feed.xml?f=$i', name: feed-$i}"; done
    echo "rules: [{name: outages, any: [panne, outage]}]"
} > "$work/feedwatch.yaml"
clk=$(getconf CLK_TCK)
cpu() { awk -v t="$clk" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
FEEDWATCH_LOG=stderr "$bin" run -c "$work/feedwatch.yaml" 2>"$work/log" &
pid=$!
# The first polls are spread over up to a minute; wait until every feed has been polled once.
for _ in $(seq 1 180); do
    sleep 1
    never=$("$bin" state -c "$work/feedwatch.yaml" 2>/dev/null | grep -c ' never ' || true)
    [ "$never" = 0 ] && break
done
start_cpu=$(cpu $pid)
rss_start=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
sleep "$IDLE_SECONDS"
end_cpu=$(cpu $pid)
rss_end=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
anon=$(awk '/RssAnon/ {print $2}' /proc/$pid/status)
file=$(awk '/RssFile/ {print $2}' /proc/$pid/status)
polled=$("$bin" state -c "$work/feedwatch.yaml" 2>/dev/null | grep -c ' 304 ' || true)
echo "idle daemon, $FEEDS feeds at a 10m interval: CPU $(awk -v a="$start_cpu" -v b="$end_cpu" 'BEGIN { printf "%.2f", b - a }') s over ${IDLE_SECONDS} s (goal < 1 s per 600 s); $polled feeds answered 304 in that time"
echo "  RSS $((rss_start / 1024)) MiB at the start of the idle period, $((rss_end / 1024)) MiB at its end, peak $((hwm / 1024)) MiB (goal < 30 MB)"
echo "  of which private (RssAnon) $((anon / 1024)) MiB and shared library/file pages (RssFile) $((file / 1024)) MiB"
