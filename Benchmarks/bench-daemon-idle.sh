#!/usr/bin/env bash
# Idle cost of `feedwatch run`: 1,000 feeds at a 10-minute interval. After the first polls are
# done, measures the daemon's CPU time over IDLE_SECONDS (default 600) and its RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE_SECONDS=${IDLE_SECONDS:-600}
FEEDS=${FEEDS:-1000}
bin=.build/release/feedwatch
[ -x "$bin" ] || swift build -c release --product feedwatch >/dev/null
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
{
    echo '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>idle</title><link>https://example.org/</link>'
    for i in $(seq 1 30); do
        echo "<item><title>Story $i about the weather</title><link>https://example.org/$i</link><guid>s$i</guid><description>Nothing to see.</description></item>"
    done
    echo '</channel></rss>'
} > "$work/feed.xml"
{
    echo "state_dir: $work/state"
    echo "defaults: {interval: 10m}"
    echo "feeds:"
    for i in $(seq 1 "$FEEDS"); do echo "  - {url: 'file:feed.xml', name: feed-$i}"; done
    echo "rules: [{name: outages, any: [panne, outage]}]"
} > "$work/feedwatch.yaml"
clk=$(getconf CLK_TCK)
cpu() { awk -v t="$clk" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
"$bin" run -c "$work/feedwatch.yaml" 2>"$work/log" &
pid=$!
# The first polls are spread over up to a minute; wait until every feed has been polled.
for _ in $(seq 1 120); do
    sleep 1
    [ -f "$work/state/feedwatch.sqlite" ] && done_count=$("$bin" state -c "$work/feedwatch.yaml" 2>/dev/null | grep -vc ' never ' || true) || done_count=0
    [ "${done_count:-0}" -gt "$FEEDS" ] && break
done
start_cpu=$(cpu $pid)
rss_start=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
sleep "$IDLE_SECONDS"
end_cpu=$(cpu $pid)
rss_end=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "idle daemon, $FEEDS feeds at 10m: CPU $(awk -v a="$start_cpu" -v b="$end_cpu" 'BEGIN { printf "%.2f", b - a }') s over ${IDLE_SECONDS} s idle (goal < 1 s per 600 s)"
echo "  RSS at start of idle $((rss_start / 1024)) MiB, at end $((rss_end / 1024)) MiB, peak $((hwm / 1024)) MiB (goal < 30 MB)"
