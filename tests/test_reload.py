"""The reload protocol: the script added to served pages, the events it listens to, and in a real
browser, the reload after a rebuild and the overlay that shows a failed one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_errors import break_template
from test_handler import serving
from test_rebuild import rebuild_loop, small_project

from sitegen.rebuild import RebuildLoop
from sitegen.reload import CLIENT_FILE, EVENTS_URL, SCRIPT_URL, EventStream, inject, token_of

pytestmark = pytest.mark.browser


def test_the_script_goes_before_the_body_end_and_names_the_events_url():
    page = inject(b"<html><body><p>x</p></BODY></html>", "abc.1.0")
    assert page.index(SCRIPT_URL.encode()) < page.index(b"</BODY>")
    assert f'data-events="{EVENTS_URL}"'.encode() in page and token_of(page.decode()) == "abc.1.0"
    assert inject(b"no body", "t").startswith(b"no body<script")
    # The events URL is defined once, in Python: the client reads it from its own tag.
    assert EVENTS_URL not in CLIENT_FILE.read_text() and "dataset.events" in CLIENT_FILE.read_text()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[RebuildLoop, int, Path]]:
    root = small_project(tmp_path / "project", papers=2)
    loop = rebuild_loop(root, tmp_path)
    with serving(loop) as port:
        yield loop, port, root


def test_a_page_reloads_after_a_rebuild_and_shows_a_failed_one(browser, preview):
    loop, port, root = preview
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"http://127.0.0.1:{port}/papers/paper-1/")
        stream = EventStream(port, token_of(page.content()), timeout=20)
        paper = root / "content" / "papers" / "vision" / "paper-1.md"
        paper.write_text(paper.read_text().replace("Paper number 1", "Retitled paper"))
        with page.expect_navigation():
            assert loop.rebuild({str(paper)}).problems == ()
        assert stream.next()[0] == "reload"
        page.wait_for_selector("h1:has-text('Retitled')")
        break_template(root)
        assert loop.rebuild({str(root / "templates" / "base.html")}).problems
        overlay = page.wait_for_selector("#sitegen-error-overlay pre")
        text = overlay.text_content()
        assert f"templates/base.html:{loop.problems[0].line}: template syntax error" in text
    finally:
        page.close()
    assert errors == []
