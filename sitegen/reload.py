"""The reload protocol between the preview server and open pages: the script added to HTML responses
(``reload.js``, beside this module), the Server-Sent Events it listens to, and a client for the events
that tests and benchmarks read them with.

A page is told which build it shows (a token); the event stream names the next change after that token:
``reload`` (pages changed), ``data`` (only the search index: a search page reloads) or ``error`` (the
rebuild failed; its problems go in the overlay). The events URL is defined here only: the server routes
it, the script reads it from its own tag, the test client asks for it.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import quote

EVENTS_URL = "/__sitegen/events"
SCRIPT_URL = "/__sitegen/reload.js"
CLIENT_FILE = Path(__file__).with_name("reload.js")
RETRY = b"retry: 500\n\n"  # a closed stream reconnects after half a second (the server restarted, say)
KEEPALIVE = b": keep-alive\n\n"


@cache
def client_script() -> bytes:
    return CLIENT_FILE.read_bytes()


def inject(html: bytes, token: str) -> bytes:
    """Add the reload script before ``</body>``; ``token`` tells the page which build it shows."""
    tag = f'<script src="{SCRIPT_URL}" data-events="{EVENTS_URL}" data-generation="{token}"></script>\n'
    at = html.lower().rfind(b"</body>")
    return html + tag.encode() if at < 0 else html[:at] + tag.encode() + html[at:]


def token_of(html: str) -> str:
    """The build token a served page carries (what a client passes as ``since``)."""
    found = re.search(r'data-generation="([^"]*)"', html)
    if found is None:
        raise ValueError("the page carries no reload script")
    return found.group(1)


def events_target(since: str) -> str:
    return f"{EVENTS_URL}?since={quote(since)}"


def event(name: str, token: str, problems: Sequence[str]) -> bytes:
    data = json.dumps({"token": token, "problems": list(problems)}, ensure_ascii=False)
    return f"event: {name}\ndata: {data}\n\n".encode()


class EventStream:
    """A minimal client of the event stream on a plain socket (for tests and benchmarks)."""

    def __init__(self, port: int, since: str, timeout: float = 60.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        request = f"GET {events_target(since)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        self.sock.sendall(request.encode())
        self.buffer = b""
        self.head = self._until(b"\r\n\r\n").decode("latin-1")

    def _until(self, separator: bytes) -> bytes:
        while separator not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the event stream closed")
            self.buffer += chunk
        item, self.buffer = self.buffer.split(separator, 1)
        return item

    def next(self) -> tuple[str, dict]:
        """The next named event (comments and retry lines skipped): its name and its data."""
        while True:
            lines = self._until(b"\n\n").decode().split("\n")
            fields = dict(line.split(": ", 1) for line in lines if ": " in line)
            if "event" in fields:
                return fields["event"], json.loads(fields.get("data") or "{}")

    def close(self) -> None:
        self.sock.close()
