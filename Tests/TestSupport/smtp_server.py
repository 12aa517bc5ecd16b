#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for feedwatch's tests and benchmarks (Debian's python3-aiosmtpd).

Started by SMTPTestServer.swift. Prints "READY <port>" on stdout once it listens, then serves until
SIGTERM or the end of its stdin. Every message it accepts is written to DIR/messages/NNNNNN.json (atomically: written
beside, then renamed) with its envelope, its raw bytes (base64) and what Python's `email` parser
reads in it: decoded headers, the text/plain and text/html parts, defects. DIR/stats.json holds
counters (connections, AUTH commands, messages), rewritten atomically on every change.

Scripted replies by recipient: tempfail@… gets 451, reject@… gets 550, and once-tempfail@… gets
451 on its first RCPT and is accepted afterwards.
"""

import argparse
import asyncio
import base64
import email
import email.policy
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, syntax


class State:
    def __init__(self, directory, summaries):
        self.directory = directory
        self.summaries = summaries
        self.messages_dir = os.path.join(directory, "messages")
        os.makedirs(self.messages_dir, exist_ok=True)
        self.stats = {"connections": 0, "auth_commands": 0, "auth_commands_in_clear": 0,
                      "auth_successes": 0, "messages": 0, "starttls": 0}
        self.rcpt_seen = {}
        self.write_stats()

    def write_atomically(self, path, data):
        temporary = path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temporary, path)

    def write_stats(self):
        self.write_atomically(os.path.join(self.directory, "stats.json"), self.stats)

    def count(self, key):
        self.stats[key] += 1
        self.write_stats()


def summary(raw):
    """What Python's email parser reads in the message."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = {}
    for name, value in message.items():
        headers.setdefault(name.lower(), []).append(str(value))
    text = html = None
    try:
        part = message.get_body(("plain",))
        text = part.get_content() if part is not None else None
        part = message.get_body(("html",))
        html = part.get_content() if part is not None else None
    except Exception as error:  # a malformed message is reported, not fatal
        headers.setdefault("x-test-parse-error", []).append(repr(error))
    defects = [repr(defect) for defect in message.defects]
    part_types = []
    if message.is_multipart():
        for part in message.iter_parts():
            part_types.append(part.get_content_type())
            defects += [repr(defect) for defect in part.defects]
    return {"headers": headers, "text": text, "html": html, "content_type": message.get_content_type(),
            "part_types": part_types, "defects": defects}


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local == "tempfail":
            return "451 4.3.0 mailbox busy, try again later"
        if local == "reject":
            return "550 5.1.1 no such mailbox here"
        if local == "once-tempfail":
            seen = self.state.rcpt_seen.get(address, 0)
            self.state.rcpt_seen[address] = seen + 1
            if seen == 0:
                return "451 4.3.0 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        state = self.state
        state.stats["messages"] += 1
        number = state.stats["messages"]
        if state.summaries:
            raw = envelope.original_content or envelope.content
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "raw": base64.b64encode(raw).decode("ascii"),
                "tls": server.tls_in_use(),
                "login": session.auth_data.login.decode("utf-8") if isinstance(session.auth_data, LoginPassword)
                else None,
                "connection": server.connection_number,
            }
            record.update(summary(raw))
            state.write_atomically(os.path.join(state.messages_dir, "%06d.json" % number), record)
        state.write_stats()
        return "250 2.0.0 OK queued as %d" % number


class RecordingSMTP(SMTP):
    """aiosmtpd's server, counting what the tests assert on."""

    def __init__(self, handler, state, connection_number, implicit_tls, **kwargs):
        super().__init__(handler, **kwargs)
        self.state = state
        self.connection_number = connection_number
        self.implicit_tls = implicit_tls

    def tls_in_use(self):
        return self.implicit_tls or self._tls_protocol is not None

    @syntax("AUTH <mechanism>")
    async def smtp_AUTH(self, arg):
        self.state.stats["auth_commands"] += 1
        if not self.tls_in_use():
            self.state.stats["auth_commands_in_clear"] += 1
        self.state.write_stats()
        return await super().smtp_AUTH(arg)

    @syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg):
        self.state.count("starttls")
        return await super().smtp_STARTTLS(arg)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--cert", help="PEM certificate: enables STARTTLS, or TLS with --implicit-tls")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps)")
    parser.add_argument("--auth-in-clear", action="store_true", help="offer AUTH without TLS")
    parser.add_argument("--no-summaries", action="store_true", help="count messages only (benchmarks)")
    options = parser.parse_args()

    state = State(options.dir, summaries=not options.no_summaries)
    handler = Handler(state)
    context = None
    if options.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.cert, options.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and options.user is not None
              and auth_data.login == options.user.encode() and auth_data.password == options.password.encode())
        if ok:
            state.count("auth_successes")
        # handled=False: aiosmtpd answers 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        state.stats["connections"] += 1
        state.write_stats()
        kwargs = {
            "hostname": "smtp.test",
            "loop": loop,
            "authenticator": authenticator,
            # With implicit TLS aiosmtpd does not know the session is encrypted: allow AUTH anyway.
            "auth_require_tls": not (options.auth_in_clear or options.implicit_tls),
            "auth_required": options.user is not None,
        }
        if context is not None and not options.implicit_tls:
            kwargs["tls_context"] = context
        return RecordingSMTP(handler, state, state.stats["connections"], options.implicit_tls, **kwargs)

    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=0, ssl=context if options.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    # A parent may start us with signals blocked; and when it goes away without stopping us, the end
    # of our stdin (its pipe) stops us, so no server outlives its tests.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)

    def stdin_readable():
        if not os.read(sys.stdin.fileno(), 4096):
            loop.stop()
    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    print("READY %d" % port, flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
