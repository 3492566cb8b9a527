"""`sitegen serve`: build into a temporary folder, serve it, watch the sources, rebuild, reload browsers.

The shape follows MkDocs' livereload and Lektor's devserver, in parts with one job each: the watcher
(``sitegen.watch``) notices changes, the rebuild loop (``sitegen.rebuild``) debounces them and brings the
folder up to date with one long-lived builder, the HTTP handler (``sitegen.handler``) serves the folder and
the event stream, and ``sitegen.reload`` is the protocol with open pages. The reload script is added to
HTML responses only: the folder on disk holds exactly what ``sitegen build`` writes. This module starts
them and stops them.
"""

from __future__ import annotations

import errno
import ipaddress
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sitegen.errors import SitegenError, echo
from sitegen.handler import PreviewServer
from sitegen.rebuild import BuilderLike, RebuildLoop
from sitegen.watch import start_watching


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int, loop: RebuildLoop) -> PreviewServer:
    try:
        return PreviewServer((host, port), loop)
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
        echo(message, err=err)

    if not is_loopback(host):
        report(f"warning: listening on {host}: anyone who can reach this machine can see the preview", True)
    root = root.absolute()
    config_file = root / "sitegen.yaml"
    temp = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
    output = temp / "site"
    loop = RebuildLoop(make_builder, output, config_file, report=report)
    observer = server = None
    stopped = False
    previous = _terminate_as_interrupt()
    try:
        server = listen(host, port, loop)
        observer = start_watching(loop.notice, root, output, config_file)
        loop.rebuild()  # before the first request: the loop thread only handles later changes
        threading.Thread(target=loop.run, name="sitegen-rebuild-loop", daemon=True).start()
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{server.server_address[1]}{loop.base_path}"
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
            _shut_down(loop, server, observer, temp)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _shut_down(loop: RebuildLoop, server: PreviewServer | None, observer: Any, temp: Path) -> None:
    # Once stop() returns no write is under way and none will start: a rebuild still running in the loop
    # thread (a daemon, with nothing of its own to clean up) cannot put files back.
    loop.stop()
    if server is not None:
        server.server_close()
    if observer is not None:
        observer.stop()
        observer.join(timeout=2)
    shutil.rmtree(temp, ignore_errors=True)


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
