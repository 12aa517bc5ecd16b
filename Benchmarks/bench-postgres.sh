#!/usr/bin/env bash
# The state on PostgreSQL against SQLite, over the same 10,000 feeds in one run.
#
# One nginx on loopback serves 1,000 RSS files (20 items, ~8 KB, one title in 50 with the watched
# keyword `panne`) under 10,000 URLs spread over PG_BENCH_HOSTS loopback addresses (with the default
# `per_host: 4`, enough hosts for the default `concurrency: 64` to be used); nginx answers
# conditional requests itself (ETag, Last-Modified). One private PostgreSQL 15 server (Debian's
# postgresql-15, run as the `postgres` user when this runs as root) on 127.0.0.1 and a free port,
# its data under a temporary directory on the disk, fsync on, shared_buffers 128MB; the role
# `feedwatch` (with a password, passed in DB_PASSWORD) owns a fresh database for each measurement.
# Every configuration uses the defaults (`concurrency: 64`, `per_host: 4`, interval 10m,
# `alert_on_first_poll: false`, so first polls record their items silently) and the rule
# `{name: outages, any: [panne]}`; no webhooks (alerts would go to the journal, or to stderr with
# FEEDWATCH_LOG=stderr, which every run here sets).
#
# It prints:
# 1. `feedwatch once` over the 10,000 feeds, a first poll on a fresh state: on SQLite (a new
#    state_dir) and on PostgreSQL (a new database): wall time, process CPU (user + sys), polls/s and
#    peak RSS from GNU time, and the PostgreSQL server's CPU over the run (the postmaster and its
#    backends, live and exited);
# 2. on PostgreSQL, the commits of that run (`xact_commit` in `pg_stat_database`, read before and
#    after): commits/s over its wall time and commits per poll;
# 3. `feedwatch run` until every feed has been polled once (the sum of `feedwatch_polls_total` over
#    the daemons' /metrics reaches the feed count): one daemon on SQLite, one on PostgreSQL, and two
#    sharing one PostgreSQL database (`lease: 6s`, so the second gets its half within a turn or two);
#    the time from the start, each process's CPU and peak RSS, the server's CPU and commits. A daemon
#    spreads never-polled feeds' first polls over a window (FeedSchedule.firstPollWindow: 60 s from
#    3,000 feeds on), so that time is mostly the window: the CPU is what differs;
# 4. the recording throughput of `feedwatch run`: each configuration's state seeded by `feedwatch
#    once`, then every file rewritten with 5 new items on top (a new generation: nginx answers 200)
#    and every feed's stored next poll set in the past (SQLite through python3's sqlite3, PostgreSQL
#    through psql), so that the daemons start with every feed due and changed; one daemon on SQLite,
#    one on PostgreSQL and two sharing one PostgreSQL database run until every feed is polled again
#    (the sum of `feedwatch_polls_total` reaches the feed count): the time from the start and
#    polls/s, each process's CPU, the server's CPU, commits and commits/s. 50,000 new items, about
#    1,000 with the keyword; the 10 feeds that share a file hold the same stories, so one alert
#    fires for each and 9 are held back by the story keys (across the two daemons too).
#
# Knobs: PG_BENCH_PARTS ("once run throughput": any of them), PG_BENCH_FEEDS (10000), PG_BENCH_HOSTS (64),
# PG_BENCH_RUN_TIMEOUT (150 s for each `run` measurement, the throughput ones too), PG_BENCH_SERVER_OPTIONS (more server
# settings, e.g. "-c synchronous_commit=off"), PG_BENCH_TMP (files and logs: /dev/shm when there is
# one), PG_BENCH_STATE_TMP (SQLite states and PostgreSQL's data: $TMPDIR, else /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
PARTS=${PG_BENCH_PARTS:-once run throughput}
FEEDS=${PG_BENCH_FEEDS:-10000}
HOSTS=${PG_BENCH_HOSTS:-64}
RUN_TIMEOUT=${PG_BENCH_RUN_TIMEOUT:-150}
SERVER_OPTIONS=${PG_BENCH_SERVER_OPTIONS:-}
FILES=1000
bin=${FEEDWATCH_BIN:-.build/release/feedwatch}
[ -x "$bin" ] || swift build -c release --product feedwatch >/dev/null
bin=$(realpath "$bin")
pgbin=/usr/lib/postgresql/15/bin
for p in initdb pg_ctl postgres psql; do
    [ -x "$pgbin/$p" ] || { echo "PostgreSQL 15 is not installed ($pgbin/$p): make deps installs postgresql-15"; exit 1; }
