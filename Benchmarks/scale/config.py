#!/usr/bin/env python3
"""Writes the daemon's configuration for the scale benchmark.

  config.py FILE FEEDS INTERVAL STATE_DIR HOSTS PORT

Every feed of the benchmark is listed in this one function: with SCALE_FEEDS_FROM=1 the feeds go
to FILE.feeds, one "URL NAME" a line, named by `feeds_from:` (for a loader that reads that key);
otherwise they are written inline as YAML, as a configuration is written today.
"""

import os
import sys

from common import feed_name, feed_url


def write_config(path, feeds, interval, state_dir, hosts, port, feeds_from=False):
    with open(path, "w") as out:
        out.write("state_dir: %s\n" % state_dir)
        out.write("defaults: {interval: %s}\n" % interval)
        # The defaults, written out: 64 transfers in flight, at most 4 to one host.
        out.write("concurrency: 64\nper_host: 4\n")
        # The listener on, as an operator runs it: the benchmark times /metrics scrapes at this size.
        out.write("http: {listen: \"127.0.0.1:0\"}\n")
        out.write("rules:\n")
        out.write("  - {name: outages, any: [outage*, panne], none: [maintenance], notify: [journal]}\n")
        out.write("  - {name: security, any: [ransomware, \"zero day\"], notify: [journal]}\n")
        if feeds_from:
            listing = path + ".feeds"
            with open(listing, "w") as lines:
                for i in range(feeds):
                    lines.write("%s %s\n" % (feed_url(i, hosts, port), feed_name(i)))
            out.write("feeds_from: %s\n" % listing)
        else:
            out.write("feeds:\n")
            for i in range(feeds):
                out.write("  - {url: \"%s\", name: %s}\n" % (feed_url(i, hosts, port), feed_name(i)))


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    path, feeds, interval, state_dir, hosts, port = sys.argv[1:]
    write_config(
        path, int(feeds), interval, state_dir, int(hosts), int(port),
        feeds_from=os.environ.get("SCALE_FEEDS_FROM", "1") == "1")
