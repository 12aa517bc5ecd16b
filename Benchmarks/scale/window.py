#!/usr/bin/env python3
"""Measures the daemon: its CPU and memory from /proc, the polls it made from nginx's access log
(lines "$msec $status $request_uri").

  window.py cycle PID ACCESS_LOG FEEDS SINCE TIMEOUT LABEL
      follows the log from SINCE until every one of FEEDS URLs was requested once (or TIMEOUT
      seconds passed): the first full cycle. Prints its time, rate, CPU and memory.
  window.py measure PID ACCESS_LOG DAEMON_LOG RESULTS EXPECTED_RATE DUE_FILE LABEL@FROM@TO...
      reads the process at each FROM and TO (Unix times), then counts the polls answered in each
      [FROM, TO) by status, and how late each feed's first poll came after the due time DUE_FILE
      gives it ("NAME UNIX_TIME" lines, from state.py). Prints three lines a window and appends
      its figures to RESULTS (JSON lines).
  window.py solve RESULTS LABEL_304 LABEL_MIXED
      CPU per poll for each status: the first window is (nearly) all 304, the second has 200s too;
      cpu = a·n304 + b·n200 in both gives a (the 304 cost) and b (the 200 cost).
"""

import json
import os
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def process(pid):
    """(CPU seconds, VmRSS MiB, VmHWM MiB, RssAnon MiB) of `pid`."""
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)
    memory = {}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon"):
                memory[key] = int(value.split()[0]) / 1024
    return cpu, memory.get("VmRSS", 0), memory.get("VmHWM", 0), memory.get("RssAnon", 0)


