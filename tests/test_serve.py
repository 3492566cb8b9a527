"""The preview server: the build loop and handler in process (no sleeps: the clock is injected), and the
real `sitegen serve` command on a free loopback port, read with a plain socket SSE client."""

from __future__ import annotations

import contextlib
import gc
import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import REPO, make_project, run_sitegen, snapshot
from test_build import add_paper

from sitegen.build import Builder, build, collector_paused
from sitegen.config import load_config
from sitegen.serve import COLLECT_EVERY, SCRIPT_URL, LiveSite, PreviewServer, is_loopback, is_source
from sitegen.write import MARKER

TIMEOUT = 20  # the longest any single wait in these tests may take; nothing here should come near it


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def small_project(root: Path, papers: int = 6) -> Path:
    make_project(root)
    # One declared theme, which has papers: an empty theme would be a warning on every rebuild.
    (root / "content" / "themes.yaml").write_text(
        "themes:\n- slug: vision\n  title: Vision\n  description: Seeing.\n"
    )
    for number in range(papers):
        theme = "vision" if number % 3 else "unsorted"
        add_paper(root, theme, f"paper-{number}", f"Paper number {number}", added=f"2026-11-{10 + number}")
    return root


def live_site(root: Path, tmp_path: Path, clock: FakeClock | None = None) -> LiveSite:
    def make_builder() -> Builder:
        return Builder(load_config(root)[0], data_later=True)  # as `sitegen serve` makes it

    kwargs = {"clock": clock} if clock else {}
    live = LiveSite(make_builder, tmp_path / "served" / "site", root / "sitegen.yaml", **kwargs)
    assert live.rebuild().problems == ()
    return live


def unscripted(html: bytes) -> bytes:
    return re.sub(rb"<script src=\"/__sitegen/[^>]*></script>\n", b"", html)


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def clean_build(root: Path, output: Path) -> dict[str, bytes]:
    shutil.rmtree(output, ignore_errors=True)
    build(load_config(root)[0], output)
    return pages(output)


def pages(output: Path) -> dict[str, bytes]:
    """The site's files; not the marker, whose input stamp only `sitegen build` keeps up to date."""
    return {name: data for name, data in snapshot(output).items() if name != MARKER}


# --- the build loop, driven directly ---------------------------------------------------------------


def test_burst_of_changes_is_one_rebuild_with_the_final_content(tmp_path: Path):
    root = small_project(tmp_path / "project")
    clock = FakeClock()
    live = live_site(root, tmp_path, clock)
    path = root / "content" / "papers" / "vision" / "paper-1.md"
    for number in range(50):
        path.write_text(
            path.read_text().replace(re.search(r"title: .*", path.read_text()).group(), f"title: T{number}")
        )
        live.notice(str(path))
        clock.now += 0.01  # saves 10 ms apart: never quiet for the 50 ms debounce
        assert live.step() is None
    clock.now += 0.2
    outcome = live.step()
    assert outcome is not None and outcome.problems == () and live.step() is None
    assert live.rebuilds == 2  # the first build and the burst
    assert "T49" in (live.output / "papers" / "paper-1" / "index.html").read_text()


def test_a_never_ending_stream_of_saves_still_rebuilds(tmp_path: Path):
    builds = []
    live = LiveSite(lambda: FakeBuilder(builds), tmp_path / "site", clock=(clock := FakeClock()))
    live.rebuild()
    for _ in range(150):
        live.notice("content/x.md")
        clock.now += 0.01
        live.step()
    assert 2 <= len(builds) <= 4  # one rebuild a second at most while saves never pause


class FakeBuilder:
    """Renders a two-file site; ``gate`` (when set) holds the render until the test opens it."""

    def __init__(self, log: list, gate: threading.Event | None = None, fail: bool = False) -> None:
        self.log, self.gate, self.fail = log, gate, fail

    def render(self, timings):
        self.log.append(len(self.log))
        if self.gate:
            assert self.gate.wait(TIMEOUT)
        if self.fail:
            from sitegen.errors import Problem, SitegenError

            raise SitegenError(Problem("content/papers/vision/x.md", "front matter is not valid YAML", 3))
        body = f"<html><body><p>build {len(self.log)}</p></body></html>".encode()
        return SimpleNamespace(
            files=[("index.html", body), ("style.css", b"p{}")], warnings=(), pages_rendered=1, later=None
        )


