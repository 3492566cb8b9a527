"""sitegen.cite: BibTeX entries that BibTeX can read, from what a paper file knows."""

from __future__ import annotations

import re

import pytest

from sitegen.cite import Citation, arxiv_year, bibliography, bibtex_entry, bibtex_text, paper_citation
from sitegen.frontmatter import Paper


def paper(**fields) -> Paper:
    return Paper(
        **{"id": "x", "slug": "a-paper", "theme": "vision", "title": "A Paper", "abstract": "", **fields}
    )


def test_an_entry_has_title_and_url_always() -> None:
    entry = bibtex_entry(paper_citation(paper(), "https://example.org/list/", "/list/"))
    assert entry == (
        "@misc{a-paper,\n  title = {{A Paper}},\n  url = {https://example.org/list/papers/a-paper/}\n}\n"
    )


def test_arxiv_gives_eprint_archive_prefix_and_year() -> None:
    entry = bibtex_entry(paper_citation(paper(arxiv="2401.01234v2"), "", "/"))
    assert "  eprint = {2401.01234v2},\n  archivePrefix = {arXiv},\n  year = {2024}\n" in entry
    assert "  url = {https://arxiv.org/abs/2401.01234v2}," in entry  # no host known: the arXiv page


def test_the_year_comes_from_the_publication_date_first() -> None:
    assert "  year = {2023}\n" in bibtex_entry(
        paper_citation(paper(arxiv="2401.01234", published="2023-12-30"), "", "/")
    )
    assert "  year = {2025}\n" in bibtex_entry(paper_citation(paper(published="2025-01-02"), "", "/"))


def test_without_host_or_arxiv_the_url_is_the_path_on_the_site() -> None:
    assert "url = {/sub/papers/a-paper/}" in bibtex_entry(paper_citation(paper(), "", "/sub/"))


@pytest.mark.parametrize(
    ("arxiv", "year"),
    [("2312.17276", "2023"), ("0704.0001", "2007"), ("hep-th/9901001", "1999"), ("x", None)],
)
def test_arxiv_year(arxiv: str, year: str | None) -> None:
    assert arxiv_year(arxiv) == year


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("100% & #1 in C_x", r"100\% \& \#1 in C\_x"),
        ("PanGu-$\\pi$: 50% off", r"PanGu-$\pi$: 50\% off"),  # math kept as TeX
        ("a } b { c {d}", "a b c {d}"),  # unbalanced braces dropped, balanced kept
        ("~x^2 \\o/", r"\textasciitilde{}x\textasciicircum{}2 \textbackslash{}o/"),
        ("  spaced\n  out  ", "spaced out"),
    ],
)
def test_titles_are_escaped_for_bibtex(title: str, text: str) -> None:
    assert bibtex_text(title) == text


def braces_balance(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("title", ["}{", "{{{", "a}}}b", "$x}$ {", "\\{ \\}"])
def test_any_title_gives_an_entry_with_balanced_braces(title: str) -> None:
    assert braces_balance(bibtex_entry(Citation("k", title, "https://e.org/}{")))


def test_bibliography_separates_entries_with_a_blank_line() -> None:
    text = bibliography([Citation("a", "A", "u"), Citation("b", "B", "v")])
    assert text.count("@misc{") == 2 and "}\n\n@misc{b," in text
