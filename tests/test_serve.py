"""`sitegen serve`, the real command in a subprocess on a free loopback port, read with the reload
protocol's event client."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from curator_edits import EDITS
from curator_edits import make_project as make_edit_project
from test_handler import raw_get
from test_rebuild import TIMEOUT, pages, small_project, unscripted

from sitegen.build import build
from sitegen.config import load_config
from sitegen.reload import EventStream, token_of
from sitegen.serve import is_loopback


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """`python -m sitegen serve` in a subprocess, its output collected line by line by two threads."""

    def __init__(self, root: Path, *args: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--port", str(self.port), *args],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        self.lines: dict[str, list[str]] = {"out": [], "err": []}
        self.readers = [
            threading.Thread(target=self._collect, args=(name, stream), daemon=True)
            for name, stream in (("out", self.process.stdout), ("err", self.process.stderr))
        ]
        for reader in self.readers:
            reader.start()

    def _collect(self, name: str, stream) -> None:
        for line in stream:
            self.lines[name].append(line.rstrip("\n"))

    def wait_for(self, pattern: str, stream: str = "out", after: int = 0) -> re.Match:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for line in self.lines[stream][after:]:
                if match := re.search(pattern, line):
                    return match
            if self.process.poll() is not None:  # it exited: whatever it said is all there is
                time.sleep(0.1)
                if not any(re.search(pattern, line) for line in self.lines[stream][after:]):
                    break
            time.sleep(0.01)
        raise AssertionError(f"no line matching {pattern!r} in {self.lines}")

    def rebuilds(self) -> int:
        """How many rebuilds it has announced so far."""
        return sum(line.startswith("Rebuilt") for line in self.lines["out"])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(TIMEOUT)
            for reader in self.readers:
                reader.join(TIMEOUT)
            self.process.stdout.close()
            self.process.stderr.close()


def get(port: int, path: str) -> str:
    return raw_get(port, path)[2].decode()


def local_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses, if it has any."""
    found = set()
    with contextlib.suppress(OSError):
        found.update(socket.gethostbyname_ex(socket.gethostname())[2])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe, contextlib.suppress(OSError):
        probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
        found.add(probe.getsockname()[0])
    return sorted(a for a in found if not a.startswith("127.") and a != "0.0.0.0")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    root = small_project(tmp_path / "project", papers=4)
    process = Served(root)
    yield process, root
    process.stop()


def test_serve_an_edit_is_served_and_browsers_are_told_to_reload(served):
    process, root = served
    match = process.wait_for(r"Serving http://127\.0\.0\.1:(\d+)/ from (\S+) ")
    port, output = int(match.group(1)), Path(match.group(2))
    assert port == process.port
    page = get(port, "/papers/paper-1/")
    token = token_of(page)
    assert "__sitegen" not in (output / "papers" / "paper-1" / "index.html").read_text()
    events = EventStream(port, token, TIMEOUT)
    assert " 200 " in events.head.split("\r\n")[0] and "text/event-stream" in events.head
    try:
        path = root / "content" / "papers" / "vision" / "paper-1.md"
        path.write_text(path.read_text().replace("Paper number 1", "Freshly edited title"))
        assert events.next()[0] == "reload"
    finally:
        events.close()
    assert "Freshly edited title" in get(port, "/papers/paper-1/")
    for address in local_addresses():  # listening on loopback only
        with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
            pass
    assert process.stop() == 0
    assert "Stopped." in process.lines["out"] and not output.exists()  # the temporary folder is gone


def test_serve_a_second_ctrl_c_during_a_rebuild_still_exits_cleanly(served):
    process, root = served
    output = Path(process.wait_for(r"Serving \S+ from (\S+) ").group(1))
    template = root / "templates" / "paper.html"
    # Paper pages that take seconds each: the rebuild this edit starts is still running at both Ctrl-Cs.
    template.write_text(
        template.read_text().replace(
            "{% block main %}", "{% block main %}{% for _ in range(50000000) %}{% endfor %}"
        )
    )
    time.sleep(0.5)
    rebuilds = process.rebuilds()
    process.process.send_signal(signal.SIGINT)
    process.wait_for(r"^Stopped\.$")
    process.process.send_signal(signal.SIGINT)
    assert process.process.wait(TIMEOUT) == 0, process.lines
    process.stop()
    assert process.rebuilds() == rebuilds
    assert not output.parent.exists() and not process.lines["err"], process.lines


def test_serve_survives_a_broken_file_and_recovers(served):
    process, root = served
    port = int(process.wait_for(r"Serving http://127\.0\.0\.1:(\d+)/").group(1))
    token = token_of(get(port, "/"))
    events = EventStream(port, token, TIMEOUT)
    path = root / "content" / "papers" / "vision" / "paper-1.md"
    text = path.read_text()
    try:
        path.write_text(text.replace("title: ", "title: [unclosed "))
        name, data = events.next()
        assert name == "error"
        assert re.search(
            r"paper-1\.md:\d+(:\d+)?: front matter is not valid YAML", "\n".join(data["problems"])
        )
        process.wait_for(r"paper-1\.md:\d+(:\d+)?: front matter is not valid YAML", "err")
        assert "Paper number 1" in get(port, "/papers/paper-1/")  # still up, last good page
        path.write_text(text.replace("Paper number 1", "Fixed title"))
        assert events.next()[0] == "reload"
    finally:
        events.close()
    assert "Fixed title" in get(port, "/papers/paper-1/")
    assert process.process.poll() is None


def test_serve_a_burst_of_saves_gives_few_rebuilds(served):
    process, root = served
    port = int(process.wait_for(r"Serving http://127\.0\.0\.1:(\d+)/").group(1))
    before = process.rebuilds()
    path = root / "content" / "papers" / "vision" / "paper-2.md"
    text = path.read_text()
    for number in range(50):
        path.write_text(text.replace("Paper number 2", f"Burst {number}"))
    deadline = time.monotonic() + TIMEOUT
    while "Burst 49" not in get(port, "/papers/paper-2/") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "Burst 49" in get(port, "/papers/paper-2/")
    rebuilds = process.rebuilds() - before
    assert 1 <= rebuilds <= 5, process.lines["out"]


def test_serve_port_in_use_says_which_port_to_try(tmp_path: Path):
    root = small_project(tmp_path / "project", papers=1)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sitegen", "serve", "--port", str(port)],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=TIMEOUT,
        )
    assert result.returncode == 1 and f"port {port} is in use; try --port {port + 1}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_after_every_kind_of_edit_serves_what_a_clean_build_writes(tmp_path: Path):
    """As a maintainer sees it: the real command and watcher, every file fetched over HTTP."""
    project = make_edit_project(tmp_path / "project", seed=5)
    process = Served(project.root)
    try:
        match = process.wait_for(r"Serving http://127\.0\.0\.1:(\d+)/ from (\S+) ")
        port, output = int(match.group(1)), Path(match.group(2))
        for edit in EDITS:
            before = process.rebuilds()
            project.edits += 1
            edit(project)
            deadline = time.monotonic() + TIMEOUT
            while process.rebuilds() == before and time.monotonic() < deadline:
                time.sleep(0.01)
            clean = tmp_path / f"clean-{edit.__name__}"
            config = load_config(project.root)[0]
            build(config, clean)
            expected = pages(clean)
            assert pages(output).keys() == expected.keys(), edit.__name__
            stale = [
                name
                for name, data in expected.items()
                if unscripted(raw_get(port, config.base_path + name)[2]) != data
            ]
            assert stale == [], edit.__name__
    finally:
        process.stop()