def test_a_request_during_a_rebuild_waits_for_it(tmp_path: Path):
    log: list = []
    live = LiveSite(lambda: FakeBuilder(log), tmp_path / "site")
    live.rebuild()
    gate = threading.Event()
    live._builder = FakeBuilder(log, gate)
    rebuilding = threading.Thread(target=live.rebuild, args=({"content/x.md"},))
    rebuilding.start()
    deadline = time.monotonic() + TIMEOUT
    while len(log) < 2 and time.monotonic() < deadline:  # the render has started and is held at the gate
        time.sleep(0.001)
    responses: queue.Queue = queue.Queue()
    request = threading.Thread(target=lambda: responses.put(live.fetch("/")))
    request.start()
    request.join(0.2)
    assert request.is_alive(), "a request was answered in the middle of a rebuild"
    gate.set()
    response = responses.get(timeout=TIMEOUT)
    rebuilding.join(TIMEOUT)
    assert response.status == 200 and b"build 2" in response.body


def test_a_broken_build_is_reported_and_recovers(tmp_path: Path):
    root = small_project(tmp_path / "project")
    live = live_site(root, tmp_path)
    token = live.token
    good = live.fetch("/papers/paper-1/").body
    path = root / "content" / "papers" / "vision" / "paper-1.md"
    text = path.read_text()
    path.write_text(text.replace("title: ", "title: [unclosed "))
    outcome = live.rebuild({str(path)})
    assert any(
        re.search(r"paper-1\.md:\d+(:\d+)?: front matter is not valid YAML", p) for p in outcome.problems
    )
    assert live.next_event(token, timeout=0) == (live.token, "error")
    assert unscripted(live.fetch("/papers/paper-1/").body) == unscripted(good)  # the last good build
    token = live.token
    path.write_text(text)
    assert live.rebuild({str(path)}).problems == ()
    assert live.next_event(token, timeout=0) == (live.token, "reload")


def test_incremental_output_equals_a_clean_build(tmp_path: Path):
    root = small_project(tmp_path / "project", papers=9)
    live = live_site(root, tmp_path)
    total = len(list((live.output / "papers").iterdir()))
    papers = root / "content" / "papers"

    def edit(path: Path, old: str, new: str) -> None:
        path.write_text(path.read_text().replace(old, new))

    steps = [
        lambda: edit(papers / "vision" / "paper-1.md", "Paper number 1", "A new title"),
        lambda: edit(papers / "vision" / "paper-2.md", "We study", "We carefully study"),
        lambda: add_paper(root, "vision", "paper-new", "Brand new paper", added="2026-12-01"),
        lambda: (papers / "vision" / "paper-4.md").unlink(),
        lambda: (papers / "vision" / "paper-5.md").rename(papers / "unsorted" / "paper-5.md"),
        lambda: (
            edit(root / "templates" / "paper.html", "</article>", "<p>marker</p></article>")
            if "</article>" in (root / "templates" / "paper.html").read_text()
            else edit(root / "templates" / "paper.html", "{% endblock %}", "<p>marker</p>{% endblock %}")
        ),
        lambda: edit(root / "static" / "style.css", "body", "html body"),
        lambda: edit(root / "sitegen.yaml", "title:", "title: Renamed"),
        lambda: edit(papers / "vision" / "paper-7.md", "title: ", "title: [broken "),
        lambda: edit(papers / "vision" / "paper-7.md", "title: [broken ", "title: "),
        # A render that fails half-way after a new asset version, then the fix: pages of other templates
        # still need the new version.
        lambda: (
            edit(root / "static" / "style.css", "html body", "body"),
            edit(root / "templates" / "theme.html", "{% endblock %}", "{{ no_such_name }}{% endblock %}"),
        ),
        lambda: edit(root / "templates" / "theme.html", "{{ no_such_name }}", ""),
    ]
    for number, change in enumerate(steps):
        change()
        outcome = live.rebuild({str(root / "sitegen.yaml")} if number == 7 else ())
        if number in (8, 10):
            assert outcome.problems, number
            continue
        assert outcome.problems == (), (number, outcome.problems)
        if number in (0, 1):  # one paper edited: its neighbourhood, not the whole site
            assert outcome.pages_rendered < total, (number, outcome.pages_rendered)
            # nor every page rewritten: pages name the search index through its manifest
            assert outcome.files_written < len(pages(live.output)) / 2, (number, outcome.files_written)
        clean = tmp_path / f"clean-{number}"
        assert pages(live.output) == clean_build(root, clean), number
        assert folders(live.output) == folders(clean), number  # no empty folder left behind either
    run_sitegen("build", "--output", tmp_path / "by-the-command", cwd=root)
    assert pages(live.output) == pages(tmp_path / "by-the-command")