done
[ -x /usr/bin/time ] || { echo "GNU time is not installed (/usr/bin/time): make bench-deps installs it"; exit 1; }
# No libpq variable of the caller's (PGHOST, PGUSER…) reaches psql.
for v in $(compgen -e | grep '^PG[A-Z]' || true); do unset "$v"; done

[ -d /dev/shm ] && scratch=/dev/shm || scratch=${TMPDIR:-/tmp}
work=$(mktemp -d "${PG_BENCH_TMP:-$scratch}/feedwatch-pgbench.XXXXXX")
states=$(mktemp -d "${PG_BENCH_STATE_TMP:-${TMPDIR:-/tmp}}/feedwatch-pgbench-state.XXXXXX")
# PostgreSQL's directory (data, socket, log): private to the server's user, who must reach it.
pgdir=$states/postgres
mkdir -m 700 "$pgdir"
as_pg=()
if [ "$(id -u)" = 0 ]; then
    as_pg=(/usr/bin/setpriv --reuid=postgres --regid=postgres --init-groups --)
    chown postgres:postgres "$pgdir"
    if ! (cd / && "${as_pg[@]}" test -w "$pgdir"); then
        rm -rf "$states"
        states=$(mktemp -d /tmp/feedwatch-pgbench-state.XXXXXX)
        chmod 755 "$states"
        pgdir=$states/postgres
        mkdir -m 700 "$pgdir"
        chown postgres:postgres "$pgdir"
    fi
