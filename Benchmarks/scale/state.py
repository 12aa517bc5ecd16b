#!/usr/bin/env python3
"""Gives a stopped daemon's SQLite state the shape a long-running one has, so that a 15-minute
interval can be measured in two minutes.

  state.py DB WWW FEEDS HOSTS PORT INTERVAL LEAD SETTLE WINDOW_A WINDOW_B FRACTION DUE_FILE

Every feed gets a stored poll (first poll done, validators, last status 304) and a next poll spread
evenly over [T, T + INTERVAL), T = now + LEAD (the time the restarted daemon needs to load its
configuration and schedule). The measured windows are A = [T + SETTLE, + WINDOW_A) and B, the
WINDOW_B seconds after A. Feeds due in A hold the files' current validators: with the changer
stopped every poll of A answers 304. The changer starts with B; in a daemon that has run for
long, a feed due at time n in B finds its file changed since its last poll (n - INTERVAL) with
probability FRACTION (0.10 in the benchmark): by the changer after B started, with probability
FRACTION·(n - B)/INTERVAL, or before, with probability FRACTION·(1 - (n - B)/INTERVAL). The second
part is given here: such a feed holds outdated validators (its next poll is a 200) and has seen
every item of its file but the newest (the one the change added). The other feeds polled while the
benchmark runs have seen every item; feeds due later keep no items (they are not polled).

Writes each such feed's due time to DUE_FILE ("NAME UNIX_TIME" lines), for the lateness of polls,
and prints T_READY, T_A, T_B and T_END for the shell (`eval`).
"""

import email.utils
import os
import random
import sqlite3
import sys
import time
import urllib.request

from common import FILES, ITEMS, feed_name, feed_url, file_name, file_of_feed, item_guid, key_hash, top_of

STALE_ETAG = '"0-0"'
STALE_MODIFIED = "Thu, 01 Jan 1970 00:00:00 GMT"


def validators(path):
    """nginx's ETag ("mtime-size" in hex) and Last-Modified of a static file."""
    info = os.stat(path)
    return '"%x-%x"' % (int(info.st_mtime), info.st_size), email.utils.formatdate(int(info.st_mtime), usegmt=True)


def check_against_nginx(www, hosts, port, files):
    for i in (0, 1, 99_999):
        request = urllib.request.Request(feed_url(i, hosts, port), method="HEAD")
        with urllib.request.urlopen(request, timeout=10) as answer:
            served = (answer.headers["ETag"], answer.headers["Last-Modified"])
        if served != files[file_of_feed(i)][1:3]:
            sys.exit("state.py: nginx serves %s for %s, computed %s" % (served, feed_url(i, hosts, port), files[file_of_feed(i)][1:3]))


def check_key_hashes(db, files):
    """The daemon's own rows (from the first polls) must agree with the hashes computed here."""
    row = db.execute("SELECT feed.name, count(*) FROM seen_item JOIN feed ON feed.id = seen_item.feed_id GROUP BY feed.id LIMIT 1").fetchone()
    if row is None:
        return
    number = file_of_feed(int(row[0][1:]))
    top = files[number][0]
    expected = {key_hash(item_guid(number, seq)) for seq in range(top - ITEMS + 1, top + 1)}
    stored = {bytes(h) for (h,) in db.execute(
        "SELECT key_hash FROM seen_item WHERE feed_id = (SELECT id FROM feed WHERE name = ?)", (row[0],))}
    if stored != expected:
        sys.exit("state.py: the stored item keys of %s are not the SHA-256 prefixes of its guids: update key_hash()" % row[0])