def test_pages_are_out_before_the_search_index_follows(tmp_path: Path):
    root = small_project(tmp_path / "project")
    live = live_site(root, tmp_path)
    path = root / "content" / "papers" / "vision" / "paper-2.md"
    path.write_text(path.read_text().replace("We study", "We study zeugmatic"))
    index = live.output / "static" / "search" / "full.js"
    seen = []
    write_later = live._write_later

    def spy(later):
        page = (live.output / "papers" / "paper-2" / "index.html").read_text()
        seen.append(("zeugmatic" in page, "zeugmat" in index.read_text(), live.token))
        write_later(later)

    live._write_later = spy
    before = live.token
    assert live.rebuild({str(path)}).problems == ()
    [(page_shown, index_had_it, pages_token)] = seen
    assert page_shown and not index_had_it  # the page did not wait for the index
    assert "zeugmat" in index.read_text()  # which followed
    assert live.next_event(before, timeout=0) == (live.token, "reload")
    assert live.next_event(pages_token, timeout=0) == (live.token, "data")  # a page already reloaded


def test_a_save_during_a_rebuild_leaves_the_search_index_to_the_next_one(tmp_path: Path):
    root = small_project(tmp_path / "project")
    live = live_site(root, tmp_path)
    path = root / "content" / "papers" / "vision" / "paper-2.md"
    text = path.read_text()
    index = live.output / "static" / "search" / "full.js"
    render = live._builder.render

    def render_then_save(timings):
        rendered = render(timings)
        path.write_text(text.replace("We study", "We study quixotic"))  # saved again meanwhile
        live.notice(str(path))
        return rendered

    made = []
    write_later = live._write_later
    live._write_later = lambda later: (made.append(later), write_later(later))
    live._builder.render = render_then_save
    path.write_text(text.replace("We study", "We study zeugmatic"))
    assert live.rebuild({str(path)}).problems == ()
    assert made == [] and "zeugmat" not in index.read_text()  # superseded before it was made
    live._builder.render = render
    time.sleep(live.delay)  # the second save's burst is over
    outcome = live.step()
    assert outcome is not None and outcome.problems == ()
    assert len(made) == 1 and "quixot" in index.read_text() and "zeugmat" not in index.read_text()


def test_cycles_left_by_builds_are_collected_between_rebuilds(tmp_path: Path):
    live = live_site(small_project(tmp_path / "project"), tmp_path)

    class Node:
        pass

    with collector_paused():  # as during a build: what is alive at the end is frozen
        node = Node()
        node.itself = node  # a reference cycle, garbage once the build drops it
        left = weakref.ref(node)
    del node
    gc.collect()
    assert left() is not None  # frozen: ordinary collections never look at it
    while left() is not None and live.rebuilds < 2 * COLLECT_EVERY:
        live.rebuild()
    assert left() is None


def test_a_template_change_re_renders_the_pages_that_use_it(tmp_path: Path):
    root = small_project(tmp_path / "project")
    live = live_site(root, tmp_path)
    home = (live.output / "index.html").read_bytes()
    template = root / "templates" / "paper.html"
    text = template.read_text()
    anchor = "{% endblock %}" if "{% endblock %}" in text else "</article>"
    template.write_text(text.replace(anchor, "<p>template-marker</p>" + anchor, 1))
    outcome = live.rebuild({str(template)})
    pages = sorted((live.output / "papers").glob("*/index.html"))
    assert outcome.pages_rendered == len(pages)
    assert all("template-marker" in p.read_text() for p in pages)
    assert (live.output / "index.html").read_bytes() == home


