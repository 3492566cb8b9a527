"""The preview server: build into a temporary folder, serve it, watch the sources, rebuild, reload browsers.

The shape follows MkDocs' livereload and Lektor's devserver. The watchdog callback only records what
changed; one build loop thread waits for a quiet moment (a burst of saves is one rebuild) and rebuilds with
one long-lived ``Builder``, writing only the files whose bytes changed. Requests wait while changes are
pending or a build runs, so a half-built site is never served. Each rebuild that changes something bumps a
generation, which Server-Sent Events turn into ``reload`` (or ``error``, shown as an overlay) in every open
page. The reload script is added to HTML responses only: the folder on disk holds exactly what
``sitegen build`` writes.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

import click
import jinja2

from sitegen.errors import Problem, SitegenError
from sitegen.write import safe_relative, write_site

EVENTS_URL = "/__sitegen/events"
SCRIPT_URL = "/__sitegen/reload.js"
DEBOUNCE = 0.05  # seconds of quiet that end a burst of saves (an editor's save takes a few ms)
MAX_DEBOUNCE = 1.0  # a never-ending stream of saves still rebuilds this often
REQUEST_WAIT = 30.0  # longest a request waits for a rebuild before it gets what is on disk
# Rebuilds between two full collections of what builds left in reference cycles (see
# sitegen.build.collector_paused): a few hundred objects each; a full collection of a large site takes
# a few hundred milliseconds, so it is done rarely and after the reload, never before it.
COLLECT_EVERY = 20
KEEPALIVE = 15.0  # an SSE comment this often notices closed tabs and keeps proxies from timing out
# Editor droppings and our own temporary files: saving a file must not rebuild twice (or forever).
_IGNORED_NAME = re.compile(r"\.sw[a-p]$|\.swpx$|~$|\.tmp$|^\.#|^#.*#$|^4913$|\.sitegen-tmp|^\.DS_Store$")
_IGNORED_DIRS = {".git", "__pycache__", ".sitegen-tmp"}
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


class BuilderLike(Protocol):
    """What the server needs of ``sitegen.build.Builder`` (tests pass a fake)."""

    def render(self, timings: Any) -> Any: ...


@dataclass(frozen=True)
class Outcome:
    """What one rebuild did, for the terminal and for tests."""

    problems: tuple[str, ...]  # empty when the build succeeded
    pages_rendered: int = 0
    files_written: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class LiveSite:
    """The served folder and everything that changes it, behind one condition variable.

    ``notice`` is all a watcher calls; ``step`` rebuilds once the changes have been quiet for ``delay``
    (by ``clock``, injectable so tests drive the loop without sleeping); ``run`` is the loop thread."""

    def __init__(
        self,
        make_builder: Callable[[], BuilderLike],
        output: Path,
        config_file: Path | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        delay: float = DEBOUNCE,
        report: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.output = output
        self.config_file = config_file
        self.delay = delay
        self.rebuilds = 0
        self.base_path = "/"
        self._make_builder = make_builder
        self._builder: BuilderLike | None = None
        self._clock = clock
        self._report = report or (lambda message, err: None)
        self._cond = threading.Condition()
        self._changed: set[str] = set()
        self._first_change = self._last_change = 0.0
        self._building = False
        self._stopping = False
        self._written: dict[str, bytes] | None = None  # what the folder holds; None until a build succeeds
        self._warnings: tuple[str, ...] = ()
        # A new token per server run, so a page from an earlier run reloads when its stream reconnects.
        self._session = uuid.uuid4().hex[:8]
        self._generation = 0  # pages changed
        self._data_generation = 0  # only the files that may lag changed
        self.problems: tuple[str, ...] = ()

    # --- what the watcher and the loop do ---------------------------------------------------------

    def notice(self, path: str) -> None:
        """Record that a source file changed; cheap, called from watchdog's thread."""
        with self._cond:
            now = self._clock()
            if not self._changed:
                self._first_change = now
            self._changed.add(path)
            self._last_change = now
            self._cond.notify_all()

    def _quiet_for(self) -> float:
        """Seconds until the pending burst counts as over (0: rebuild now)."""
        now = self._clock()
        return max(0.0, min(self._last_change + self.delay, self._first_change + MAX_DEBOUNCE) - now)

    def step(self) -> Outcome | None:
        """Rebuild if changes are pending and quiet; None if there was nothing to do yet."""
        with self._cond:
            if not self._changed or self._quiet_for() > 0:
                return None
            changed, self._changed = self._changed, set()
            self._building = True
        return self.rebuild(changed)

    def run(self) -> None:
        """The build loop thread: wait for changes, wait for quiet, rebuild; until ``stop``."""
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._changed or self._stopping)
                while not self._stopping and (left := self._quiet_for()) > 0:
                    self._cond.wait(left)
                if self._stopping:
                    return
            self.step()

    def stop(self) -> None:
        """End the loop and all writing: once this returns, no write is under way and none will start."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def rebuild(self, changed: Iterable[str] = ()) -> Outcome:
        """One rebuild (the first one builds everything). Never raises: a failure becomes ``problems``."""
        changed = set(changed)
        with self._cond:
            self._building = True
        start = time.perf_counter()
        outcome: Outcome
        later = None
        try:
            if self._builder is None or any(Path(p) == self.config_file for p in changed):
                self._builder = None  # a config that fails to load is retried on the next change
                self._builder = self._make_builder()
                config = getattr(self._builder, "config", None)
                self.base_path = getattr(config, "base_path", "/")
            from sitegen.build import Timings  # lazily: keeps this module importable on its own

            rendered = self._builder.render(Timings())
            with self._cond:  # nobody reads while we write (requests also wait on `_building`)
                written = self._write(rendered.files)
            warnings = tuple(str(w) for w in rendered.warnings)
            if warnings != self._warnings:
                for line in warnings:
                    self._report(line, True)
                self._warnings = warnings
            outcome = Outcome((), rendered.pages_rendered, written, time.perf_counter() - start)
            later = rendered.later
        except Exception as exc:  # the server must outlive any broken file, and even a bug
            outcome = Outcome(describe_failure(exc), seconds=time.perf_counter() - start)
        with self._cond:
            before = self.problems
            self.problems = outcome.problems
            self.rebuilds += 1
            if outcome.files_written or outcome.problems != before:
                self._generation += 1
            self._building = False
            self._cond.notify_all()
        if self._stopping:  # the server is shutting down: this build was thrown away
            return outcome
        self._announce(outcome, recovered=bool(before) and not outcome.problems)
        with self._cond:
            # Saves that came in meanwhile are rebuilt first: their rebuild brings its own data files.
            superseded = bool(self._changed)
        if later is not None and not superseded:
            self._write_later(later)
        if self.rebuilds % COLLECT_EVERY == 0 and not superseded:
            from sitegen.build import collect_frozen_garbage

            collect_frozen_garbage()
        return outcome

    def _write_later(self, later: Callable[[], list[tuple[str, bytes]]]) -> None:
        """Files that may lag the pages (the search index): made after browsers were told to reload, and
        written without holding up requests for pages. A search page reloads once they are in."""
        try:
            files = later()
        except Exception as exc:  # a bug, not a content problem (content was loaded already)
            for line in describe_failure(exc):
                self._report(line, True)
            return
        with self._cond:
            if self._stopping or self._written is None:
                return
            if sum(self._put(path, data) for path, data in files):
                self._data_generation += 1
                self._cond.notify_all()

    def _announce(self, outcome: Outcome, recovered: bool) -> None:
        if outcome.problems:
            for line in outcome.problems:
                self._report(line, True)
            self._report("Rebuild failed: serving the last good build. Save a fix and it rebuilds.", True)
        else:
            self._report(
                f"Rebuilt in {outcome.seconds * 1000:.0f} ms: {outcome.pages_rendered} pages rendered, "
                f"{outcome.files_written} files written" + (" (errors fixed)" if recovered else ""),
                False,
            )

    def _write(self, files: list[tuple[str, bytes]]) -> int:
        """Bring the folder to ``files``: write what differs, delete what is gone. Returns files written."""
        if self._stopping:
            return 0
        new = dict(files)
        if len(new) != len(files):
            seen: set[str] = set()
            twice = next(path for path, _ in files if path in seen or seen.add(path))
            raise SitegenError(Problem(twice, "two pages claim this output path"))
        if self._written is None:
            write_site(self.output, files)  # the first time: the same atomic full write as `sitegen build`
            self._written = new
            return len(new)
        gone = self._written.keys() - new.keys()
        count = sum(self._put(relative, data) for relative, data in new.items())
        for relative in gone:
            target = self.output.joinpath(*safe_relative(relative).parts)
            target.unlink(missing_ok=True)
            count += 1
            # A removed paper leaves no empty folder behind, as a clean build would not have one.
            for parent in target.parents:
                if parent == self.output or any(parent.iterdir()):
                    break
                parent.rmdir()
            del self._written[relative]
        return count

    def _put(self, relative: str, data: bytes) -> bool:
        """Write one file unless it already holds ``data``; whether it wrote."""
        assert self._written is not None
        old = self._written.get(relative)
        if old is data or old == data:  # unchanged pages come back as the very same bytes object
            return False
        target = self.output.joinpath(*safe_relative(relative).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self._written[relative] = data
        return True

    # --- what request handlers do -----------------------------------------------------------------

    @property
    def token(self) -> str:
        return f"{self._session}.{self._generation}.{self._data_generation}"

    @contextmanager
    def settled(self, timeout: float = REQUEST_WAIT) -> Iterator[None]:
        """Hold the site still: wait until no change is pending and no build runs, then keep builds out."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or not (self._building or self._changed), timeout)
            yield

    def next_event(self, since: str, timeout: float = KEEPALIVE) -> tuple[str, str] | None:
        """Wait until the generation moves past ``since``; returns (token, event name) or None on timeout.
        The event is ``error`` while the last rebuild failed, ``data`` when only the search index changed
        (a search page reloads), else ``reload``."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or self.token != since, timeout)
            if self._stopping or self.token == since:
                return None
            if self.problems:
                return self.token, "error"
            pages_changed = self.token.rsplit(".", 1)[0] != since.rsplit(".", 1)[0]
            return self.token, "reload" if pages_changed else "data"

    @property
    def stopping(self) -> bool:
        return self._stopping

    def fetch(self, url_path: str) -> Response:
        """The response for a GET of ``url_path`` (already without query), once the site is settled."""
        base = self.base_path
        if not url_path.startswith(base):
            if url_path in ("/", base.rstrip("/")):
                return redirect(base)
            return self._not_found()
        with self.settled():
            found = locate(self.output, url_path[len(base) - 1 :])
            if found is None:
                return Response(HTTPStatus.FORBIDDEN, {"Content-Type": _TYPES[".txt"]}, b"Forbidden\n")
            if isinstance(found, str):
                return redirect(base + found)
            if self._written is None:
                return self._no_site()
            try:
                body = found.read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                return self._not_found()
            return self._file(HTTPStatus.OK, found.suffix, body)

    def _file(self, status: int, suffix: str, body: bytes) -> Response:
        kind = _TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"
        if suffix == ".html":
            body = inject(body, self.token)
        return Response(status, {"Content-Type": kind}, body)

    def _not_found(self) -> Response:
        with self.settled():
            page = self.output / "404.html"
            body = page.read_bytes() if self._written is not None and page.is_file() else b""
            body = body or b"<!DOCTYPE html><title>Not found</title><body><h1>Not found</h1></body>"
            return self._file(HTTPStatus.NOT_FOUND, ".html", body)

    def _no_site(self) -> Response:
        body = (
            b"<!DOCTYPE html><title>No site yet</title><body><h1>The site has not built yet</h1>"
            b"<p>The errors are listed above and in the terminal. Save a fix: this page reloads.</p></body>"
        )
        return self._file(HTTPStatus.SERVICE_UNAVAILABLE, ".html", body)


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


def inject(html: bytes, token: str) -> bytes:
    """Add the reload script before ``</body>``; ``token`` tells the page which build it shows."""
    tag = f'<script src="{SCRIPT_URL}" data-generation="{token}"></script>\n'.encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def describe_failure(exc: BaseException) -> tuple[str, ...]:
    """A failed rebuild as ``path:line: message`` lines, for the terminal and the browser overlay."""
    if isinstance(exc, SitegenError):
        return tuple(str(p) for p in exc.problems)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return (str(Problem(exc.filename or exc.name or "template", exc.message or str(exc), exc.lineno)),)
    # An error while a template runs: Jinja rewrites the traceback so that a frame is the template line.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not frame.filename.endswith(".py") and not frame.filename.startswith("<"):
            return (str(Problem(frame.filename, f"{type(exc).__name__}: {exc}", frame.lineno)),)
    traceback.print_exception(exc)  # a bug in sitegen: the whole story goes to the terminal
    return (f"sitegen: internal error while building ({type(exc).__name__}: {exc}); see the terminal",)


# --- watching ------------------------------------------------------------------------------------


def watched_paths(root: Path, config_file: Path) -> list[tuple[Path, bool]]:
    """(folder, recursive) pairs to watch: the sources, and the root itself only for the config file."""
    folders = [(root / name, True) for name in ("content", "templates", "static") if (root / name).is_dir()]
    return [*folders, (config_file.parent, False)]


def is_source(path: str, root: Path, output: Path, config_file: Path) -> bool:
    """Whether a changed path can change the site (and is not an editor's or our own temporary file)."""
    candidate = Path(path)
    if candidate == config_file:
        return True
    if candidate == output or output in candidate.parents:
        return False
    try:
        parts = candidate.relative_to(root).parts
    except ValueError:
        return False
    return (
        len(parts) > 1
        and parts[0] in ("content", "templates", "static")
        and not _IGNORED_DIRS.intersection(parts)
        and not _IGNORED_NAME.search(parts[-1])
    )


def start_watching(live: LiveSite, root: Path, output: Path, config_file: Path) -> Any:
    """A watchdog Observer that tells ``live`` about every relevant change."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    # Opening a file is not changing it (the build itself opens every file); a folder's "modified" only
    # says something inside it changed, which has its own event.
    kinds = {"created", "modified", "deleted", "moved"}

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type not in kinds or (event.is_directory and event.event_type == "modified"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                path = os.fsdecode(raw) if raw else ""
                if path and is_source(path, root, output, config_file):
                    live.notice(path)

    observer = Observer()
    handler = Handler()
    for folder, recursive in watched_paths(root, config_file):
        observer.schedule(handler, str(folder), recursive=recursive)
    observer.daemon = True
    observer.start()
    return observer


# --- HTTP ----------------------------------------------------------------------------------------


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive at Ctrl-C

    def __init__(self, address: tuple[str, int], live: LiveSite) -> None:
        self.live = live
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "sitegen-preview"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        parts = urlsplit(self.path)  # also takes the absolute form, GET http://host/path
        path = parts.path or "/"
        live = self.server.live
        if path == EVENTS_URL and not head:
            self._events(parse_qs(parts.query).get("since", [""])[0])
            return
        try:
            if path == SCRIPT_URL:
                response = Response(HTTPStatus.OK, {"Content-Type": _TYPES[".js"]}, CLIENT_SCRIPT.encode())
            elif not path.startswith("/"):
                response = Response(HTTPStatus.BAD_REQUEST, {"Content-Type": _TYPES[".txt"]}, b"Bad path\n")
            else:
                response = live.fetch(path)
        except UnicodeDecodeError:
            response = Response(HTTPStatus.BAD_REQUEST, {"Content-Type": _TYPES[".txt"]}, b"Bad path\n")
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")  # a preview must never show yesterday's page
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _events(self, since: str) -> None:
        live = self.server.live
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 500\n\n")
            if live.problems:  # a page opened while the build is broken shows the overlay at once
                self._send_event("error", live.token)
            while not live.stopping:
                event = live.next_event(since)
                if event is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    since, name = event
                    self._send_event(name, since)
                self.wfile.flush()
        except OSError:  # the tab was closed
            return

    def _send_event(self, name: str, token: str) -> None:
        data = json.dumps({"token": token, "problems": list(self.server.live.problems)}, ensure_ascii=False)
        self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for rebuilds and errors, not for every request."""


# Served at SCRIPT_URL, referenced only from HTML responses. Problem text goes in with textContent: a file
# name or message can hold markup and must never run.
CLIENT_SCRIPT = r"""(() => {
  "use strict";
  const me = document.currentScript;
  let since = me ? me.dataset.generation : "";
  let overlay = null;
  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "sitegen-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:80vh;" +
        "overflow:auto;margin:0;padding:1rem 1.25rem;background:#2b0b0b;color:#fff;" +
        "font:14px/1.5 ui-monospace,monospace;border-bottom:4px solid #ff6b6b;";
      const heading = document.createElement("h2");
      heading.textContent = "sitegen: the site did not build";
      heading.style.cssText = "margin:0 0 .5rem;font-size:1.1rem;color:#fff;";
      const pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap;color:#fff;";
      const hint = document.createElement("p");
      hint.textContent = "Fix the file and save: this page reloads by itself.";
      hint.style.cssText = "margin:.5rem 0 0;color:#ffd6d6;";
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Dismiss";
      close.style.cssText = "margin-top:.5rem;font:inherit;";
      close.addEventListener("click", () => { overlay.hidden = true; });
      overlay.append(heading, pre, hint, close);
      document.body.append(overlay);
    }
    overlay.querySelector("pre").textContent = problems.join("\n");
    overlay.hidden = false;
  }
  const events = new EventSource("/__sitegen/events?since=" + encodeURIComponent(since));
  events.addEventListener("reload", () => { events.close(); location.reload(); });
  events.addEventListener("data", () => {  // a new search index: only a search page shows it
    if (document.getElementById("search-page-input")) { events.close(); location.reload(); }
  });
  events.addEventListener("error", (event) => {
    if (event instanceof MessageEvent && event.data) show(JSON.parse(event.data).problems);
  });
})();
"""


# --- the command ---------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int, live: LiveSite) -> PreviewServer:
    try:
        return PreviewServer((host, port), live)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SitegenError(f"port {port} is in use; try --port {port + 1}") from None
        raise SitegenError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None


def serve(
    make_builder: Callable[[], BuilderLike],
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
) -> None:
    """Serve a live preview of the project at ``root`` until Ctrl-C."""

    def report(message: str, err: bool) -> None:
        click.echo(message, err=err)

    if not is_loopback(host):
        report(f"warning: listening on {host}: anyone who can reach this machine can see the preview", True)
    root = root.absolute()
    config_file = root / "sitegen.yaml"
    temp = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
    output = temp / "site"
    live = LiveSite(make_builder, output, config_file, report=report)
    observer = server = None
    stopped = False
    previous = _terminate_as_interrupt()
    try:
        server = listen(host, port, live)
        observer = start_watching(live, root, output, config_file)
        live.rebuild()  # before the first request: the loop thread only handles later changes
        loop = threading.Thread(target=live.run, name="sitegen-build-loop", daemon=True)
        loop.start()
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{server.server_address[1]}{live.base_path}"
        report(f"Serving {url} from {output} (Ctrl-C to stop)", False)
        if open_browser:
            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        stopped = True
    finally:
        with _signals_held_off():
            if stopped:
                report("Stopped.", False)
            # Once this returns no write is under way and none will start: a rebuild still running in the
            # loop thread (a daemon, with nothing of its own to clean up) cannot put files back.
            live.stop()
            if server is not None:
                server.server_close()
            if observer is not None:
                observer.stop()
                observer.join(timeout=2)
            shutil.rmtree(temp, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_held_off() -> Iterator[None]:
    """Ignore Ctrl-C and SIGTERM for a moment: a second Ctrl-C must not cut the clean-up short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _terminate_as_interrupt() -> Any:
    """Make SIGTERM exit as cleanly as Ctrl-C (the temporary folder is removed either way)."""
    if threading.current_thread() is not threading.main_thread() or sys.platform == "win32":
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)
