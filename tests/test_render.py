"""What readers see on rendered pages, built through the real CLI from the frozen corpus in
tests/fixtures/reader: counts in words, the chart, where a paper was listed, the newest first, status
links and breadcrumbs, citations, abstracts with TeX text-mode commands, robots.txt, links from disk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import reader_project, run_sitegen

from sitegen.render import long_date, offline_links, plural

QUANTISED = "papers/quantised-attention-at-scale/index.html"


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = reader_project(tmp_path_factory.mktemp("reader") / "project")
    result = run_sitegen("build", cwd=root)
    (root / "build-stderr.txt").write_text(result.stderr)
    return root


def page(reader: Path, path: str) -> str:
    return (reader / "site" / path).read_text(encoding="utf-8")


def test_plural_and_long_date() -> None:
    assert [plural(n, "paper") for n in (0, 1, 2)] == ["0 papers", "1 paper", "2 papers"]
    assert plural(1, "child", "children") == "1 child" and plural(3, "child", "children") == "3 children"
    assert long_date("2026-03-01") == "1 March 2026"


def test_counts_say_paper_for_one(reader: Path):
    theme = page(reader, "themes/language-models/index.html")
    assert '<p class="count">1 paper <span' in theme
    home = page(reader, "index.html")
    assert re.search(r"6 papers, filed under \d+ themes\.", home)
    assert re.search(
        r'<p class="count">1 paper <span class="progress" data-progress-theme="language-models"', home
    )
    listing = page(reader, "status/must-read/index.html")
    assert '<p class="count">1 paper</p>' in listing and 'content="1 paper: Must read"' in listing
    assert not re.search(r"\b1 papers\b", "".join(p.read_text() for p in (reader / "site").rglob("*.html")))


def test_home_chart_is_html_bars_that_link_to_each_theme(reader: Path):
    chart = page(reader, "index.html").split('<figure class="chart"')[1].split("</figure>")[0]
    assert "<svg" not in chart  # text that reflows instead of a picture scaled down to 375 px
    bars = re.findall(
        r'<a href="themes/([a-z0-9-]+)/"><span class="bar-label">([^<]+)</span> '
        r'<span class="bar" style="--share: ([\d.]+)"><span class="bar-value">(\d+)</span>',
        chart,
    )
    shown = {slug: (share, count) for slug, _, share, count in bars if count != "0"}
    assert shown == {
        "efficiency": ("1.000", "3"),
        "vision": ("0.667", "2"),
        "language-models": ("0.333", "1"),
    }


def test_listings_show_days_not_dump_file_names(reader: Path):
    site_html = "".join(p.read_text() for p in (reader / "site").rglob("*.html"))
    assert ".txt" not in site_html  # hashed dump names mean nothing to a reader
    paper = page(reader, "papers/sparse-adapters-for-tiny-devices/index.html")
    assert 'Hugging Face Daily Papers of <time datetime="2026-03-01">1 March 2026</time>' in paper
    undated = page(reader, "papers/counting-birds-in-the-rain/index.html")
    assert "Listed in" not in undated  # a dump without a date line says nothing worth showing
    table = page(reader, "index.html").split('class="sources-table"')[1].split("</table>")[0]
    rows = re.findall(r'<time datetime="([\d-]+)">[^<]+</time></td><td>(\d+)</td>', table)
    assert rows == [("2026-03-01", "3"), ("2026-02-27", "2")]


def test_newest_additions_break_date_ties_by_listing_day_not_title(reader: Path):
    newest = page(reader, "index.html").split('id="newest"')[1]
    titles = re.findall(r'<h3 class="paper-card-title"><a href="papers/([a-z0-9-]+)/">', newest)
    assert titles == [
        "sparse-adapters-for-tiny-devices",  # added 2026-03-02, listed 1 March
        "zebra-striped-kernels",  # the same
        "quantised-attention-at-scale",  # added 2026-03-02, listed 27 February
        "one-prompt-many-answers",  # added 2026-03-01
        "level-s-2-fm-depth-from-scribbles",  # added 2026-02-28, listed 27 February
        "counting-birds-in-the-rain",  # added 2026-02-28, no listing day
    ]


def test_status_badges_link_to_their_pages_and_status_breadcrumbs_do_not_say_tags(reader: Path):
    paper = page(reader, "papers/sparse-adapters-for-tiny-devices/index.html")
    assert (
        '<a class="badge badge-status badge-must-read" href="../../status/must-read/">Must read</a>' in paper
    )
    assert (reader / "site" / "status" / "must-read" / "index.html").is_file()
    for path in ("status/must-read/index.html", "themes/efficiency/status/must-read/index.html"):
        crumbs = page(reader, path).split('class="breadcrumb"')[1].split("</nav>")[0]
        assert "Tags" not in crumbs and '<span aria-current="page">' in crumbs
    tag_crumbs = page(reader, "tags/pruning/index.html").split('class="breadcrumb"')[1].split("</nav>")[0]
    assert ">Tags</a>" in tag_crumbs


def test_cite_block_and_papers_bib(reader: Path):
    paper = page(reader, QUANTISED)
    cite = paper.split('id="cite-heading"')[1].split("</section>")[0]
    assert "@misc{quantised-attention-at-scale," in cite
    assert (
        "title = {{Quantised Attention at Scale \\&amp; Other Stories}}" in cite
    )  # BibTeX-escaped, then HTML
    assert 'data-copy="bibtex" hidden' in cite  # the copy button needs JavaScript: shown by it
    bib = page(reader, "papers.bib")
    keys = re.findall(r"^@misc\{([a-z0-9-]+),$", bib, re.M)
    assert sorted(keys) == sorted(p.stem for p in (reader / "content" / "papers").rglob("*.md"))
    quantised = bib.split("@misc{quantised-attention-at-scale,")[1].split("\n}\n")[0]
    assert "eprint = {2403.01234},\n  archivePrefix = {arXiv}," in quantised  # from the file's arxiv field
    assert "url = {https://arxiv.org/abs/2403.01234}" in quantised  # no host known: its arXiv page
    assert "url = {/papers/sparse-adapters-for-tiny-devices/}" in bib  # neither: its path on the site


def test_abstracts_read_tex_text_mode_and_keep_math(reader: Path):
    abstract = page(reader, QUANTISED).split('id="abstract-heading"')[1].split("</section>")[0]
    assert "less than 2% accuracy on <em>every</em> benchmark" in abstract
    assert "Gbé and Français" in abstract and "<strong>halves</strong>" in abstract
    assert "(\\aka the bandwidth bill)" in abstract  # unknown macros stay as written
    assert "<math" in abstract
    source = (reader / "content" / "papers" / "efficiency" / "quantised-attention-at-scale.md").read_text()
    assert "2\\% accuracy on {\\em every}" in source  # the file is unchanged


def test_titles_with_a_lone_script_have_no_gap_and_excerpts_never_end_in_dot_ellipsis(reader: Path):
    assert "Level-S<sup>2</sup>fM: Depth from Scribbles" in page(reader, "themes/vision/index.html")
    excerpts = re.findall(r'<p class="paper-card-excerpt">([^<]*)</p>', page(reader, "index.html"))
    assert excerpts and not any(e.endswith(".…") for e in excerpts)


def test_robots_txt_names_a_sitemap_only_with_a_full_url(reader: Path, tmp_path: Path):
    assert "Sitemap" not in page(reader, "robots.txt")
    warning = (reader / "build-stderr.txt").read_text()
    assert warning.count("is not a full URL") == 1 and "sitegen.yaml: warning: base_url '/'" in warning
    result = run_sitegen(
        "build", "--output", tmp_path / "hosted", "--base-url", "https://e.org/r/", cwd=reader
    )
    assert "Sitemap: https://e.org/r/sitemap.xml" in (tmp_path / "hosted" / "robots.txt").read_text()
    assert "full URL" not in result.stderr


def test_offline_links_name_index_html() -> None:
    html = '<a href="">x</a><a href="../papers/a/">y</a><a href="#main">z</a><a href="../#themes">t</a>'
    html += (
        '<a href="https://e.org/">e</a><a href="/abs/">r</a><a href="feed.xml">f</a><form action="search/">'
    )
    assert offline_links(html) == (
        '<a href="index.html">x</a><a href="../papers/a/index.html">y</a><a href="#main">z</a>'
        '<a href="../index.html#themes">t</a><a href="https://e.org/">e</a><a href="/abs/">r</a>'
        '<a href="feed.xml">f</a><form action="search/index.html">'
    )


def test_offline_build_has_no_link_to_a_folder(reader: Path, tmp_path: Path):
    run_sitegen("build", "--offline", "--output", tmp_path / "disk", cwd=reader)
    for path in (tmp_path / "disk").rglob("*.html"):
        links = re.findall(r' (?:href|action)="([^"]*)"', path.read_text())
        folders = [
            h for h in links if not re.match(r"[a-z]+:|/|#", h) and re.match(r"^([^?#]*/)?(?:[?#]|$)", h)
        ]
        assert folders == [], path
