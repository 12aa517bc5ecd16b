#!/usr/bin/env bash
# The Debian package under a real systemd: a Debian 12 root booted with systemd-nspawn (systemd
# as PID 1), the .deb installed with dpkg, and the service driven with systemctl and journalctl.
#
#   Tests/system/run.sh feedwatch_VERSION_amd64.deb        (as root; `make test-system`)
#
# The root is made once with debootstrap and cached in $FEEDWATCH_TEST_ROOT
# (/var/cache/feedwatch-test/bookworm-root); every run boots it with --volatile=overlay, so its
# writes go to a tmpfs and the cache stays clean. The container shares the host's network, so the
# feed server and webhook receiver this script starts on 127.0.0.1 are reachable from inside.
# Prints one PASS/FAIL line per check and exits non-zero if any failed.
set -euo pipefail

deb=$(realpath "${1:?usage: run.sh feedwatch_VERSION_ARCH.deb}")
cache=${FEEDWATCH_TEST_ROOT:-/var/cache/feedwatch-test/bookworm-root}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)
alert_message_id=01d753927b964912bb11f9b587569102
started=$(date +%s)

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (debootstrap, systemd-nspawn, nsenter)" >&2; exit 1; }

work=$(mktemp -d /tmp/feedwatch-system.XXXXXX)
nspawn_pid='' leader='' server_pid='' failures=0 passes=0 summarised=''

summary() {
    summarised=yes
    echo "elapsed: $(($(date +%s) - started)) s"
    echo "$passes passed, $failures failed"
}

