"""The preview server's rebuild loop, driven directly: no sleeps (the clock is injected), a real builder
on a small generated project, or a fake one where a test must hold a render half-way."""

from __future__ import annotations

import gc
import queue
import re
import shutil
import threading
import time
import weakref
from pathlib import Path
from types import SimpleNamespace

from conftest import make_project, run_sitegen, snapshot
from test_build import add_paper

from sitegen.build import Builder, BuildMode, build, collector_paused
from sitegen.config import load_config
from sitegen.errors import Problem, SitegenError
from sitegen.handler import fetch
from sitegen.rebuild import COLLECT_EVERY, RebuildLoop
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


def rebuild_loop(root: Path, tmp_path: Path, clock: FakeClock | None = None) -> RebuildLoop:
    def make_builder() -> Builder:
        return Builder(load_config(root)[0], BuildMode.PREVIEW)  # as `sitegen serve` makes it

    kwargs = {"clock": clock} if clock else {}
    loop = RebuildLoop(make_builder, tmp_path / "served" / "site", root / "sitegen.yaml", **kwargs)
    assert loop.rebuild().problems == ()
    return loop


def unscripted(html: bytes) -> bytes:
    return re.sub(rb"<script src=\"/__sitegen/[^>]*></script>\n", b"", html)


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def clean_build(root: Path, output: Path) -> dict[str, bytes]:
    shutil.rmtree(output, ignore_errors=True)
    build(load_config(root)[0], output, use_cache=False)
    return pages(output)


def pages(output: Path) -> dict[str, bytes]:
    """The site's files; not the marker, whose input stamp only `sitegen build` keeps up to date."""
    return {name: data for name, data in snapshot(output).items() if name != MARKER}


def test_burst_of_changes_is_one_rebuild_with_the_final_content(tmp_path: Path):
    root = small_project(tmp_path / "project")
    clock = FakeClock()
    loop = rebuild_loop(root, tmp_path, clock)
    path = root / "content" / "papers" / "vision" / "paper-1.md"
    for number in range(50):
        path.write_text(
            path.read_text().replace(re.search(r"title: .*", path.read_text()).group(), f"title: T{number}")
        )
        loop.notice(str(path))
        clock.now += 0.01  # saves 10 ms apart: never quiet for the 50 ms debounce
        assert loop.step() is None
    clock.now += 0.2
    outcome = loop.step()
    assert outcome is not None and outcome.problems == () and loop.step() is None
    assert loop.rebuilds == 2  # the first build and the burst
    assert "T49" in (loop.output / "papers" / "paper-1" / "index.html").read_text()


def test_a_never_ending_stream_of_saves_still_rebuilds(tmp_path: Path):
    builds = []
    loop = RebuildLoop(lambda: FakeBuilder(builds), tmp_path / "site", clock=(clock := FakeClock()))
    loop.rebuild()
    for _ in range(150):
        loop.notice("content/x.md")
        clock.now += 0.01
        loop.step()
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
            raise SitegenError(Problem("content/papers/vision/x.md", "front matter is not valid YAML", 3))
        body = f"<html><body><p>build {len(self.log)}</p></body></html>".encode()
        return SimpleNamespace(
            files=[("index.html", body), ("style.css", b"p{}")], warnings=(), pages_rendered=1, later=None
        )


def test_a_request_during_a_rebuild_waits_for_it(tmp_path: Path):
    log: list = []
    loop = RebuildLoop(lambda: FakeBuilder(log), tmp_path / "site")
    loop.rebuild()
    gate = threading.Event()
    loop._builder = FakeBuilder(log, gate)
    rebuilding = threading.Thread(target=loop.rebuild, args=({"content/x.md"},))
    rebuilding.start()
    deadline = time.monotonic() + TIMEOUT
    while len(log) < 2 and time.monotonic() < deadline:  # the render has started and is held at the gate
        time.sleep(0.001)
    responses: queue.Queue = queue.Queue()
    request = threading.Thread(target=lambda: responses.put(fetch(loop, "/")))
    request.start()
    request.join(0.2)
    assert request.is_alive(), "a request was answered in the middle of a rebuild"
    gate.set()
    response = responses.get(timeout=TIMEOUT)
    rebuilding.join(TIMEOUT)
    assert response.status == 200 and b"build 2" in response.body


def test_a_broken_build_is_reported_and_recovers(tmp_path: Path):
    root = small_project(tmp_path / "project")
    loop = rebuild_loop(root, tmp_path)
    token = loop.token
    good = fetch(loop, "/papers/paper-1/").body
    path = root / "content" / "papers" / "vision" / "paper-1.md"
    text = path.read_text()
    path.write_text(text.replace("title: ", "title: [unclosed "))
    outcome = loop.rebuild({str(path)})
    assert any(
        re.search(r"paper-1\.md:\d+(:\d+)?: front matter is not valid YAML", p)
        for p in map(str, outcome.problems)
    )
    assert loop.next_event(token, timeout=0) == (loop.token, "error")
    assert unscripted(fetch(loop, "/papers/paper-1/").body) == unscripted(good)  # the last good build
    token = loop.token
    path.write_text(text)
    assert loop.rebuild({str(path)}).problems == ()
    assert loop.next_event(token, timeout=0) == (loop.token, "reload")


