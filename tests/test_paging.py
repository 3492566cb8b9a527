from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import snapshot
from sitecheck import broken_links
from test_build import add_paper
from test_cache import edits_serve_clean_builds

import sitegen.paging
from sitegen.build import Builder, BuildMode, Timings, build
from sitegen.config import load_config
from sitegen.model import load_site
from sitegen.paging import chunks, paginate, sitemap_files
from sitegen.write import MARKER


def test_a_listing_that_fits_has_one_page_and_no_neighbours():
    [(pager, shown)] = paginate("tags/x/", list(range(3)), size=5)
    assert shown == (0, 1, 2) and (pager.number, pager.count, pager.total) == (1, 1, 3)
    assert pager.previous is None and pager.next is None


def test_a_long_listing_is_split_in_order_and_every_page_links_its_neighbours():
    pages = paginate("themes/vision/", list(range(12)), size=5)
    assert [shown for _, shown in pages] == [tuple(range(5)), tuple(range(5, 10)), (10, 11)]
    first, middle, last = (pager for pager, _ in pages)
    assert first.next == "themes/vision/page/2/" and first.previous is None
    assert middle.previous == "themes/vision/" and middle.next == "themes/vision/page/3/"
    assert last.previous == "themes/vision/page/2/" and last.next is None
    assert {p.total for p, _ in pages} == {12} and {p.count for p, _ in pages} == {3}


def test_empty_lists_still_have_one_page():
    assert chunks([], 5) == [()]
    assert paginate("status/x/", [], size=5)[0][0].count == 1


def test_a_sitemap_past_the_protocols_limit_is_split_into_numbered_files():
    assert sitemap_files(50_000) == []
    assert sitemap_files(50_001) == ["sitemaps/1.xml", "sitemaps/2.xml"]
    assert sitemap_files(7, limit=3) == ["sitemaps/1.xml", "sitemaps/2.xml", "sitemaps/3.xml"]


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def many(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Seven papers in one theme, all tagged, with room for three per listing page and four URLs per
    sitemap file: the shapes of a site of thousands, at a size a test can build."""
    for n in range(7):
        add_paper(project, "vision", f"paper-{n}", f"Paper {n}", added=f"2026-11-{n + 1:02d}", tags=["seg"])
    monkeypatch.setattr(sitegen.paging, "LISTING_PAGE_SIZE", 3)
    monkeypatch.setattr(sitegen.paging, "SITEMAP_LIMIT", 4)
    return project


def papers_listed(page: Path) -> list[str]:
    return re.findall(r'href="[./]*papers/(paper-\d)/"', page.read_text(encoding="utf-8"))


def test_long_listings_are_split_into_linked_pages_that_show_every_paper_once(many: Path, tmp_path: Path):
    config, _ = load_config(many)
    build(config, tmp_path / "site")
    site = tmp_path / "site"
    for folder in ("themes/vision", "tags/seg", "themes/vision/tags/seg"):
        pages = [
            site / folder / "index.html",
            *(site / folder / "page" / str(n) / "index.html" for n in (2, 3)),
        ]
        shown = [papers_listed(page) for page in pages]
        assert [len(s) for s in shown] == [3, 3, 1] and sorted(p for s in shown for p in s) == [
            f"paper-{n}" for n in range(7)
        ]
        assert not (site / folder / "page" / "4").exists()
        first, last = (page.read_text(encoding="utf-8") for page in (pages[0], pages[2]))
        assert "7 papers · page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
        assert "(page 3)" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert broken_links(site) == []
    assert dict(Builder(config, BuildMode.CHECK).render(Timings()).files) == {
        path: data for path, data in snapshot(site).items() if path != MARKER
    }


def test_a_sitemap_past_the_limit_becomes_an_index_of_files_holding_every_url(many: Path, tmp_path: Path):
    config, _ = load_config(many)
    build(config.with_base_url("https://example.org/list/"), tmp_path / "site")
    site = tmp_path / "site"
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    files = [entry.find(f"{SITEMAP}loc").text for entry in index]
    # home, one URL per theme, seven papers: four per file
    urls = 1 + len(load_site(config).themes) + 7
    assert files == [f"https://example.org/list/sitemaps/{n}.xml" for n in range(1, -(-urls // 4) + 1)]
    locs = []
    for n in range(1, len(files) + 1):
        part = ET.parse(site / "sitemaps" / f"{n}.xml").getroot()
        assert part.tag == f"{SITEMAP}urlset" and 0 < len(part) <= 4
        locs += [u.find(f"{SITEMAP}loc").text for u in part]
    assert len(locs) == len(set(locs)) == urls
    assert {"https://example.org/list/", "https://example.org/list/papers/paper-6/"} <= set(locs)


@pytest.mark.parametrize("seed", [0, 1])
def test_edits_that_move_papers_across_listing_pages_serve_what_a_clean_build_writes(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
):
    """With two papers per listing page and three URLs per sitemap file, curator edits add and remove
    whole pages (``page/N/``, ``sitemaps/N.xml``): the preview must follow them as a clean build does."""
    monkeypatch.setattr(sitegen.paging, "LISTING_PAGE_SIZE", 2)
    monkeypatch.setattr(sitegen.paging, "SITEMAP_LIMIT", 3)
    edits_serve_clean_builds(tmp_path, seed, steps=10)