def workers_cpu(master):
    """CPU seconds of the children of `master` (nginx's workers): the yardstick of a window. The
    server's work per request does not depend on the daemon, so daemon/nginx per request cancels
    what the machine's own speed does to both (identical runs here differ by ±10 %)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid (field 4)
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def sleep_until(moment):
    while True:
        left = moment - time.time()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))


def requests(path, start, end):
    """Status counts of the requests logged in [start, end)."""
    counts = {}
    with open(path, "rb") as log:
        for line in log:
            parts = line.split(b" ", 2)
            if len(parts) < 3:
                continue
            try:
                moment = float(parts[0])
            except ValueError:
                continue
            if start <= moment < end:
                status = parts[1].decode()
                counts[status] = counts.get(status, 0) + 1
    return counts


def lateness(path, due, start, end):
    """Seconds between due time and poll for the feeds of `due` whose first poll came in [start, end)."""
    first = {}
    # Polls of the same feeds before the restart (the first cycle) ended well before the first due time.
    earliest = min(due.values(), default=0) - 1
    with open(path, "rb") as log:
        for line in log:
            parts = line.split()
            if len(parts) < 3 or float(parts[0]) < earliest:
                continue
            name = parts[2][1:-4].decode(errors="replace")  # "/f0001234.xml"
            if name in due and name not in first:
                first[name] = float(parts[0])
    return sorted(moment - due[name] for name, moment in first.items() if start <= moment < end)


def percentile(values, share):
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


def cycle(pid, access, feeds, since, timeout, label):
    """Called once the daemon has started: its CPU from here on is the first polls' (the start's is not)."""
    ready = time.time()
    cpu0 = process(pid)[0]
    seen = set()
    offset = 0
    pending = b""
    first = last = None
    deadline = ready + timeout
    while len(seen) < feeds and time.time() < deadline:
        time.sleep(0.5)
        with open(access, "rb") as log:
            log.seek(offset)
            chunk = log.read()
        offset += len(chunk)
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            parts = line.split(b" ")
            if len(parts) >= 3 and float(parts[0]) >= since:
                seen.add(parts[2])
                last = float(parts[0])
                first = first or last
                if len(seen) == feeds:
                    break
    cpu, rss, hwm, anon = process(pid)
    if last is None:
        print("%s: no poll in %.0f s" % (label, timeout))
        return 1
    if len(seen) < feeds:
        last = time.time()
    polls = len(seen)
    took = last - first
    cpu -= cpu0
    done = "every feed polled once" if polls >= feeds else "NOT finished: %d of %d feeds polled" % (polls, feeds)
    print(
        "%s: %s %.1f s after the start (first poll after %.1f s: %.0f polls/s); CPU %.1f s = %.0f µs per first poll "
        "(%.0f %% of a core); RSS %.0f MiB, peak %.0f MiB" % (
            label, done, last - since, first - since, polls / max(took, 1e-9), cpu, cpu / polls * 1e6,
            cpu / max(last - ready, 1e-9) * 100, rss, hwm))
    if polls < feeds:
        print("  at that rate every feed would be polled once %.0f s after the start" % (first - since + feeds * took / polls))
    return 0


def measure(pid, access, daemon_log, results, expected, due_file, windows):
    """`windows`: (label, start, end) in time order, each measured from its own two readings."""
    due = {}
    with open(due_file) as lines:
        for line in lines:
            name, moment = line.split()
            due[name] = float(moment)
    master = int(os.environ.get("NGINX_MASTER", "0"))
    readings = {}
    for moment in sorted({t for _, start, end in windows for t in (start, end)}):
        sleep_until(moment)
        try:
            readings[moment] = process(pid) + (os.path.getsize(daemon_log), count_lines(daemon_log), workers_cpu(master))
        except FileNotFoundError:
            print("the daemon (pid %d) has exited: see %s" % (pid, daemon_log))
            return 1
    time.sleep(2.5)  # nginx writes its access log at least every second
    for label, start, end in windows:
        cpu0, _, _, _, log0, lines0, server0 = readings[start]
        cpu1, rss, hwm, anon, log1, lines1, server1 = readings[end]
        counts = requests(access, start, end)
        seconds = end - start
        n200 = counts.get("200", 0)
        n304 = counts.get("304", 0)
        polls = sum(counts.values())
        others = {k: v for k, v in counts.items() if k not in ("200", "304")}
        cpu = cpu1 - cpu0
        print(
            "%s: %.0f s: %d polls = %.0f/s (expected %.0f/s: %s), %d × 200 + %d × 304%s; "
            "CPU %.2f s = %.0f %% of a core, %.0f µs per poll on average" % (
                label, seconds, polls, polls / seconds, expected,
                "sustained" if polls >= 0.97 * expected * seconds else "NOT sustained", n200, n304,
                "".join(" + %d × %s" % (v, k) for k, v in sorted(others.items())), cpu, cpu / seconds * 100,
                cpu / max(polls, 1) * 1e6))
        if master:
            server = server1 - server0
            print("  nginx: CPU %.2f s, %.0f µs per request; the daemon's CPU per poll / nginx's per request: %.2f" % (
                server, server / max(polls, 1) * 1e6, cpu / server if server > 0 else float("nan")))
        late = lateness(access, due, start, end)
        print("  polls after their due time: median %.2f s, 99th percentile %.2f s, max %.2f s (%d feeds' first polls)" % (
            percentile(late, 0.5), percentile(late, 0.99), late[-1] if late else float("nan"), len(late)))
        print("  RSS %.0f MiB (peak %.0f MiB, private %.0f MiB); daemon log: %d lines, %.1f KB" % (
            rss, hwm, anon, lines1 - lines0, (log1 - log0) / 1024))
        with open(results, "a") as out:
            out.write(json.dumps({"label": label, "seconds": seconds, "cpu": cpu, "n200": n200, "n304": n304,
                                  "other": sum(others.values()), "rss": rss, "hwm": hwm}) + "\n")
    return 0


def count_lines(path):
    with open(path, "rb") as log:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: log.read(1 << 20), b""))


def solve(results, label_a, label_b):
    rows = {}
    with open(results) as lines:
        for line in lines:
            row = json.loads(line)
            rows[row["label"]] = row
    a, b = rows[label_a], rows[label_b]
    # cpu_a = x·304_a + y·200_a ; cpu_b = x·304_b + y·200_b (errors, if any, counted as 304s)
    p, q, r = a["n304"] + a["other"], a["n200"], a["cpu"]
    s, t, u = b["n304"] + b["other"], b["n200"], b["cpu"]
    determinant = p * t - q * s
    if determinant == 0 or t == 0:
        print("CPU per poll: cannot split (the windows have the same mix); average %.0f µs" % (u / max(s + t, 1) * 1e6))
        return 0
    x = (r * t - q * u) / determinant
    y = (p * u - r * s) / determinant
    share = t / max(s + t, 1) * 100
    print("CPU per poll: 304 %.0f µs, 200 %.0f µs (solved from the two windows; the 200s were %.1f %% of the second)" % (
        x * 1e6, y * 1e6, share))
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    args = sys.argv[2:]
    if command == "cycle" and len(args) == 6:
        sys.exit(cycle(int(args[0]), args[1], int(args[2]), float(args[3]), float(args[4]), args[5]))
    if command == "measure" and len(args) >= 7:
        windows = [(w.split("@")[0], float(w.split("@")[1]), float(w.split("@")[2])) for w in args[6:]]
        sys.exit(measure(int(args[0]), args[1], args[2], args[3], float(args[4]), args[5], windows))
    if command == "solve" and len(args) == 3:
        sys.exit(solve(*args))
    sys.exit(__doc__)