def test_incremental_output_equals_a_clean_build(tmp_path: Path):
    root = small_project(tmp_path / "project", papers=9)
    loop = rebuild_loop(root, tmp_path)
    total = len(list((loop.output / "papers").iterdir()))
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
        outcome = loop.rebuild({str(root / "sitegen.yaml")} if number == 7 else ())
        if number in (8, 10):
            assert outcome.problems, number
            continue
        assert outcome.problems == (), (number, outcome.problems)
        if number in (0, 1):  # one paper edited: its neighbourhood, not the whole site
            assert outcome.pages_rendered < total, (number, outcome.pages_rendered)
            # nor every page rewritten: pages name the search index through its manifest
            assert outcome.files_written < len(pages(loop.output)) / 2, (number, outcome.files_written)
        clean = tmp_path / f"clean-{number}"
        assert pages(loop.output) == clean_build(root, clean), number
        assert folders(loop.output) == folders(clean), number  # no empty folder left behind either
    run_sitegen("build", "--output", tmp_path / "by-the-command", cwd=root)
    assert pages(loop.output) == pages(tmp_path / "by-the-command")


def index_terms(output: Path) -> str:
    """Every term of the search index (its lexicon pieces), as one text."""
    return "".join(p.read_text() for p in sorted((output / "static" / "search" / "lexicon").glob("*.js")))


def test_pages_are_out_before_the_search_index_follows(tmp_path: Path):
    root = small_project(tmp_path / "project")
    loop = rebuild_loop(root, tmp_path)
    path = root / "content" / "papers" / "vision" / "paper-2.md"
    path.write_text(path.read_text().replace("We study", "We study zeugmatic"))
    seen = []
    write_later = loop._write_later

    def spy(later):
        page = (loop.output / "papers" / "paper-2" / "index.html").read_text()
        seen.append(("zeugmatic" in page, "zeugmat" in index_terms(loop.output), loop.token))
        write_later(later)

    loop._write_later = spy
    before = loop.token
    assert loop.rebuild({str(path)}).problems == ()
    [(page_shown, index_had_it, pages_token)] = seen
    assert page_shown and not index_had_it  # the page did not wait for the index
    assert "zeugmat" in index_terms(loop.output)  # which followed
    assert loop.next_event(before, timeout=0) == (loop.token, "reload")
    assert loop.next_event(pages_token, timeout=0) == (loop.token, "data")  # a page already reloaded


def test_a_file_that_lags_the_pages_is_served_once_it_caught_up(tmp_path: Path):
    root = small_project(tmp_path / "project")
    loop = rebuild_loop(root, tmp_path)
    path = root / "content" / "papers" / "vision" / "paper-2.md"
    path.write_text(path.read_text().replace("Paper number 2", "Renamed two"))
    answers: queue.Queue = queue.Queue()
    write_later = loop._write_later

    def spy(later):  # browsers were told to reload; the data files are not made yet
        for target in ("/papers/paper-2/", "/papers.json"):
            threading.Thread(target=lambda t=target: answers.put((t, fetch(loop, t).body))).start()
        target, body = answers.get(timeout=TIMEOUT)
        assert target == "/papers/paper-2/" and b"Renamed two" in body  # the page did not wait
        assert answers.empty()
        write_later(later)

    loop._write_later = spy
    assert loop.rebuild({str(path)}).problems == ()
    target, body = answers.get(timeout=TIMEOUT)
    assert target == "/papers.json" and b"Renamed two" in body  # never the stale one


def test_a_save_during_a_rebuild_leaves_the_search_index_to_the_next_one(tmp_path: Path):
    root = small_project(tmp_path / "project")
    loop = rebuild_loop(root, tmp_path)
    path = root / "content" / "papers" / "vision" / "paper-2.md"
    text = path.read_text()
    render = loop._builder.render

    def render_then_save(timings):
        rendered = render(timings)
        path.write_text(text.replace("We study", "We study quixotic"))  # saved again meanwhile
        loop.notice(str(path))
        return rendered

    made = []
    write_later = loop._write_later
    loop._write_later = lambda later: (made.append(later), write_later(later))
    loop._builder.render = render_then_save
    path.write_text(text.replace("We study", "We study zeugmatic"))
    assert loop.rebuild({str(path)}).problems == ()
    assert made == [] and "zeugmat" not in index_terms(loop.output)  # superseded before it was made
    loop._builder.render = render
    time.sleep(loop.delay)  # the second save's burst is over
    outcome = loop.step()
    assert outcome is not None and outcome.problems == ()
    terms = index_terms(loop.output)
    assert len(made) == 1 and "quixot" in terms and "zeugmat" not in terms


def test_cycles_left_by_builds_are_collected_between_rebuilds(tmp_path: Path):
    loop = rebuild_loop(small_project(tmp_path / "project"), tmp_path)

    class Node:
        pass

    with collector_paused():  # as during a build: what is alive at the end is frozen
        node = Node()
        node.itself = node  # a reference cycle, garbage once the build drops it
        left = weakref.ref(node)
    del node
    gc.collect()
    assert left() is not None  # frozen: ordinary collections never look at it
    while left() is not None and loop.rebuilds < 2 * COLLECT_EVERY:
        loop.rebuild()
    assert left() is None


def test_a_template_change_re_renders_the_pages_that_use_it(tmp_path: Path):
    root = small_project(tmp_path / "project")
    loop = rebuild_loop(root, tmp_path)
    home = (loop.output / "index.html").read_bytes()
    template = root / "templates" / "paper.html"
    text = template.read_text()
    anchor = "{% endblock %}" if "{% endblock %}" in text else "</article>"
    template.write_text(text.replace(anchor, "<p>template-marker</p>" + anchor, 1))
    outcome = loop.rebuild({str(template)})
    pages = sorted((loop.output / "papers").glob("*/index.html"))
    assert outcome.pages_rendered == len(pages)
    assert all("template-marker" in p.read_text() for p in pages)
    assert (loop.output / "index.html").read_bytes() == home
