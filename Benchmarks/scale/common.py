"""What every scale helper agrees on: feed numbers, URLs, hosts, files and the documents served.

Feed i (0 <= i < 1,000,000) is the URL http://HOST:PORT/fNNNNNNN.xml (i on seven digits), named
fNNNNNNN; nginx maps it onto the file files/fNNNNN.xml, file i % 100,000, so a million URLs share
100,000 files (ten feeds a file, as syndicated stories are). HOST is one of `hosts` loopback
addresses 127.0.A.B, feed i on host i % hosts.

A file's items are numbered: the file holds items top-19 .. top, the newest first. Its guid is
"f<file>-<seq>"; one item in 50 has a watched keyword in its title, decided by (file, seq) alone,
so any helper can tell what a file holds from its top number.
"""

import hashlib
import re

FILES = 100_000
ITEMS = 20
KEYWORD_SHARE = 50  # one item in 50 carries a keyword


def host(index):
    """The loopback address of host number `index` (127.0.1.1, 127.0.1.2, …, 127.0.1.250, 127.0.2.1, …)."""
    return "127.0.%d.%d" % (1 + index // 250, 1 + index % 250)


def feed_name(i):
    return "f%07d" % i


def feed_url(i, hosts, port):
    return "http://%s:%d/%s.xml" % (host(i % hosts), port, feed_name(i))


def file_of_feed(i):
    return i % FILES


def file_name(number):
    return "f%05d.xml" % number


def item_guid(number, seq):
    return "f%05d-%d" % (number, seq)


def key_hash(guid):
    """The 16 bytes the daemon stores for an item key (the first half of SHA-256 of its UTF-8)."""
    return hashlib.sha256(guid.encode()).digest()[:16]


_NEUTRAL = [
    "Council approves the budget for the new library",
    "Local team wins the regional final after extra time",
    "Researchers publish a survey of river birds",
    "Train timetable changes for the summer season",
    "Museum opens a gallery of early photographs",
    "Farmers report an early start to the harvest",
    "City plans wider pavements on the main street",
    "School choir records its first album",
    "New cycle lanes open along the canal",
    "Weather: a mild week with showers on Thursday",
    "Theatre announces its autumn programme",
    "Startup raises funds to build electric ferries",
]
_ALERTING = [
    "Outage reported at the regional data centre",
    "Ransomware attack disrupts the hospital network",
]


def item_title(number, seq):
    mixed = (number * 7919 + seq * 104729) % 1_000_003
    if mixed % KEYWORD_SHARE == 0:
        return "%s (%d-%d)" % (_ALERTING[mixed // KEYWORD_SHARE % len(_ALERTING)], number, seq)
    return "%s (%d-%d)" % (_NEUTRAL[mixed % len(_NEUTRAL)], number, seq)


def document(number, top):
    """The RSS 2.0 document of file `number` whose newest item is `top`: about 5 KB, 20 items."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Feed %d</title><link>https://news%d.example.org/</link>"
        "<description>Generated feed %d for the scale benchmark.</description>\n" % (number, number, number)
    ]
    for seq in range(top, top - ITEMS, -1):
        minute = seq % (24 * 60)
        parts.append(
            "<item><title>%s</title><link>https://news%d.example.org/%d</link>"
            '<guid isPermaLink="false">%s</guid><pubDate>Tue, 24 Nov 2026 %02d:%02d:00 GMT</pubDate>'
            "<description>Story %d of feed %d, in a few words.</description></item>\n"
            % (item_title(number, seq), number, seq, item_guid(number, seq), minute // 60, minute % 60, seq, number)
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


_TOP = re.compile(rb'<guid isPermaLink="false">f\d+-(\d+)</guid>')


def top_of(data):
    """The newest item number of a document written by `document`."""
    match = _TOP.search(data)
    if not match:
        raise ValueError("not a scale benchmark document")
    return int(match.group(1))
