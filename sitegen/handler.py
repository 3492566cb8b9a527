"""The preview server's HTTP side: files from the served folder once the site is settled, the reload
script, and the event stream. Read-only: everything that changes the folder is the rebuild loop's."""

from __future__ import annotations

import ipaddress
import mimetypes
import socket
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from sitegen import reload
from sitegen.rebuild import RebuildLoop

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}
NO_SITE = (
    b"<!DOCTYPE html><title>No site yet</title><body><h1>The site has not built yet</h1>"
    b"<p>The errors are listed above and in the terminal. Save a fix: this page reloads.</p></body>"
)
NOT_FOUND = b"<!DOCTYPE html><title>Not found</title><body><h1>Not found</h1></body>"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def text_response(status: int, text: str) -> Response:
    return Response(status, {"Content-Type": _TYPES[".txt"]}, text.encode())


def redirect(location: str) -> Response:
    return Response(HTTPStatus.FOUND, {"Location": quote(location, safe="/%")}, b"")


def locate(output: Path, url_path: str) -> Path | str | None:
    """The file under ``output`` that ``url_path`` names; a str is a path to redirect to (a folder without
    its slash); None refuses the request (it tries to leave the folder)."""
    raw = unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\\" in raw or "\x00" in raw:
        return None
    parts = raw.split("/")
    if ".." in parts:
        return None
    parts = [p for p in parts if p not in ("", ".")]
    target = output.joinpath(*parts)
    try:  # belt and braces: whatever the path says, the resolved file must be inside the folder
        target.resolve().relative_to(output.resolve())
    except ValueError:
        return None
    if target.is_dir():
        if not url_path.endswith("/"):
            return "/".join(parts) + "/"
        target = target / "index.html"
    return target


def served_file(loop: RebuildLoop, status: int, suffix: str, body: bytes) -> Response:
    kind = _TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"
    if suffix == ".html":
        body = reload.inject(body, loop.token)
    return Response(status, {"Content-Type": kind}, body)


def fetch(loop: RebuildLoop, url_path: str) -> Response:
    """The response for a GET of ``url_path`` (without its query), once the site is settled."""
    base = loop.base_path
    if not url_path.startswith(base):
        if url_path in ("/", base.rstrip("/")):
            return redirect(base)
        return not_found(loop)
    relative = url_path[len(base) :]
    with loop.settled(relative):
        try:
            found = locate(loop.output, "/" + relative)
        except OSError:  # a path segment too long for a file name: no such page
            return not_found(loop)
        if found is None:
            return text_response(HTTPStatus.FORBIDDEN, "Forbidden\n")
        if isinstance(found, str):
            return redirect(base + found)
        if not loop.has_site:
            return served_file(loop, HTTPStatus.SERVICE_UNAVAILABLE, ".html", NO_SITE)
        try:
            body = found.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return not_found(loop)
        return served_file(loop, HTTPStatus.OK, found.suffix, body)


def not_found(loop: RebuildLoop) -> Response:
    with loop.settled():
        page = loop.output / "404.html"
        body = page.read_bytes() if loop.has_site and page.is_file() else b""
        return served_file(loop, HTTPStatus.NOT_FOUND, ".html", body or NOT_FOUND)


MAX_TARGET = 4096  # longest request target (path and query) answered; longer ones get 414
WORKERS = 64  # connections handled at once (an open page holds one for its reload events)
IDLE_TIMEOUT = 10.0  # seconds a connection may stay silent (or a reader stall) before it is closed


class PreviewServer(ThreadingHTTPServer):
    """A thread per connection, at most WORKERS of them: more connections wait in the listen backlog
    (sized for a burst of page loads) until one is free."""

    daemon_threads = True  # an open event stream must not keep the process alive at Ctrl-C
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], loop: RebuildLoop) -> None:
        self.loop = loop
        self.host = address[0]
        self._workers = threading.BoundedSemaphore(WORKERS)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._workers.acquire(timeout=IDLE_TIMEOUT):  # every worker busy all along: give up on it
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._workers.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._workers.release()


def allowed_host(header: str | None, listening: str) -> bool:
    """Whether a request's Host header names this server: a loopback name or address, the --host given,
    or (listening on every address) any address. A page whose DNS name was rebound to 127.0.0.1 sends its
    own name, so it cannot read the preview."""
    if header is None:  # HTTP/1.0 without Host: not a browser
        return True
    name = header.strip().lower()
    name = name[1 : name.find("]")] if name.startswith("[") else name.rpartition(":")[0] or name
    name = name.rstrip(".")
    if name in ("localhost", listening.lower()) or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or listening in ("0.0.0.0", "::", "")


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "sitegen-preview"
    timeout = IDLE_TIMEOUT  # on the socket: a client that stops sending or reading is dropped

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if len(self.path) > MAX_TARGET:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        if not allowed_host(self.headers.get("Host"), self.server.host):
            self.send_error(HTTPStatus.FORBIDDEN, "Host not allowed: open the preview at 127.0.0.1")
            return False
        return True

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        parts = urlsplit(self.path)  # also takes the absolute form, GET http://host/path
        path = parts.path or "/"
        if path == reload.EVENTS_URL and not head:
            self._events(parse_qs(parts.query).get("since", [""])[0])
            return
        try:
            if path == reload.SCRIPT_URL:
                response = Response(HTTPStatus.OK, {"Content-Type": _TYPES[".js"]}, reload.client_script())
            elif not path.startswith("/"):
                response = text_response(HTTPStatus.BAD_REQUEST, "Bad path\n")
            else:
                response = fetch(self.server.loop, path)
        except UnicodeDecodeError:
            response = text_response(HTTPStatus.BAD_REQUEST, "Bad path\n")
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")  # a preview must never show yesterday's page
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _events(self, since: str) -> None:
        """The event stream: one event per change after ``since``, until the tab or the server closes."""
        loop = self.server.loop
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(reload.RETRY)
            if loop.problems:  # a page opened while the build is broken shows the overlay at once
                self._send("error", loop.token)
            while not loop.stopping:
                event = loop.next_event(since)
                if event is None:
                    self.wfile.write(reload.KEEPALIVE)
                else:
                    since, name = event
                    self._send(name, since)
                self.wfile.flush()
        except OSError:  # the tab was closed
            return

    def _send(self, name: str, token: str) -> None:
        self.wfile.write(reload.event(name, token, [str(p) for p in self.server.loop.problems]))
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for rebuilds and errors, not for every request."""
