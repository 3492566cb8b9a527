"""sitegen.content: every paper file under content/papers read from disk, bad ones reported and skipped."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from sitegen.content import FileDigests, load_papers, paper_files
from sitegen.frontmatter import format_paper


def write(papers: Path, relative: str, text: str | bytes) -> Path:
    path = papers / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_good_papers_load_and_every_bad_file_is_reported(tmp_path: Path):
    papers = tmp_path / "papers"
    write(papers, "vision/b.md", format_paper({"id": "b", "title": "B"}, "Body."))
    write(
        papers,
        "audio/a.md",
        "\ufeff" + format_paper({"id": "a", "title": "A"}, "Body.").replace("\n", "\r\n"),
    )
    write(papers, "audio/latin.md", b"---\nid: l\ntitle: caf\xe9\n---\n\nBody.\n")
    write(papers, "audio/nul.md", b"---\x00")
    write(papers, "audio/ctrl.md", "---\nid: c\ntitle: T\x1b\n---\n\nBody.\n")
    write(papers, ".drafts/hidden.md", format_paper({"id": "h", "title": "H"}, "Body."))
    write(papers, "vision/notes.txt", "not a paper")
    loaded, problems = load_papers(papers)
    assert [(p.theme, p.slug) for p in loaded] == [("audio", "a"), ("vision", "b")]
    reported = {Path(p.path).name: p for p in problems}
    assert set(reported) == {"latin.md", "nul.md", "ctrl.md", "hidden.md"}
    assert "not UTF-8" in reported["latin.md"].message and reported["latin.md"].line == 3
    assert "binary" in reported["nul.md"].message
    assert "control character" in reported["ctrl.md"].message and reported["ctrl.md"].line == 3
    assert reported["hidden.md"].severity == "warning"
    assert [p.name for p in paper_files(papers)] == ["a.md", "ctrl.md", "latin.md", "nul.md", "b.md"]


def test_a_cache_rereads_only_files_that_changed(tmp_path: Path):
    papers = tmp_path / "papers"
    path = write(papers, "vision/a.md", format_paper({"id": "a", "title": "Old"}, "Body."))
    cache: dict = {}
    assert load_papers(papers, cache)[0][0].title == "Old"
    path.write_text(format_paper({"id": "a", "title": "New title"}, "Body."), encoding="utf-8")
    assert load_papers(papers, cache)[0][0].title == "New title"
    path.unlink()
    assert load_papers(papers, cache) == ([], []) and cache == {}


def test_file_digests_are_trusted_only_while_a_settled_file_is_untouched(tmp_path: Path):
    path = tmp_path / "paper.md"
    path.write_text("one", encoding="utf-8")
    past = time.time_ns() - 3 * 10**9
    os.utime(path, ns=(past, past))
    first = FileDigests({})
    assert first(str(path)) == hashlib.sha256(b"one").hexdigest()
    kept = {name: [*entry[:-1], "kept"] for name, entry in first.fresh.items()}
    assert FileDigests(kept)(str(path)) == "kept"  # not read again
    # Rewritten with the same size and its time put back: the status-change time still tells.
    path.write_text("two", encoding="utf-8")
    os.utime(path, ns=(past, past))
    assert FileDigests(kept)(str(path)) == hashlib.sha256(b"two").hexdigest()
    # A file written a moment ago is read every time: a second write in the same tick could hide.
    path.write_text("new", encoding="utf-8")
    recent = FileDigests({})
    assert recent(str(path)) == hashlib.sha256(b"new").hexdigest() and recent.fresh == {}
    assert FileDigests({})(str(tmp_path / "gone.md")) is None
