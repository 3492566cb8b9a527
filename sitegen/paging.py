"""Long lists split over several files: listing pages (a theme or tag of thousands of papers) and the
sitemap (the protocol allows 50,000 URLs per file, so a larger site gets a sitemap index)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

LISTING_PAGE_SIZE = 500  # papers per listing page: a few hundred cards is a long but usable page
SITEMAP_LIMIT = 50_000  # URLs per sitemap file: the sitemaps.org protocol's limit


@dataclass(frozen=True)
class Pager:
    """Where one page of a listing stands among its pages, for its navigation."""

    folder: str  # the listing's first page's folder, relative to the site root ("themes/vision/")
    number: int  # 1-based
    count: int  # pages in all
    total: int  # items over all the pages

    def url(self, number: int) -> str:
        """The folder of page ``number`` of this listing, relative to the site root."""
        return self.folder if number == 1 else f"{self.folder}page/{number}/"

    @property
    def back(self) -> str:
        """The relative way from this page's folder to the first page's (for links that the first page
        writes relative to itself, such as "feed.xml")."""
        return "" if self.number == 1 else "../../"

    @property
    def previous(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None


def chunks(items: Sequence[T], size: int) -> list[tuple[T, ...]]:
    """``items`` in consecutive runs of ``size`` (the last one shorter); one empty run for no items."""
    return [tuple(items[start : start + size]) for start in range(0, len(items), size)] or [()]


def paginate(folder: str, items: Sequence[T], size: int | None = None) -> list[tuple[Pager, tuple[T, ...]]]:
    """Each page of a listing with the items it shows (``size`` at most, LISTING_PAGE_SIZE by default);
    a listing that fits on one page has one."""
    runs = chunks(items, size or LISTING_PAGE_SIZE)
    return [(Pager(folder, n, len(runs), len(items)), run) for n, run in enumerate(runs, start=1)]


def sitemap_files(count: int, limit: int | None = None) -> list[str]:
    """The files a sitemap of ``count`` URLs is written to (``limit`` at most in each, SITEMAP_LIMIT by
    default), besides ``sitemap.xml`` which lists them as a sitemap index: none while it fits in one."""
    limit = limit or SITEMAP_LIMIT
    if count <= limit:
        return []
    return [f"sitemaps/{n}.xml" for n in range(1, (count + limit - 1) // limit + 1)]
