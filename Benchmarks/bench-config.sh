#!/usr/bin/env bash
# Cost of loading a large configuration: `feedwatch check` on 100,000 and 1,000,000 feeds, written as
# `feeds:` YAML, as a `feeds_from:` plain list and (up to 100,000) as a `feeds_from:` OPML file. Prints wall time and
# and CPU time and peak RSS of each (GNU time), and those of a configuration with no feeds for comparison.
# CONFIG_FEEDS="100000 1000000" sets the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${FEEDWATCH_BIN:-.build/release/feedwatch}
[ -x "$bin" ] || swift build -c release --product feedwatch >/dev/null
sizes=${CONFIG_FEEDS:-100000 1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The parts every file shares: defaults, a rule that selects by tag and by name, a webhook.
tail_yaml() {
    cat <<'YAML'
rules:
  - {name: outages, any: [panne, outage], feeds: ["tag:news", feed-1]}
webhooks:
  - {name: ops, url: "https://hooks.example.org/feedwatch"}
YAML
}
head_yaml() {
    printf 'state_dir: %s/state\ndefaults: {interval: 15m, timeout: 20s}\n' "$work"
}

# Feeds spread over 5,000 hosts; three tag sets; one feed in ten with its own interval.
generate() {
    local n=$1
    { head_yaml; echo "feeds:"
      awk -v n="$n" 'BEGIN {
        for (i = 1; i <= n; i++) {
            printf "  - url: https://news%d.example.org/feed/%d.xml\n    name: feed-%d\n", i % 5000, i, i
            printf "    tags: [%s]\n", i % 3 == 0 ? "news, fr" : (i % 3 == 1 ? "news, en" : "tech")
            if (i % 10 == 0) printf "    interval: 30m\n"
        } }'
      tail_yaml; } >"$work/yaml-$n.yaml"
    awk -v n="$n" 'BEGIN { print "# generated: URL NAME tag:TAG…"
        for (i = 1; i <= n; i++) {
            t = i % 3 == 0 ? "tag:news tag:fr" : (i % 3 == 1 ? "tag:news tag:en" : "tag:tech")
            printf "https://news%d.example.org/feed/%d.xml feed-%d %s\n", i % 5000, i, i, t
        } }' >"$work/list-$n.txt"
    { head_yaml; echo "feeds: []"; echo "feeds_from: list-$n.txt"; tail_yaml; } >"$work/list-$n.yaml"
    # Foundation's XML parser stops on OPML files of more than about 150,000 outlines (libxml2's limits).
    if [ "$n" -gt 100000 ]; then return 0; fi
    awk -v n="$n" 'BEGIN { print "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body><outline text=\"News\">"
        for (i = 1; i <= n; i++)
            printf "<outline text=\"feed-%d\" xmlUrl=\"https://news%d.example.org/feed/%d.xml\"/>\n", i, i % 5000, i
        print "</outline></body></opml>" }' >"$work/opml-$n.opml"
    { head_yaml; echo "feeds: []"; echo "feeds_from: opml-$n.opml"; tail_yaml; } >"$work/opml-$n.yaml"
}

measure() {
    local label=$1 file=$2
    if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin" check -c "$file" >"$work/out" 2>"$work/err"; then
        echo "$label: check failed: $(head -1 "$work/err")"
        return
    fi
    read -r seconds user system kib <"$work/time"
    # CPU time beside wall time: on a busy machine the wall time says more about the neighbours.
    printf '%-30s %6.2f s (%5.2f s CPU)  %5d MB peak RSS   %s\n' "$label" "$seconds" \
        "$(awk -v u="$user" -v s="$system" 'BEGIN { print u + s }')" $((kib / 1024)) "$(head -1 "$work/out")"
}

{ head_yaml; echo "feeds: []"; echo "rules: [{name: outages, any: [panne, outage]}]"; } >"$work/empty.yaml"
measure "no feeds" "$work/empty.yaml"
for n in $sizes; do
    generate "$n"
    measure "$n feeds, feeds: YAML" "$work/yaml-$n.yaml"
    measure "$n feeds, feeds_from list" "$work/list-$n.yaml"
    if [ -f "$work/opml-$n.yaml" ]; then measure "$n feeds, feeds_from OPML" "$work/opml-$n.yaml"; fi
    rm -f "$work"/*-"$n".*
done