def main(db_path, www, feeds, hosts, port, interval, lead, settle, window_a, window_b, fraction, due_file):
    started = time.time()
    files = []
    for number in range(FILES):
        path = os.path.join(www, file_name(number))
        with open(path, "rb") as document:
            top = top_of(document.read(2048))
        files.append((top,) + validators(path))
    check_against_nginx(www, hosts, port, files)
    db = sqlite3.connect(db_path)
    check_key_hashes(db, files)

    # Offsets from T: feed k of a random order is due at (k + 0.5)·INTERVAL/FEEDS, an even rate.
    order = list(range(feeds))
    random.Random(1111).shuffle(order)
    due = [0.0] * feeds
    for k, i in enumerate(order):
        due[i] = (k + 0.5) * interval / feeds
    b_start = settle + window_a
    polled_until = b_start + window_b + 15  # feeds due before this are polled while the benchmark runs
    rng = random.Random(304)
    stale = bytearray(feeds)
    for i in range(feeds):
        if b_start <= due[i] < polled_until and rng.random() < fraction * (1 - (due[i] - b_start) / interval):
            stale[i] = 1

    def rows():
        for i in range(feeds):
            top, etag, modified = files[file_of_feed(i)]
            if stale[i]:
                etag, modified = STALE_ETAG, STALE_MODIFIED
            url = feed_url(i, hosts, port)
            yield (feed_name(i), url, url, etag, modified, "304", due[i] - interval)

    with db:
        db.execute("DELETE FROM seen_item")
        db.executemany(
            """INSERT INTO feed (name, url, configured_url, etag, last_modified, last_status,
                                 consecutive_errors, gone, first_poll_done, failing_since, last_new_item)
               VALUES (?, ?, ?, ?, ?, ?, 0, 0, 1, NULL, ?)
               ON CONFLICT (name) DO UPDATE SET url = excluded.url, configured_url = excluded.configured_url,
                   etag = excluded.etag, last_modified = excluded.last_modified,
                   last_status = excluded.last_status, consecutive_errors = 0,
                   gone = 0, first_poll_done = 1, failing_since = NULL, last_new_item = excluded.last_new_item""",
            rows())
    ids = dict(db.execute("SELECT name, id FROM feed"))
    with db:
        # The poll times live in their own table (schema v10).
        db.execute("DELETE FROM feed_schedule")
        db.executemany("INSERT INTO feed_schedule (feed_id, last_poll, next_due) VALUES (?, ?, ?)",
                       ((ids[feed_name(i)], due[i] - interval, due[i]) for i in range(feeds)))
    now_seconds = int(time.time())
    hashes = {}

    def seen_rows():
        for i in range(feeds):
            if due[i] >= polled_until:
                continue
            number = file_of_feed(i)
            if number not in hashes:
                top = files[number][0]
                hashes[number] = [key_hash(item_guid(number, seq)) for seq in range(top, top - ITEMS, -1)]
            feed_id = ids[feed_name(i)]
            for h in hashes[number][1:] if stale[i] else hashes[number]:
                yield (feed_id, h, now_seconds)

    with db:
        db.executemany("INSERT OR REPLACE INTO seen_item (feed_id, key_hash, last_seen) VALUES (?, ?, ?)", seen_rows())
    seeded = sum(1 for i in range(feeds) if due[i] < polled_until)
    # The times become absolute only now, when the restart is a LEAD away.
    ready = time.time() + lead
    with db:
        db.execute("UPDATE feed_schedule SET next_due = next_due + ?, last_poll = last_poll + ?", (ready, ready))
        db.execute("UPDATE feed SET last_new_item = last_new_item + ?", (ready,))
    db.close()
    with open(due_file, "w") as out:
        for i in range(feeds):
            if due[i] < polled_until:
                out.write("%s %.3f\n" % (feed_name(i), ready + due[i]))
    print("# state: %d feeds due over %.0f s, %d holding outdated validators, %d with their items, written in %.0f s" % (
        feeds, interval, sum(stale), seeded, time.time() - started), file=sys.stderr)
    print("T_READY=%.3f T_A=%.3f T_B=%.3f T_END=%.3f" % (ready, ready + settle, ready + b_start, ready + b_start + window_b))


if __name__ == "__main__":
    if len(sys.argv) != 13:
        sys.exit(__doc__)
    a = sys.argv[1:]
    main(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]), float(a[6]), float(a[7]), float(a[8]), float(a[9]),
         float(a[10]), a[11])