cleanup() {
    local status=$?
    set +e
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        # SIGTERM makes systemd-nspawn ask the container's systemd to power off.
        kill -TERM "$nspawn_pid"
        for _ in $(seq 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$nspawn_pid" 2>/dev/null && kill -KILL "$nspawn_pid"
        wait "$nspawn_pid" 2>/dev/null
    fi
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    if [ "$status" != 0 ] && [ -s "$work/console.log" ]; then
        echo "--- container console (last 30 lines) ---"; tail -n 30 "$work/console.log"
    fi
    rm -rf "$work"
    if [ -z "$summarised" ]; then
        [ "$status" = 0 ] || [ "$failures" != 0 ] || fail "the test stopped early (exit status $status)"
        summary
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...: PASS or FAIL on the command's status
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
# wait_for SECONDS COMMAND...: polls the command every 0.2 s until it succeeds or time runs out.
wait_for() {
    local deadline=$(($(date +%s%N) + $1 * 1000000000)); shift
    until "$@"; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# A command inside the container: its mount, UTS, IPC, network and PID namespaces.
inside() { nsenter -t "$leader" -m -u -i -n -p -- "$@"; }
show() { inside systemctl show -p "$1" --value feedwatch.service; }

# --- the cached Debian 12 root -------------------------------------------------------------------

# The package's Depends: without versions or alternatives, for the cached root.
deb_depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/[(|].*//' -e 's/ //g' | grep -v '^$' | sort -u)
root_packages="systemd dbus procps $deb_depends"

if [ ! -e "$cache/.feedwatch-test-root" ]; then
    echo "making the Debian 12 root in $cache (debootstrap, once)"
    rm -rf "$cache.new"
    mkdir -p "$(dirname "$cache")"
    debootstrap --variant=minbase --include="$(echo $root_packages | tr ' ' ',')" bookworm "$cache.new" "$mirror" \
        >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log"; fail "debootstrap"; exit 1; }
    # No login prompt on the console; the machine id is made anew at each boot (the root is read-only).
    rm -f "$cache.new/etc/machine-id"
    chroot "$cache.new" systemctl mask console-getty.service getty@.service systemd-firstboot.service >/dev/null 2>&1
    touch "$cache.new/.feedwatch-test-root"
    rm -rf "$cache" && mv "$cache.new" "$cache"
fi
missing=$(for p in $root_packages; do
    chroot "$cache" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [ -n "$missing" ]; then
    echo "adding to the cached root:" $missing
    systemd-nspawn --register=no --keep-unit --quiet -D "$cache" --pipe sh -c \
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(echo $missing)" \
        >"$work/apt.log" 2>&1 </dev/null || { tail -n 20 "$work/apt.log"; fail "installing $missing in the root"; exit 1; }
fi
pass "Debian 12 root ready ($cache)"

# --- the feed server and webhook receiver on 127.0.0.1 -------------------------------------------

mkdir -p "$work/www" "$work/share"
cp "$deb" "$work/share/feedwatch.deb"
cat >"$work/www/loop.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Loopback news</title><link>https://example.org/</link>
<description>feedwatch system test</description>
<item><title>Telegram outage: messages delayed across Europe</title>
<link>https://example.org/2025/telegram-outage</link><guid>loop-telegram-outage</guid>
<description>An outage hit Telegram for an hour.</description>
<pubDate>Mon, 03 Mar 2025 10:00:00 +0000</pubDate></item>
<item><title>Weather: a sunny weekend</title><link>https://example.org/2025/weather</link>
<guid>loop-weather</guid><description>Nothing to see.</description></item>
</channel></rss>
EOF
python3 "$here/loopback.py" "$work/www" "$work/port" &
server_pid=$!
wait_for 10 test -s "$work/port" || { fail "loopback server did not start"; exit 1; }
port=$(cat "$work/port")
pass "feed server and webhook receiver on 127.0.0.1:$port"

# --- boot ----------------------------------------------------------------------------------------

systemd-nspawn --register=no --keep-unit --quiet -D "$cache" --volatile=overlay --console=passive \
    --bind-ro="$work/share:/run/feedwatch-test" -b >"$work/console.log" 2>&1 </dev/null &
nspawn_pid=$!

# The container's PID 1: the descendant of systemd-nspawn whose PID in its own namespace is 1.
find_leader() {
    local pid
    for pid in $(cat /proc/"$nspawn_pid"/task/*/children 2>/dev/null) \
        $(for c in $(cat /proc/"$nspawn_pid"/task/*/children 2>/dev/null); do cat /proc/"$c"/task/*/children; done 2>/dev/null); do
        if grep -qE "^NSpid:\s+$pid\s+1$" /proc/"$pid"/status 2>/dev/null; then leader=$pid; return 0; fi
    done
    return 1
}
wait_for 30 find_leader || { fail "the container did not start"; exit 1; }
system_up() {
    local state
    state=$(inside systemctl is-system-running 2>/dev/null) || true
    [ "$state" = running ] || [ "$state" = degraded ]
}
if wait_for 60 system_up; then
    pass "systemd $(inside systemctl --version | sed -n '1s/systemd \([0-9]*\).*/\1/p') is PID 1 of the container ($(inside systemctl is-system-running 2>/dev/null || true))"
else
    fail "the container's systemd did not finish booting"; exit 1
fi

# --- install -------------------------------------------------------------------------------------

check "no Swift toolchain in the container" inside sh -c '! ls -d /opt/swift /usr/bin/swift* /usr/lib/swift 2>/dev/null'
if inside dpkg -i /run/feedwatch-test/feedwatch.deb >"$work/dpkg.log" 2>&1; then
    pass "dpkg -i installs the package"
else
    cat "$work/dpkg.log"; fail "dpkg -i installs the package"
fi
check "the binary finds every library it needs" inside sh -c '! ldd /usr/bin/feedwatch | grep -q "not found"'
version=$(inside feedwatch --version)
check "feedwatch --version ($version) is the package's version" \
    test "$version" = "$(dpkg-deb -f "$deb" Version)"
check "the unit is enabled and not started by the installation" \
    test "$(inside systemctl is-enabled feedwatch.service)/$(show ActiveState)" = "enabled/inactive"
check "the shipped configuration is valid" inside feedwatch check

# --- start: READY=1 ------------------------------------------------------------------------------

t0=$(now_ms)
check "systemctl enable --now feedwatch" inside systemctl enable --now feedwatch.service
t1=$(now_ms)
# A Type=notify start job finishes only when READY=1 arrives: active/running right away, no waiting.
check "enable --now returned once READY=1 arrived ($((t1 - t0)) ms): $(show ActiveState)/$(show SubState)" \
    test "$(show ActiveState)/$(show SubState)" = "active/running"
main_pid=$(show MainPID)

# --- the sample feed's alert in the journal, with every field ------------------------------------

journal_alerts() { inside journalctl --no-pager -o json "MESSAGE_ID=$alert_message_id" >"$work/alerts.json" 2>/dev/null; }
has_alert() { journal_alerts && [ -s "$work/alerts.json" ]; }
if wait_for 60 has_alert; then
    check "the sample alert is in the journal with every FEEDWATCH_* field" python3 - "$work/alerts.json" <<'EOF'
import json, sys
fields = ["FEEDWATCH_ALERT_ID", "FEEDWATCH_RULE", "FEEDWATCH_KEYWORDS", "FEEDWATCH_FEED", "FEEDWATCH_FEED_URL",
          "FEEDWATCH_ITEM_ID", "FEEDWATCH_ITEM_TITLE", "FEEDWATCH_ITEM_LINK", "FEEDWATCH_ITEM_PUBLISHED"]
entry = json.loads(open(sys.argv[1]).readline())
missing = [f for f in fields if not entry.get(f)]
wrong = {k: entry.get(k) for k, v in {"PRIORITY": "5", "SYSLOG_IDENTIFIER": "feedwatch",
                                      "_SYSTEMD_UNIT": "feedwatch.service", "FEEDWATCH_FEED": "sample"}.items()
         if entry.get(k) != v}
if missing or wrong:
    print("  missing:", missing, "wrong:", wrong, "entry:", entry)
    sys.exit(1)
print("  " + entry["MESSAGE"])
EOF
else
    fail "no alert in the journal (journalctl MESSAGE_ID=$alert_message_id)"
fi

# --- STATUS= is live -----------------------------------------------------------------------------

status_before=$(show StatusText)
echo "  StatusText: $status_before"

# --- reload: a new feed and a webhook, same process ----------------------------------------------

inside sh -c 'cat >/etc/feedwatch/feedwatch.yaml' <<EOF
feeds:
  - url: file:/usr/share/feedwatch/sample-feed.xml
    name: sample
    interval: 30s
    alert_on_first_poll: true
  - url: http://127.0.0.1:$port/loop.xml
    name: loop
    interval: 30s
    alert_on_first_poll: true
rules:
  - name: outages
    any: [panne*, outage, Facebook, Telegram]
    notify: [journal, receiver]
webhooks:
  - name: receiver
    url: http://127.0.0.1:$port/hook
    format: json
    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
EOF
check "systemctl reload feedwatch" inside systemctl reload feedwatch.service
check "reload kept the same process (MainPID $main_pid)" test "$(show MainPID)" = "$main_pid"
two_feeds() { show StatusText | grep -q "^2 feeds,"; }
check "StatusText follows the reload: '$status_before' -> '$(wait_for 15 two_feeds; show StatusText)'" two_feeds
polled() { grep -q '"/loop.xml"' "$work/requests.jsonl" 2>/dev/null; }
check "the feed added by the reload is polled" wait_for 60 polled
expected_agent="feedwatch/$version (+https://github.com/feedwatch/feedwatch)"
check "User-Agent is $expected_agent" grep -qF "\"user_agent\": \"$expected_agent\"" "$work/requests.jsonl"
delivered() { [ -s "$work/hooks.jsonl" ]; }
check "the alert reaches the webhook receiver" wait_for 30 delivered
nice_limit=$(inside sh -c "sed -n 's/^Max nice priority *\\([0-9]*\\).*/\\1/p' /proc/$(show MainPID)/limits")
# The sample's alert and this one: STATUS= is refreshed within 10 s of a change.
alerts_counted() { show StatusText | grep -q "^2 feeds, 2 alerts today"; }
check "StatusText counts the new alert: '$(wait_for 20 alerts_counted; show StatusText)'" alerts_counted

# --- the watchdog kills a stopped daemon and systemd restarts it ---------------------------------

inside mkdir -p /etc/systemd/system/feedwatch.service.d
inside sh -c 'printf "[Service]\nWatchdogSec=3s\n" >/etc/systemd/system/feedwatch.service.d/test-watchdog.conf'
inside systemctl daemon-reload
inside systemctl restart feedwatch.service
stopped_pid=$(show MainPID)
restarts=$(show NRestarts)
inside kill -STOP "$stopped_pid"
restarted() { local pid; pid=$(show MainPID); [ "$pid" != 0 ] && [ "$pid" != "$stopped_pid" ] && [ "$(show ActiveState)" = active ]; }
if wait_for 60 restarted; then
    pass "a daemon stopped with SIGSTOP was killed by the watchdog and restarted (MainPID $stopped_pid -> $(show MainPID), NRestarts $restarts -> $(show NRestarts))"
else
    fail "the watchdog did not restart a stopped daemon ($(show ActiveState)/$(show SubState), MainPID $(show MainPID))"
fi
check "the journal says why: $(inside journalctl --no-pager -u feedwatch.service -g 'Watchdog timeout' -o cat | tail -n 1)" \
    inside sh -c 'journalctl --no-pager -u feedwatch.service -o cat | grep -q "Watchdog timeout"'
inside rm /etc/systemd/system/feedwatch.service.d/test-watchdog.conf
inside systemctl daemon-reload

# --- stop ----------------------------------------------------------------------------------------

t0=$(now_ms)
inside systemctl stop feedwatch.service
t1=$(now_ms)
check "systemctl stop took $((t1 - t0)) ms (< 10 s)" test $((t1 - t0)) -lt 10000
check "stop was clean: Result=$(show Result), exit status $(show ExecMainStatus)" \
    test "$(show Result)/$(show ExecMainStatus)" = "success/0"

exposure=$(inside systemd-analyze security --no-pager feedwatch.service | sed -n 's/.*Overall exposure level for feedwatch.service: \([0-9.]*\).*/\1/p')
check "systemd-analyze security feedwatch: ${exposure:-?} (<= 1.5)" \
    python3 -c "import sys; sys.exit(0 if sys.argv[1] and float(sys.argv[1]) <= 1.5 else 1)" "${exposure:-}"

# --- remove and purge -----------------------------------------------------------------------------

inside dpkg --remove feedwatch >"$work/dpkg.log" 2>&1 || cat "$work/dpkg.log"
check "dpkg --remove keeps the configuration and the state" \
    inside sh -c 'test -e /etc/feedwatch/feedwatch.yaml && test -e /var/lib/private/feedwatch/feedwatch.sqlite && ! test -e /usr/bin/feedwatch'
inside dpkg --purge feedwatch >"$work/dpkg.log" 2>&1 || cat "$work/dpkg.log"
check "dpkg --purge removes the configuration, the state and the unit's links" \
    inside sh -c '! ls -d /etc/feedwatch /var/lib/private/feedwatch /var/lib/feedwatch /etc/systemd/system/feedwatch.service /etc/systemd/system/multi-user.target.wants/feedwatch.service 2>/dev/null'

# --- deliveries, hardening, and the journal as a whole -------------------------------------------

check "no alert delivered twice (webhook-id unique among $(wc -l <"$work/hooks.jsonl") deliveries)" python3 - "$work/hooks.jsonl" <<'EOF'
import collections, json, sys
ids = [json.loads(line)["headers"].get("webhook-id") for line in open(sys.argv[1])]
twice = [i for i, n in collections.Counter(ids).items() if n > 1]
if not ids or None in ids or twice:
    print("  webhook-ids:", ids)
    sys.exit(1)
EOF
# libdispatch logs "Failed to set thread priority for worker thread … errno=N" when setpriority(2)
# fails: errno=1 is the system call filter (every new worker thread), errno=13 a nice value below
# what RLIMIT_NICE allows (its manager thread asks for -4; the unit's LimitNICE=-4 allows it).
inside journalctl --no-pager -b -o short >"$work/journal.txt"
check "no 'Failed to set thread priority … errno=1' (setpriority allowed by the system call filter)" \
    sh -c "! grep 'Failed to set thread priority.*errno=1\$' '$work/journal.txt'"
if [ "$nice_limit" = 24 ]; then
    check "no 'Failed to set thread priority' at all (RLIMIT_NICE is $nice_limit)" \
        sh -c "! grep 'Failed to set thread priority' '$work/journal.txt'"
else
    refused=$(grep 'Failed to set thread priority.*errno=13' "$work/journal.txt" || true)
    echo "NOTE: the container's systemd could not raise RLIMIT_NICE (here $nice_limit; LimitNICE=-4 asks for 24):" \
        "a nice value below 0 was refused $(echo -n "$refused" | grep -c .) time(s), in" \
        "$(echo -n "$refused" | sed -n 's/.*feedwatch\[\([0-9]*\)\].*/\1/p' | sort -u | grep -c .) process(es)"
    echo "$refused" | head -n 20
fi
inside journalctl --no-pager -b -p warning -o cat _COMM=feedwatch >"$work/warnings.txt"
check "no feedwatch line at warning or worse" \
    sh -c "! grep -v 'Failed to set thread priority.*errno=13' '$work/warnings.txt'"

summary
[ "$failures" = 0 ]
