#!/usr/bin/env python3
"""The files nginx serves, and the changer.

  feeds.py corpus DIR            writes the 100,000 files (items 1..20 each)
  feeds.py change DIR PERIOD FRACTION [START]
                                 from START (Unix time; default now) until SIGTERM, rewrites
                                 FRACTION (0.10 in the benchmark) of the files per
                                 PERIOD seconds, a few at a time through the period (not in one
                                 burst): a new item on top, the oldest dropped, so the file gets a
                                 new ETag and Last-Modified. Prints how many it rewrote on exit.
"""

import os
import random
import signal
import sys
import time

from common import FILES, ITEMS, document, file_name, top_of


def write(directory, number, top):
    path = os.path.join(directory, file_name(number))
    temporary = path + ".new"
    with open(temporary, "wb") as out:
        out.write(document(number, top))
    # Renamed into place: nginx never serves a half-written file.
    os.replace(temporary, path)


def corpus(directory):
    os.makedirs(directory, exist_ok=True)
    for number in range(FILES):
        write(directory, number, ITEMS)


def change(directory, period, fraction, start):
    rate = FILES * fraction / period  # files per second
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    rng = random.Random(20261124)
    while not stop and time.time() < start:
        time.sleep(max(0.0, min(0.1, start - time.time())))
    done = 0
    while not stop:
        due = int((time.time() - start) * rate)
        while done < due and not stop:
            number = rng.randrange(FILES)
            with open(os.path.join(directory, file_name(number)), "rb") as current:
                top = top_of(current.read(2048))
            write(directory, number, top + 1)
            done += 1
        time.sleep(0.1)
    print("changer: %d files rewritten in %.0f s (%.1f/s)" % (done, time.time() - start, done / max(1e-9, time.time() - start)))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "corpus":
        corpus(sys.argv[2])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "change":
        change(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]) if len(sys.argv) > 5 else time.time())
    else:
        sys.exit(__doc__)
