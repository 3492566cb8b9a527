"""sitegen.matching: a dump entry is recognised as a paper on disk by arXiv id, id or normalised title,
wherever a curator moved or re-titled the file; unreadable files stop the import with every one named."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.errors import SitegenError
from sitegen.frontmatter import format_paper
from sitegen.matching import existing_papers, find_existing
from sitegen.slugs import paper_id


def write(papers: Path, theme: str, slug: str, **fields: object) -> Path:
    path = papers / theme / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(format_paper(fields, "An abstract."), encoding="utf-8")
    return path


def test_a_paper_is_found_by_arxiv_id_then_id_then_normalised_title(tmp_path: Path):
    papers = tmp_path / "papers"
    by_arxiv = write(papers, "vision", "seen-on-arxiv", id="a1", title="Seen On arXiv", arxiv="2401.00001v2")
    by_id = write(papers, "audio", "renamed", id=paper_id("The Original Title"), title="A Curator's Title")
    by_title = write(papers, "audio", "edited-id", id="edited", title="Sparse Routing, Revisited!")
    known, slugs = existing_papers(papers)
    assert slugs == {"seen-on-arxiv", "renamed", "edited-id"}
    assert find_existing(known, "Any Title At All", "2401.00001").path == by_arxiv
    assert find_existing(known, "The Original Title").path == by_id
    assert find_existing(known, "sparse routing revisited").path == by_title
    assert find_existing(known, "A Paper Nobody Has", "2401.99999") is None


def test_what_a_file_already_lists_is_known_so_import_adds_only_what_is_new(tmp_path: Path):
    papers = tmp_path / "papers"
    write(
        papers,
        "vision",
        "x",
        id="x1",
        title="X",
        sources=[{"file": "a.txt"}],
        code="",
        published="2024-01-02",
    )
    existing = find_existing(existing_papers(papers)[0], "X")
    assert existing is not None
    assert existing.sources == ("a.txt",)
    assert existing.card == frozenset({"published"})


def test_unreadable_paper_files_are_all_named_before_anything_is_imported(tmp_path: Path):
    papers = tmp_path / "papers"
    write(papers, "vision", "fine", id="f", title="Fine")
    (papers / "vision" / "broken.md").write_text("no front matter\n", encoding="utf-8")
    (papers / "vision" / "latin.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    with pytest.raises(SitegenError) as raised:
        existing_papers(papers)
    named = {Path(p.path).name for p in raised.value.problems}
    assert {"broken.md", "latin.md", "papers"} <= named