fi
chmod 755 "$states"
pids=()
pg_started=""
cleanup() {
    set +e  # every step runs, whatever the previous one returned
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    [ -n "$pg_started" ] && as_server "$pgbin/pg_ctl" stop -D "$pgdir/data" -m fast -w -t 60 >/dev/null 2>&1
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
    rm -rf "$work" "$states"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a program that may leave a server behind with no descriptor but 0, 1 and 2: a server
# holding the pipe of whoever waits for this script would keep it waiting.
detached() {
    # shellcheck disable=SC2016
    (cd / && exec /bin/bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@"' \
        detached "$@" </dev/null)
}
as_server() { detached "${as_pg[@]}" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
clk=$(getconf CLK_TCK)
# utime + stime of a live process, in seconds.
cpu_of() { awk -v t="$clk" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }
# The PostgreSQL server's CPU so far: the postmaster's own and its reaped children's (cutime, cstime:
# backends that exited), and its live children's.
server_cpu() {
    local master
    master=$(head -1 "$pgdir/data/postmaster.pid")
    {
        awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$master/stat"
        for c in $(cat /proc/"$master"/task/*/children 2>/dev/null); do
            awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$c/stat" 2>/dev/null || true
        done
    } | awk -v t="$clk" '{ s += $1 } END { printf "%.2f", s / t }'
}
pgsql() { "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$pgdir" -p "$pgport" -U postgres -d postgres "$@"; }
# Commits in database $1 so far. Backends report their counts when they end and about every second
# while they run: read after the clients are gone and a pause.
commits() { pgsql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$1'"; }

started=$(now)
# --- nginx and the files ---------------------------------------------------------------------------
mkdir -p "$work/www/files"
# Writes the files of generation $1: generation 0 holds items 20…1 of each file, generation g items
# 5g+20…5g+1, so each generation brings 5 new items to the top of every file (one title in 50 with
# the watched keyword, as before) and drops the 5 oldest.
write_files() {
python3 - "$work/www/files" "$FILES" "$1" <<'PY'
import os, sys
directory, files, gen = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
neutral = ["Council approves the budget for the new library", "Local team wins the regional final after extra time",
           "Researchers publish a survey of river birds", "Train timetable changes for the summer season",
           "Museum opens a gallery of early photographs", "Farmers report an early start to the harvest",
           "City plans wider pavements on the main street", "School choir records its first album"]
for n in range(files):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Feed %d</title>'
             '<link>https://news%d.example.org/</link><description>Generated feed %d.</description>\n' % (n, n, n)]
    for seq in range(5 * gen + 20, 5 * gen, -1):
        mixed = (n * 7919 + seq * 104729) % 1_000_003
        # One title in 50 with the watched keyword.
        title = ("Panne de courant dans le quartier nord (%d-%d)" if mixed % 50 == 0
                 else neutral[mixed % len(neutral)] + " (%d-%d)") % (n, seq)
        parts.append('<item><title>%s</title><link>https://news%d.example.org/%d</link><guid>f%03d-%d</guid>'
                     '<pubDate>Mon, 02 Mar 2026 %02d:%02d:00 GMT</pubDate><description>%s. %s</description></item>\n'
                     % (title, n, seq, n, seq, seq % 24, n % 60, title, "Lorem ipsum dolor sit amet. " * 4))
    parts.append("</channel></rss>\n")
    with open(os.path.join(directory, "f%03d.xml" % n), "w") as out:
        out.write("".join(parts))
PY
}
write_files 0
port=$(free_port)
host() { echo "127.0.$((1 + $1 / 250)).$((1 + $1 % 250))"; }
listens=$(for h in $(seq 0 $((HOSTS - 1))); do echo "listen $(host "$h"):$port;"; done)
# One worker, as in the scale bench: a second would only take CPU from the daemons on 2 cores.
cat > "$work/nginx.conf" <<NGINX
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
worker_rlimit_nofile 8192;
error_log $work/nginx-error.log;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    etag on;
    keepalive_requests 100000;
    client_body_temp_path $work/body;
    types { application/rss+xml xml; }
    server {
        $listens
        root $work/www;
        # 10,000 URLs onto 1,000 files: /f01234.xml is files/f234.xml.
        location / { rewrite "^/f[0-9][0-9]([0-9]{3})\.xml\$" /files/f\$1.xml break; }
    }
}
NGINX
detached /usr/sbin/nginx -p "$work" -c "$work/nginx.conf"
# The feeds, one "URL NAME" a line, which every configuration names with feeds_from:.
awk -v n="$FEEDS" -v hosts="$HOSTS" -v port="$port" 'BEGIN {
    for (i = 0; i < n; i++) { h = i % hosts; printf "http://127.0.%d.%d:%d/f%05d.xml f%05d\n", 1 + int(h / 250), 1 + h % 250, port, i, i }
}' > "$work/feeds.txt"
curl -fsS -o /dev/null "http://$(host 0):$port/f00000.xml" || { echo "nginx does not serve the feeds"; exit 1; }

# --- PostgreSQL --------------------------------------------------------------------------------------
as_server "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync \
    --encoding=UTF8 --locale=C.UTF-8 --no-instructions >"$work/initdb.log" 2>&1 ||
    { echo "initdb failed:"; tail -5 "$work/initdb.log"; exit 1; }
pgport=$(free_port)
pg_started=1
as_server "$pgbin/pg_ctl" start -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$pgport -c unix_socket_directories=$pgdir -c shared_buffers=128MB $SERVER_OPTIONS" \
    >"$work/pg_ctl.log" 2>&1 || { echo "PostgreSQL did not start:"; cat "$work/pg_ctl.log"; tail -5 "$pgdir/server.log"; exit 1; }
password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
pgsql -c "CREATE ROLE feedwatch LOGIN PASSWORD '$password'"
for db in fw_once fw_run fw_pair fw_tp fw_tppair; do pgsql -c "CREATE DATABASE $db OWNER feedwatch"; done
export DB_PASSWORD=$password
echo "setup: $FILES files under $FEEDS URLs on $HOSTS loopback addresses (nginx, 1 worker); PostgreSQL $("$pgbin/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pgport (fsync on, shared_buffers 128MB${SERVER_OPTIONS:+, $SERVER_OPTIONS}); in $(since "$started") s"

# $1 configuration, $2 state_dir, $3 database name (PostgreSQL; empty: SQLite in state_dir), $4 more.
# A state_dir of its own even on PostgreSQL: nothing of the benchmark ever reaches /var/lib/feedwatch.
write_config() {
    {
        echo "state_dir: $2"
        [ -z "$3" ] || echo "database: {url: \"postgres://feedwatch:\${DB_PASSWORD}@127.0.0.1:$pgport/$3\", lease: 6s}"
        echo "defaults: {alert_on_first_poll: false}"
        echo "feeds_from: $work/feeds.txt"
        echo "rules: [{name: outages, any: [panne]}]"
        [ -z "${4:-}" ] || echo "$4"
    } > "$1"
}

# --- 1. feedwatch once: the first poll of every feed ------------------------------------------------
echo "== feedwatch once, $FEEDS feeds, first poll on an empty state (concurrency 64, per_host 4: the defaults)"
# $1 label, $2 configuration, $3 database name (PostgreSQL) or empty.
once() {
    local label=$1 config=$2 db=${3:-} c0 c1 s0 s1 status=0
    [ -z "$db" ] || { c0=$(commits "$db"); s0=$(server_cpu); }
    FEEDWATCH_LOG=stderr /usr/bin/time -f "%e %U %S %M" -o "$work/time.out" "$bin" once -c "$config" \
        >"$work/once.out" 2>"$work/once-$label.log" || status=$?
    [ -z "$db" ] || { sleep 1.5; s1=$(server_cpu); c1=$(commits "$db"); }
    # 0: every feed polled; 2: a feed failed (counted in its summary line); anything else: it did not run.
    if [ "$status" != 0 ] && [ "$status" != 2 ]; then
        echo "$label: feedwatch once failed (exit $status):"
        tail -5 "$work/once-$label.log"
        return 1
    fi
    awk -v label="$label" -v feeds="$FEEDS" -v out="$(tail -1 "$work/once.out")" -v status="$status" '
        { printf "%-10s %5.1f s wall, %5.1f s CPU (user %.1f + sys %.1f), %5.0f polls/s, %3.0f µs CPU a poll, peak RSS %.0f MiB  [exit %s: %s]\n",
              label ":", $1, $2 + $3, $2, $3, feeds / $1, ($2 + $3) / feeds * 1e6, $4 / 1024, status, out }' <(tail -1 "$work/time.out")
    if [ -n "$db" ]; then
        [ "$c1" != "$c0" ] || echo "  (no commit reached the database: does this feedwatch keep its state on PostgreSQL?)"
        awk -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v feeds="$FEEDS" '
            { printf "  PostgreSQL server: %.1f s CPU over the run; %d commits (xact_commit, with the schema'"'"'s creation) = %.0f commits/s over the wall time, %.2f a poll\n",
                  s1 - s0, c1 - c0, (c1 - c0) / $1, (c1 - c0) / feeds }' <(tail -1 "$work/time.out")
    fi
    local odd
    odd=$(grep -ciE 'warning|error' "$work/once-$label.log" || true)
    [ "$odd" = 0 ] || { echo "  $odd warning/error lines, the first:"; grep -iE 'warning|error' "$work/once-$label.log" | head -3 | sed 's/^/    /'; }
}
write_config "$work/once-sqlite.yaml" "$states/once-sqlite" ""
write_config "$work/once-postgres.yaml" "$states/once-postgres" fw_once
if [[ " $PARTS " == *" once "* ]]; then
    once SQLite "$work/once-sqlite.yaml"
    once PostgreSQL "$work/once-postgres.yaml" fw_once
    echo
fi

# --- 2. feedwatch run until every feed has been polled once ------------------------------------------
window=$(awk -v n="$FEEDS" 'BEGIN { w = n / 50; if (w > 60) w = 60; if (w < 1) w = 1; if (n / 1000 > w) w = n / 1000; print w }')
listen='http: {listen: "127.0.0.1:0"}'
write_config "$work/run-sqlite.yaml" "$states/run-sqlite" "" "$listen"
write_config "$work/run-postgres.yaml" "$states/run-postgres" fw_run "$listen"
write_config "$work/run-pair-1.yaml" "$states/run-pair-1" fw_pair "$listen"
write_config "$work/run-pair-2.yaml" "$states/run-pair-2" fw_pair "$listen"
# $1 label, $2 database (for its commits; empty for SQLite), $3… one configuration a daemon.
daemons() {
    local label=$1 db=$2 launched c0 s0 total=0 done_at="" n k want=${WANT:-$FEEDS}
    shift 2
    local configs=("$@") ports=() logs=()
    pids=()
    [ -z "$db" ] || { c0=$(commits "$db"); s0=$(server_cpu); }
    launched=$(now)
    for k in "${!configs[@]}"; do
        logs[k]=$work/run-${label// /-}-$k.log
        FEEDWATCH_LOG=stderr "$bin" run -c "${configs[k]}" 2>"${logs[k]}" &
        pids[k]=$!
    done
    for k in "${!configs[@]}"; do
        until ports[k]=$(sed -n 's/.*http: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "${logs[k]}" | tail -1) && [ -n "${ports[k]}" ]; do
            kill -0 "${pids[k]}" 2>/dev/null || { echo "$label: daemon $((k + 1)) exited:"; tail -5 "${logs[k]}"; return 1; }
            sleep 0.1
        done
    done
    local ready
    ready=$(since "$launched")
    while awk -v a="$launched" -v b="$(now)" -v t="$RUN_TIMEOUT" 'BEGIN { exit !(b - a < t) }'; do
        sleep 0.5
        total=0
        for k in "${!configs[@]}"; do
            n=$(curl -fsS "http://127.0.0.1:${ports[k]}/metrics" 2>/dev/null |
                awk '/^feedwatch_polls_total[{ ]/ { s += $NF } END { printf "%d", s }') || n=0
            total=$((total + n))
        done
        if [ "$total" -ge "$want" ]; then done_at=$(since "$launched"); break; fi
    done
    local cpus=() rss=() results=()
    for k in "${!configs[@]}"; do
        cpus[k]=$(cpu_of "${pids[k]}")
        rss[k]=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/${pids[k]}/status")
        results[k]=$(curl -fsS "http://127.0.0.1:${ports[k]}/metrics" |
            awk '/^feedwatch_polls_total[{]/ && $NF > 0 {
                match($0, /result="[^"]*"/); printf "%s%s %d", sep, substr($0, RSTART + 8, RLENGTH - 9), $NF; sep = ", " }')
    done
    local s1="" c1=""
    [ -z "$db" ] || s1=$(server_cpu)
    for k in "${!configs[@]}"; do kill -TERM "${pids[k]}"; done
    for k in "${!configs[@]}"; do wait "${pids[k]}" || true; done
    pids=()
    if [ -n "$done_at" ]; then
        echo "$label: ${DONE_TEXT:-every feed polled once} ${done_at} s after the start (listening after $ready s) = $(awk -v n="$want" -v d="$done_at" 'BEGIN { printf "%.0f", n / d }') polls/s"
    else
        echo "$label: NOT finished: $total of $want polls in $RUN_TIMEOUT s"
    fi
    local sum=0
    for k in "${!configs[@]}"; do
        sum=$(awk -v a="$sum" -v b="${cpus[k]}" 'BEGIN { print a + b }')
        local leases=""
        leases=$(grep -o 'feed leases: [0-9]* held ([^)]*)' "${logs[k]}" | tr '\n' ';' | sed 's/;$//; s/;/; /g' || true)
        echo "  daemon $((k + 1)): CPU ${cpus[k]} s, peak RSS ${rss[k]} MiB; polls: ${results[k]}${leases:+; $leases}"
    done
    [ "${#configs[@]}" = 1 ] ||
        echo "  both daemons: CPU $sum s = $(awk -v c="$sum" -v n="$want" 'BEGIN { printf "%.0f", c / n * 1e6 }') µs a poll"
    [ "${#configs[@]}" != 1 ] ||
        echo "  = $(awk -v c="$sum" -v n="$want" 'BEGIN { printf "%.0f", c / n * 1e6 }') µs CPU a poll (start included)"
    if [ -n "$db" ]; then
        sleep 1.5
        c1=$(commits "$db")
        awk -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v d="${done_at:-$RUN_TIMEOUT}" -v n="$want" 'BEGIN {
            printf "  PostgreSQL server: %.1f s CPU; %d commits (until the daemons stopped) = %.2f a poll, %.0f commits/s\n", s1 - s0, c1 - c0, (c1 - c0) / n, (c1 - c0) / d }'
    fi
    for k in "${!configs[@]}"; do
        local odd
        odd=$(grep -ciE 'warning|error' "${logs[k]}" || true)
        [ "$odd" = 0 ] || { echo "  daemon $((k + 1)): $odd warning/error lines, the first:"; grep -iE 'warning|error' "${logs[k]}" | head -3 | sed 's/^/    /'; }
    done
}
if [[ " $PARTS " == *" run "* ]]; then
    echo "== feedwatch run until every feed has been polled once (the sum of feedwatch_polls_total over the daemons' /metrics)"
    echo "(the daemon spreads never-polled feeds' first polls over ${window} s for $FEEDS feeds (FeedSchedule.firstPollWindow): the time is mostly that window; CPU is what differs)"
    daemons SQLite "" "$work/run-sqlite.yaml"
    daemons PostgreSQL fw_run "$work/run-postgres.yaml"
    daemons "2 on PostgreSQL" fw_pair "$work/run-pair-1.yaml" "$work/run-pair-2.yaml"
    echo
fi
# --- 3. feedwatch run with every feed due and changed: recording throughput ---------------------------
# Each configuration's state is first seeded by `feedwatch once` (every feed polled, its items
# recorded); then every file gets a new generation (5 new items on top) and every feed's stored
# next poll is set in the past, directly in the store, so that the daemons start with all feeds
# due and each poll is a 200 with 5 new items to record (and their alerts: the same story is in
# the 10 feeds that share a file, so one fires and 9 are held back).
write_config "$work/tp-sqlite.yaml" "$states/tp-sqlite" "" "$listen"
write_config "$work/tp-postgres.yaml" "$states/tp-postgres" fw_tp "$listen"
write_config "$work/tp-pair-1.yaml" "$states/tp-pair-1" fw_tppair "$listen"
write_config "$work/tp-pair-2.yaml" "$states/tp-pair-2" fw_tppair "$listen"
generation=0
# $1 label, $2 database (empty for SQLite), $3… one configuration a daemon (the first seeds the state).
throughput() {
    local label=$1 db=$2 status=0 seeded
    shift 2
    seeded=$(now)
    FEEDWATCH_LOG=stderr "$bin" once -c "$1" >/dev/null 2>"$work/seed-${label// /-}.log" || status=$?
    if [ "$status" != 0 ] && [ "$status" != 2 ]; then
        echo "$label: seeding with feedwatch once failed (exit $status):"; tail -5 "$work/seed-${label// /-}.log"; return 1
    fi
    generation=$((generation + 1))
    write_files "$generation"
    if [ -z "$db" ]; then
        python3 - "$states/tp-sqlite/feedwatch.sqlite" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE feed_schedule SET next_due = ?", (time.time() - 1,))
db.commit()
PY
    else
        "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$pgdir" -p "$pgport" -U postgres -d "$db" \
            -c "UPDATE feed SET next_due = extract(epoch FROM now()) - 1"
    fi
    echo "($label: seeded, files rewritten and every feed made due in $(since "$seeded") s)"
    WANT=$FEEDS DONE_TEXT="every feed polled (a 200 with 5 new items each)" daemons "$label" "$db" "$@"
}
if [[ " $PARTS " == *" throughput "* ]]; then
    echo "== feedwatch run, every feed polled before, due now and changed (5 new items): until every feed is polled again"
    throughput SQLite "" "$work/tp-sqlite.yaml"
    throughput PostgreSQL fw_tp "$work/tp-postgres.yaml"
    throughput "2 on PostgreSQL" fw_tppair "$work/tp-pair-1.yaml" "$work/tp-pair-2.yaml"
    echo
fi
errors=$(grep -cE '(ERROR|FATAL|PANIC):' "$pgdir/server.log" || true)
[ "$errors" = 0 ] || { echo "PostgreSQL's log: $errors errors, the first:"; grep -E '(ERROR|FATAL|PANIC):' "$pgdir/server.log" | head -3 | sed 's/^/  /'; }
echo "(postgres benchmark: $(since "$started") s in all)"