def test_watcher_ignores_output_editor_and_temp_files(tmp_path: Path):
    root, output, config = tmp_path, tmp_path / "site", tmp_path / "sitegen.yaml"
    yes = ["content/papers/vision/a.md", "templates/paper.html", "static/style.css", "content/themes.yaml"]
    no = [
        "content/papers/vision/.a.md.swp",
        "content/papers/vision/a.md~",
        "content/papers/vision/.#a.md",
        "content/papers/vision/4913",
        "content/papers/vision/a.md.tmp",
        "content/papers/vision/.a.md.sitegen-tmp",
        "templates/__pycache__/x.pyc",
        "content/.git/index",
        "site/index.html",
        "README.md",
    ]
    assert all(is_source(str(root / p), root, output, config) for p in yes)
    assert not any(is_source(str(root / p), root, output, config) for p in no)
    assert is_source(str(config), root, output, config)


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


# --- the HTTP handler, in process -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveSite, int]]:
    """One server for the handler tests, which only read."""
    tmp_path = tmp_path_factory.mktemp("handler")
    root = small_project(tmp_path / "project", papers=3)
    (tmp_path / "served" / "secret.txt").parent.mkdir(parents=True)
    (tmp_path / "served" / "secret.txt").write_text("do not serve me")
    live = live_site(root, tmp_path)
    httpd = PreviewServer(("127.0.0.1", 0), live)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield live, httpd.server_address[1]
    live.stop()
    httpd.shutdown()
    httpd.server_close()


def raw_get(port: int, target: str) -> tuple[int, dict[str, str], bytes]:
    """A GET with the request target exactly as given (http.client does not normalise it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    connection.putrequest("GET", target, skip_host=True)
    connection.putheader("Host", f"127.0.0.1:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/papers/../../secret.txt",
        "/..%5csecret.txt",
        "/%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "http://127.0.0.1/../secret.txt",
        "/%00",
    ],
)
def test_traversal_is_refused(server, target: str):
    _, port = server
    status, _, body = raw_get(port, target)
    assert status in (400, 403, 404), status
    assert b"do not serve me" not in body and b"root:" not in body


def test_script_is_injected_into_html_only_and_never_written(server):
    live, port = server
    status, headers, body = raw_get(port, "/papers/paper-1/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body.count(SCRIPT_URL.encode()) == 1 and body.index(SCRIPT_URL.encode()) < body.rindex(b"</body>")
    status, headers, script = raw_get(port, SCRIPT_URL)
    assert (
        status == 200 and b"EventSource" in script and b"textContent" in script and b"innerHTML" not in script
    )
    for target in ("/feed.xml", "/papers.json", "/static/style.css"):
        status, _, body = raw_get(port, target)
        assert status == 200 and SCRIPT_URL.encode() not in body, target
    assert not any(b"__sitegen" in data for data in snapshot(live.output).values())
    status, headers, _ = raw_get(port, "/papers")
    assert status == 302 and headers["Location"] == "/papers/"
    status, _, body = raw_get(port, "/no/such/page/")
    assert status == 404 and SCRIPT_URL.encode() in body


# --- the real command ----------------------------------------------------------------------------


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


class EventStream:
    """A minimal Server-Sent Events client on a plain socket."""

    def __init__(self, port: int, since: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.sendall(f"GET /__sitegen/events?since={since} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        assert b" 200 " in head.split(b"\r\n")[0] and b"text/event-stream" in head

    def _until(self, separator: bytes) -> bytes:
        while separator not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("event stream closed")
            self.buffer += chunk
        item, self.buffer = self.buffer.split(separator, 1)
        return item

    def next(self) -> tuple[str, str]:
        """The next named event (comments and retry lines skipped) as (event, data)."""
        while True:
            fields = dict(
                line.split(": ", 1) for line in self._until(b"\n\n").decode().split("\n") if ": " in line
            )
            if "event" in fields:
                return fields["event"], fields.get("data", "")

    def close(self) -> None:
        self.sock.close()


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
    token = re.search(r'data-generation="([^"]+)"', page).group(1)
    assert "__sitegen" not in (output / "papers" / "paper-1" / "index.html").read_text()
    events = EventStream(port, token)
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
    token = re.search(r'data-generation="([^"]+)"', get(port, "/")).group(1)
    events = EventStream(port, token)
    path = root / "content" / "papers" / "vision" / "paper-1.md"
    text = path.read_text()
    try:
        path.write_text(text.replace("title: ", "title: [unclosed "))
        name, data = events.next()
        assert name == "error" and re.search(r"paper-1\.md:\d+(:\d+)?: front matter is not valid YAML", data)
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
