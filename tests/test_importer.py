from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import SEEDS, run_sitegen, snapshot

from sitegen.content import read_text
from sitegen.frontmatter import paper_from_file, split_front_matter
from sitegen.markup import render_markdown
from sitegen.plaintext import plain_text
from sitegen.slugs import is_valid_slug

ABSTRACT = ("We study a problem that matters and report what we found in detail. " * 6).strip()


def papers(root: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((root / "content" / "papers").glob("*/*.md"))}


def front(path: Path) -> dict:
    return split_front_matter(path, read_text(path)).data


def write_dump(root: Path, name: str, *entries: tuple[str, str], header: str = "new\n\nJul 29\n\n") -> Path:
    path = root / "content" / "dumps" / name
    path.write_text(header + "".join(f"{t}\n\n{a}\n\n" for t, a in entries), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import make_project

    root = make_project(tmp_path_factory.mktemp("seeded") / "project", SEEDS)
    result = run_sitegen("import", "--added", "2026-11-23", cwd=root)
    assert (
        "5 dumps, 516 entries, 447 unique papers: 447 new, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    )
    return root


def test_seeds_import_into_one_file_per_paper(seeded: Path):
    files = papers(seeded)
    assert len(files) == 447
    themes = {t["slug"] for t in yaml.safe_load((seeded / "content" / "themes.yaml").read_text())["themes"]}
    ids = set()
    for slug, path in files.items():
        assert is_valid_slug(slug) and len(slug) <= 80
        assert path.parent.name in themes | {"unsorted"}
        paper, problems = paper_from_file(path, path.parent.name, read_text(path))
        assert problems == []
        assert paper.added == "2026-11-23" and paper.tags == () and paper.status is None and paper.notes == ""
        ids.add(paper.id)
    assert len(ids) == 447


def test_titles_are_kept_exactly_and_abstracts_render_back(seeded: Path):
    dump_text = (seeded / "content" / "dumps" / SEEDS[2].name).read_text(encoding="utf-8")
    by_title = {front(p)["title"]: p for p in papers(seeded).values()}
    assert "PanGu-$π$: Enhancing Language Model Architectures via Nonlinearity Compensation" in by_title
    checked = 0
    for title, path in by_title.items():
        body = split_front_matter(path, read_text(path)).body
        if title in dump_text and "\\(" not in body:
            abstract = dump_text.split(title + "\n\n", 1)[1].split("\n", 1)[0]
            assert plain_text(render_markdown(body)) == abstract
            checked += 1
    assert checked > 100


def test_a_paper_in_several_dumps_lists_every_source(seeded: Path):
    multi = [front(p)["sources"] for p in papers(seeded).values() if len(front(p)["sources"]) > 1]
    assert len(multi) > 40  # 516 entries of 447 papers
    assert {"file": SEEDS[0].name, "date": "Jul 29"} in [s for ss in multi for s in ss]


def test_second_import_changes_no_byte(seeded: Path, tmp_path: Path):
    root = tmp_path / "again"
    shutil.copytree(seeded, root, symlinks=True)
    before = snapshot(root / "content")
    result = run_sitegen("import", "--added", "2030-01-01", cwd=root)
    assert "0 new, 0 updated, 447 unchanged" in result.stdout
    assert snapshot(root / "content") == before


def test_curator_edits_and_moves_survive_reimport(project: Path):
    write_dump(
        project, "a.txt", ("Sparse Coding in Cortex", ABSTRACT + " a"), ("Deep Pruning Nets", ABSTRACT + " b")
    )
    run_sitegen("import", cwd=project)
    edited, moved = papers(project)["sparse-coding-in-cortex"], papers(project)["deep-pruning-nets"]
    text = (
        edited.read_text()
        .replace("tags: []", "tags:\n- favourite  # keep me\n")
        .replace("title: Sparse Coding in Cortex", "title: Sparse coding in the cortex (edited)")
    )
    text = text.replace(ABSTRACT + " a", "A curator rewrote this abstract.")
    edited.write_text(text)
    target = project / "content" / "papers" / "vision" / moved.name
    target.parent.mkdir(exist_ok=True)
    moved.rename(target)
    moved_text = target.read_bytes()

    write_dump(
        project,
        "b.txt",
        ("sparse  coding in CORTEX!", ABSTRACT + " again"),
        ("Deep Pruning Nets", ABSTRACT + " b"),
        ("A New Paper", ABSTRACT + " c"),
        header="Mar 12\n\n",
    )
    result = run_sitegen("import", cwd=project)
    assert "1 new, 2 updated, 0 unchanged" in result.stdout

    after = edited.read_text()
    assert after == text.replace(
        "- file: a.txt\n  date: Jul 29\n", "- file: a.txt\n  date: Jul 29\n- file: b.txt\n  date: Mar 12\n"
    )
    assert "favourite  # keep me" in after and "A curator rewrote" in after
    assert set(papers(project)) == {"sparse-coding-in-cortex", "deep-pruning-nets", "a-new-paper"}
    assert papers(project)["deep-pruning-nets"] == target
    assert front(target)["sources"] == [
        {"file": "a.txt", "date": "Jul 29"},
        {"file": "b.txt", "date": "Mar 12"},
    ]
    assert target.read_bytes().replace(b"- file: b.txt\n  date: Mar 12\n", b"") == moved_text


def test_excluded_paper_never_comes_back(project: Path):
    write_dump(project, "a.txt", ("Unwanted Paper", ABSTRACT))
    run_sitegen("import", cwd=project)
    path = papers(project)["unwanted-paper"]
    path.write_text(path.read_text().replace("status:\n", "status: excluded\n"))
    before = snapshot(project / "content" / "papers")
    result = run_sitegen("import", cwd=project)
    assert "0 new, 0 updated, 1 unchanged" in result.stdout
    assert snapshot(project / "content" / "papers") == before


def test_duplicates_by_case_spacing_and_punctuation(project: Path):
    write_dump(project, "a.txt", ("Graph Nets: A Survey", ABSTRACT), ("graph nets  a survey.", ABSTRACT))
    write_dump(project, "b.txt", ("GRAPH NETS - A SURVEY", ABSTRACT))
    result = run_sitegen("import", cwd=project)
    # One page listing a paper twice lists it once; two pages listing it are two entries of one paper.
    assert "2 entries, 1 unique papers: 1 new" in result.stdout
    (path,) = papers(project).values()
    assert front(path)["title"] == "Graph Nets: A Survey"
    assert [s["file"] for s in front(path)["sources"]] == ["a.txt", "b.txt"]


def test_bad_dump_fails_the_whole_import_and_names_the_file(project: Path):
    write_dump(project, "a.txt", ("A Good Paper", ABSTRACT))
    latin = project / "content" / "dumps" / "b.txt"
    latin.write_bytes(("Caf\u00e9 Paper\n\n" + ABSTRACT).encode("latin-1"))
    binary = project / "content" / "dumps" / "c.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run_sitegen("import", cwd=project, check=False)
    assert result.returncode == 1
    assert re.search(r"content/dumps/b\.txt:1: is not UTF-8 text", result.stderr)
    assert "content/dumps/c.txt: is a binary file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "content" / "papers").exists()


def test_unreadable_paper_file_stops_import_without_changes(project: Path):
    write_dump(project, "a.txt", ("A Good Paper", ABSTRACT))
    run_sitegen("import", cwd=project)
    (path,) = papers(project).values()
    path.write_text(path.read_text().replace("tags: []", "tags: [unclosed"))
    write_dump(project, "b.txt", ("Another Paper", ABSTRACT))
    before = snapshot(project / "content" / "papers")
    result = run_sitegen("import", cwd=project, check=False)
    assert result.returncode == 1
    assert f"{path.relative_to(project)}:" in result.stderr and "not valid YAML" in result.stderr
    assert snapshot(project / "content" / "papers") == before


def test_hostile_long_and_path_like_titles(project: Path):
    long_title = "Very " * 40 + "Long Title"
    hostile = "<script>alert(1)</script> {{ 7*7 }} {% raw %} $x$"
    write_dump(
        project,
        "a.txt",
        (long_title, ABSTRACT + " 1"),
        ("../../etc/passwd", ABSTRACT + " 2"),
        ("注意力", ABSTRACT + " 3"),  # no ASCII word to make a slug of
        (hostile, "<b>bold?</b> *not emphasis* {{ 7*7 }} \\% {\\em x} `tick` & &amp; " + ABSTRACT),
    )
    run_sitegen("import", cwd=project)
    files = papers(project)
    assert all(is_valid_slug(s) and len(s) <= 80 for s in files)
    assert "etc-passwd" in files
    assert any(re.fullmatch(r"paper-[0-9a-f]{8}", s) for s in files)
    assert all(p.resolve().is_relative_to(project / "content" / "papers") for p in files.values())
    (script,) = (p for p in files.values() if front(p)["title"] == hostile)
    body = split_front_matter(script, read_text(script)).body
    assert plain_text(render_markdown(body)).startswith(  # TeX's \\% and {\\em x} read as a reader expects
        "<b>bold?</b> *not emphasis* {{ 7*7 }} % x `tick` & &amp;"
    )
    assert "\\% {\\em x}" in body  # the file keeps what the dump said
    assert "<b>" not in render_markdown(body)


def test_dry_run_writes_nothing(project: Path):
    write_dump(project, "a.txt", ("A Good Paper", ABSTRACT))
    result = run_sitegen("import", "--dry-run", cwd=project)
    assert re.search(r"would create content/papers/[a-z0-9-]+/a-good-paper\.md", result.stdout)
    assert "dry run: nothing written" in result.stdout
    assert not (project / "content" / "papers").exists()


def test_missing_abstract_is_reported_and_skipped(project: Path):
    write_dump(project, "a.txt", ("No Abstract Here", ""), ("Fine Paper", ABSTRACT))
    result = run_sitegen("import", cwd=project)
    assert result.stderr.splitlines() == [
        "content/dumps/a.txt: read as title/abstract pairs: 1 paper",
        "  skipped 1 title without abstract: content/dumps/a.txt:5",
    ]
    assert "1 skipped" in result.stdout
    verbose = run_sitegen("import", "-v", "--dry-run", cwd=project)
    assert (
        "  content/dumps/a.txt:5: warning: entry 'No Abstract Here' has no abstract; skipped"
        in verbose.stderr
    )
    assert list(papers(project)) == ["fine-paper"]


def test_bad_added_date_and_missing_dump_are_clear_errors(project: Path):
    result = run_sitegen("import", "--added", "yesterday", cwd=project, check=False)
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr
    result = run_sitegen("import", "nope.txt", cwd=project, check=False)
    assert result.returncode == 1 and "nope.txt: no such dump file" in result.stderr
    result = run_sitegen("import", cwd=project, check=False)
    assert result.returncode == 1 and "no dumps found" in result.stderr


DUMP_FIXTURES = Path(__file__).parent / "fixtures" / "dumps"


def test_card_fields_are_written_and_one_arxiv_id_is_one_paper(project: Path):
    shutil.copy(DUMP_FIXTURES / "html-extract.txt", project / "content" / "dumps")
    # The same paper under an older title, on another page: its arXiv id makes it the same paper.
    (project / "content" / "dumps" / "older.txt").write_text(
        "### [Folding Routers into Students](https://huggingface.co/papers/2503.01234v1)\n\n"
        "An earlier version of the paper. It had a shorter title.\n",
        encoding="utf-8",
    )
    result = run_sitegen("import", "--added", "2025-03-06", cwd=project)
    assert "2 dumps, 4 entries, 3 unique papers: 3 new" in result.stdout
    fold = next(p for p in papers(project).values() if front(p).get("arxiv") == "2503.01234")
    assert list(front(fold)) == [
        "id", "title", "arxiv", "published", "code", "sources", "added", "status", "tags", "notes",
    ]  # fmt: skip
    assert front(fold)["title"].startswith("Folding Sparse Routers into Dense Students")
    assert front(fold)["published"] == "2025-03-03" and isinstance(front(fold)["published"], str)
    assert front(fold)["code"] == "https://github.com/example-lab/fold-router"
    assert [s["file"] for s in front(fold)["sources"]] == ["html-extract.txt", "older.txt"]
    syllables = next(p for p in papers(project).values() if front(p).get("arxiv") == "2503.04567")
    assert "code" not in front(syllables)
    assert run_sitegen("check", "--strict", cwd=project, check=False).stdout.count("arxiv") == 0


def test_reimport_fills_missing_card_fields_and_keeps_a_curators(project: Path):
    shutil.copy(DUMP_FIXTURES / "plain-blank.txt", project / "content" / "dumps")
    run_sitegen("import", cwd=project)
    files = {front(p)["title"][:12]: p for p in papers(project).values()}
    fold, syllables = files["Folding Spar"], files["Do Language "]
    fold_before = fold.read_text(encoding="utf-8")
    # A curator set the code link of one paper and emptied the field of another.
    fold.write_text(fold_before.replace("notes: ''\n", "notes: ''\ncode: https://example.org/mine\n"))
    syllables.write_text(syllables.read_text(encoding="utf-8").replace("notes: ''\n", "notes: ''\narxiv:\n"))
    shutil.copy(DUMP_FIXTURES / "markdown-scraper.txt", project / "content" / "dumps")
    result = run_sitegen("import", cwd=project)
    assert "0 new, 3 updated, 1 unchanged" in result.stdout
    assert fold.read_text(encoding="utf-8") == fold_before.replace(
        "notes: ''\n",
        "notes: ''\ncode: https://example.org/mine\narxiv: '2503.01234'\npublished: '2025-03-03'\n",
    ).replace(
        "- file: plain-blank.txt\n  date: Mar 5\n",
        "- file: plain-blank.txt\n  date: Mar 5\n- file: markdown-scraper.txt\n",
    )
    assert front(syllables)["arxiv"] == "2503.04567" and list(front(syllables))[-2:] == ["arxiv", "published"]
    before = snapshot(project / "content" / "papers")
    assert "0 new, 0 updated, 4 unchanged" in run_sitegen("import", cwd=project).stdout
    assert snapshot(project / "content" / "papers") == before


def test_a_page_read_short_of_its_papers_fails_and_writes_nothing(project: Path):
    write_dump(project, "good.txt", ("A Good Paper", ABSTRACT))
    cards = "".join(
        f"### [Paper {n}](https://huggingface.co/papers/2501.0000{n})\n\n"
        + ("" if n % 2 else f"[It works. Really.](https://huggingface.co/papers/2501.0000{n})\n\n")
        for n in range(6)
    )
    (project / "content" / "dumps" / "cards.txt").write_text(cards, encoding="utf-8")
    result = run_sitegen("import", cwd=project, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/dumps/cards.txt: the page names 6 papers but only 3 could be read" in result.stderr
    assert not (project / "content" / "papers").exists()


def test_add_reads_a_pasted_card_and_takes_a_short_abstract(project: Path):
    snippet = (
        "### [Tiny Abstracts Are Fine](https://huggingface.co/papers/2502.00042)\n\n"
        "[One sentence is enough.](https://huggingface.co/papers/2502.00042)\n\n· Published on Feb 3, 2025\n"
    )
    path = Path(run_sitegen("add", "--theme", "vision", input=snippet, cwd=project).stdout.strip())
    data = front(project / path)
    assert (data["title"], data["arxiv"], data["published"]) == (
        "Tiny Abstracts Are Fine",
        "2502.00042",
        "2025-02-03",
    )
    short = run_sitegen(
        "add", "--title", "Short", "--abstract", "It works.", "--theme", "vision", cwd=project
    )
    assert split_front_matter(
        project / short.stdout.strip(), read_text(project / short.stdout.strip())
    ).body == ("It works.")
