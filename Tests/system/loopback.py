#!/usr/bin/env python3
"""Feed server and webhook receiver for Tests/system/run.sh, on 127.0.0.1.

    loopback.py DIR PORTFILE

GET serves the files of DIR and logs each request (path, User-Agent) as a JSON line to
DIR/../requests.jsonl; POST is a webhook delivery: its headers and body are logged as a JSON line
to DIR/../hooks.jsonl and answered 204. The port, chosen by the kernel, is written to PORTFILE.
"""
import http.server
import json
import os
import sys

root, portfile = sys.argv[1], sys.argv[2]
logdir = os.path.dirname(os.path.abspath(root))


def log(name, record):
    with open(os.path.join(logdir, name), "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def do_GET(self):
        log("requests.jsonl", {"path": self.path, "user_agent": self.headers.get("User-Agent")})
        super().do_GET()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        log("hooks.jsonl", {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body.decode("utf-8", "replace")})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
