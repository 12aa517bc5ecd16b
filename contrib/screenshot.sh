#!/bin/sh
# contrib/screenshot.sh BINARY [OUTPUT]: a picture of the status page (SPEC §8) of a demo feedwatch.
#
# Serves the demo feeds of contrib/demo from a temporary folder (file: feeds), starts `feedwatch run`
# with `http: {listen: 127.0.0.1:PORT}`, waits until it is ready and has raised its first alerts,
# takes the screenshot with headless chromium, and stops the daemon. `make screenshot` runs it.
set -eu

bin=$(realpath "${1:?usage: contrib/screenshot.sh BINARY [OUTPUT]}")
out=$(realpath -m "${2:-docs/status-page.png}")
width=1200
height=1400

command -v chromium >/dev/null || { echo "chromium is not installed: make deps installs it" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed: make deps installs it" >&2; exit 1; }

work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A free loopback port: bound by the kernel's choice, then released for feedwatch to take.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The demo: contrib/demo's feeds and configuration, copied beside each other (file: feeds are
# relative to the configuration's folder).
demo=$(dirname "$0")/demo
cp "$demo"/*.xml "$work/"
sed -e "s|@STATE_DIR@|$work/state|" -e "s|@LISTEN@|127.0.0.1:$port|" "$demo/feedwatch.yaml.in" >"$work/feedwatch.yaml"

FEEDWATCH_LOG=stderr "$bin" run -c "$work/feedwatch.yaml" 2>"$work/feedwatch.log" &
pid=$!

# Ready once the state is open; then the first polls raise the demo's three alerts and find its two
# failing feeds.
base="http://127.0.0.1:$port"
shown() {
    curl -fsS "$base/readyz" >/dev/null 2>&1 || return 1
    [ "$(curl -fsS "$base/api/v1/alerts" 2>/dev/null | grep -o '"rule"' | wc -l)" -ge 3 ] || return 1
    curl -fsS "$base/api/v1/feeds?status=failing" 2>/dev/null | grep -q '"matched":2'
}
waited=0
until shown; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge 120 ]; then
        echo "feedwatch did not show the demo on $base within 60s:" >&2
        cat "$work/feedwatch.log" >&2
        exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
done

# As root Chromium refuses to run without --no-sandbox; it only loads our own loopback page.
sandbox=
[ "$(id -u)" = 0 ] && sandbox=--no-sandbox
mkdir -p "$(dirname "$out")"
chromium --headless $sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$work/chromium" \
    --screenshot="$out" --window-size="$width,$height" "$base/" 2>"$work/chromium.log" || {
    cat "$work/chromium.log" >&2
    exit 1
}
echo "wrote $out"
