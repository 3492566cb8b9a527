"""sitegen.content: every paper file under content/papers read from disk, bad ones reported and skipped."""

from __future__ import annotations

from pathlib import Path

from sitegen.content import load_papers, paper_files
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
