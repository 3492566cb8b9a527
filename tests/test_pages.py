"""Which pages a site has and what each declares (sitegen.pages), from a generated project loaded the way
the build loads it: every page's context is a hashable value, each path is claimed once, every paper,
theme, tag and status has its pages, feeds hold the newest papers only."""

from __future__ import annotations

from pathlib import Path

import pytest
from curator_edits import make_project

import sitegen.paging
from sitegen.build import Builder, BuildMode, Timings
from sitegen.cache import PaperViews
from sitegen.config import load_config
from sitegen.model import Site
from sitegen.pages import site_pages
from sitegen.render import Page


def load(root: Path) -> Site:
    return Builder(load_config(root)[0], BuildMode.CHECK).render(Timings()).site


def pages_of(site: Site) -> list[Page]:
    return site_pages(site, PaperViews()(site.papers), {})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return load(make_project(tmp_path_factory.mktemp("pages") / "project", seed=7, papers=30).root)


def test_every_page_declares_a_hashable_context(site: Site):
    """The context is the page's cache key: it must be made of values, not of live objects."""
    pages = pages_of(site)
    assert {p.template for p in pages} >= {"index.html", "paper.html", "listing.html", "feed.xml"}
    for page in pages:
        hash(page.context)
        assert all(name not in ("site", "views") for name, _ in page.context), page.path


def test_each_path_is_claimed_once_and_every_paper_theme_tag_and_status_has_its_page(site: Site):
    paths = [p.path for p in pages_of(site)]
    assert len(paths) == len(set(paths))
    expected = {f"papers/{p.slug}/index.html" for p in site.papers}
    expected |= {f"themes/{t.slug}/index.html" for t in site.themes}
    expected |= {f"themes/{t.slug}/feed.xml" for t in site.themes}
    expected |= {f"tags/{tag}/index.html" for tag in site.by_tag}
    expected |= {
        f"status/{s}/index.html" for s in site.config.status_labels if site.with_status(site.papers, s)
    }
    assert expected <= set(paths)


def test_feeds_hold_the_newest_papers_only(site: Site, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sitegen.pages, "FEED_SIZE", 4)
    feed = next(p for p in pages_of(site) if p.path == "feed.xml")
    entries = dict(feed.context)["entries"]
    assert [view.slug for view, _ in entries] == [p.slug for p in site.newest[:4]]


def test_a_long_listing_is_split_and_shows_each_paper_once(site: Site, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sitegen.paging, "LISTING_PAGE_SIZE", 4)
    tag, tagged = max(site.by_tag.items(), key=lambda item: len(item[1]))
    assert len(tagged) > 4, "the generated project has a tag on more papers than one page shows"
    listed = [p for p in pages_of(site) if p.path.startswith(f"tags/{tag}/")]
    assert [p.path for p in listed][:2] == [f"tags/{tag}/index.html", f"tags/{tag}/page/2/index.html"]
    shown = [view.slug for page in listed for view, _ in dict(page.context)["papers"]]
    assert shown == [p.slug for p in tagged]
