"""The site's pages: which pages the model makes, and what each one declares as its template's context.

One function per kind of page (home, feeds, sitemap, themes, tag and status listings, papers); long
lists are split into numbered pages (``sitegen.paging``). Rendering them is ``sitegen.render``.
"""

from __future__ import annotations

from collections.abc import Mapping

from sitegen.cite import bibtex_entry, paper_citation
from sitegen.config import Config
from sitegen.frontmatter import Paper
from sitegen.model import Site, listing_days, tag_slug
from sitegen.paging import paginate, sitemap_files
from sitegen.related import Related
from sitegen.render import Page, PaperView, page
from sitegen.themes import Theme

FEED_SIZE = 50
NEWEST_SIZE = 12


def edit_url(config: Config, paper: Paper) -> str:
    repo = config.repository.rstrip("/")
    if not repo:
        return ""
    try:  # lexically first: resolving every paper's path costs a rebuild system calls
        relative = paper.path.relative_to(config.root).as_posix()
    except ValueError:
        try:
            relative = paper.path.resolve().relative_to(config.root.resolve()).as_posix()
        except ValueError:
            relative = f"content/papers/{paper.theme}/{paper.slug}.md"
    return f"{repo}/edit/{config.branch}/{relative}"


Views = Mapping[str, PaperView]
Card = tuple[PaperView, Theme | None]  # a paper in a list, with its theme when the list spans themes


def cards(site: Site, papers: tuple[Paper, ...], views: Views, with_theme: bool = True) -> tuple[Card, ...]:
    return tuple((views[p.slug], site.theme(p.theme) if with_theme else None) for p in papers)


def site_pages(site: Site, views: Views, related: Mapping[str, tuple[Related, ...]]) -> list[Page]:
    """Every page of the site, in a fixed order."""
    pages = [
        home_page(site, views),
        page("search/index.html", "search.html"),
        page("my/index.html", "my.html"),
        page("404.html", "404.html"),
        feed_page(site, "feed.xml", site.config.title, "", site.newest, views),
        *sitemap_pages(site),
        page("robots.txt", "robots.txt"),
        tags_page(site),
    ]
    newest: dict[str, list[Paper]] = {t.slug: [] for t in site.themes}
    for paper in site.newest:
        newest[paper.theme].append(paper)
    for theme in site.themes:
        home = theme_home(theme)
        pages += theme_pages(site, theme, views)
        pages.append(feed_page(site, f"{home}feed.xml", theme.title, home, tuple(newest[theme.slug]), views))
        pages += theme_filter_pages(site, theme, views)
    pages += status_pages(site, views)
    pages += tag_pages(site, views)
    pages += (paper_page(site, paper, views, related.get(paper.slug, ())) for paper in site.papers)
    return pages


def theme_home(theme: Theme) -> str:
    return f"themes/{theme.slug}/"


def home_page(site: Site, views: Views) -> Page:
    return page(
        "index.html",
        "index.html",
        paper_count=len(site.papers),
        themes=tuple((t, len(site.by_theme[t.slug])) for t in site.themes),
        listings=site.listing_counts,
        newest=cards(site, site.newest[:NEWEST_SIZE], views),
    )


def feed_page(site: Site, path: str, title: str, home: str, papers: tuple[Paper, ...], views: Views) -> Page:
    """An Atom feed of the newest of ``papers`` (newest first); ``home`` is the page it belongs to."""
    entries = cards(site, papers[:FEED_SIZE], views)
    updated = papers[0].added if papers else None
    context = {"feed_title": title, "feed_home": home, "feed_path": path, "updated": updated}
    return page(path, "feed.xml", entries=entries, **context)


def sitemap_pages(site: Site) -> list[Page]:
    """sitemap.xml, or past the protocol's limit a sitemap index naming the files the URLs are split in."""
    urls = (
        ("", None),
        *((theme_home(t), None) for t in site.themes),
        *((f"papers/{p.slug}/", p.added) for p in site.papers),
    )
    files = sitemap_files(len(urls))
    if not files:
        return [page("sitemap.xml", "sitemap.xml", urls=urls)]
    size = -(-len(urls) // len(files))
    parts = [page(path, "sitemap.xml", urls=urls[n * size : (n + 1) * size]) for n, path in enumerate(files)]
    return [page("sitemap.xml", "sitemap-index.xml", files=tuple(files)), *parts]


def tags_page(site: Site) -> Page:
    tags = tuple((tag, site.tag_labels[tag], len(papers)) for tag, papers in site.by_tag.items())
    statuses = tuple(
        (status, label, len(site.with_status(site.papers, status))) for status, label in site.config.statuses
    )
    return page("tags/index.html", "tags.html", tags=tags, statuses=statuses)


def theme_tags(site: Site, papers: tuple[Paper, ...]) -> list[str]:
    return sorted({tag_slug(t) for p in papers for t in p.tags})


def theme_pages(site: Site, theme: Theme, views: Views) -> list[Page]:
    """A theme's page, split into several when it holds more papers than one page shows."""
    papers = site.by_theme[theme.slug]
    statuses = tuple(
        (s, label, len(site.with_status(papers, s))) for s, label in site.config.status_labels.items()
    )
    tags = tuple(
        (tag, site.tag_labels[tag], len(site.with_tag(papers, tag))) for tag in theme_tags(site, papers)
    )
    return [
        page(
            f"{pager.url(pager.number)}index.html",
            "theme.html",
            theme=theme,
            papers=tuple(views[p.slug] for p in shown),
            statuses=tuple(s for s in statuses if s[2]),
            tags=tags,
            pager=pager,
        )
        for pager, shown in paginate(theme_home(theme), papers)
    ]


def listing(
    site: Site,
    folder: str,
    title: str,
    theme: Theme | None,
    papers: tuple[Paper, ...],
    views: Views,
    kind: str = "tag",
) -> list[Page]:
    """A pre-rendered filtered list (``kind`` "tag" or "status", site-wide or within a theme): filtering
    without JS. Split into several pages when it holds more papers than one page shows."""
    return [
        page(
            f"{pager.url(pager.number)}index.html",
            "listing.html",
            title=title,
            theme=theme,
            papers=cards(site, shown, views, with_theme=theme is None),
            kind=kind,
            pager=pager,
        )
        for pager, shown in paginate(folder, papers)
    ]


def theme_filter_pages(site: Site, theme: Theme, views: Views) -> list[Page]:
    """A theme's papers by status and by tag."""
    papers = site.by_theme[theme.slug]
    home = theme_home(theme)
    pages = [
        listed
        for status, label in site.config.status_labels.items()
        if (chosen := site.with_status(papers, status))
        for listed in listing(
            site, f"{home}status/{status}/", f"{theme.title}: {label}", theme, chosen, views, "status"
        )
    ]
    for tag in theme_tags(site, papers):
        title = f"{theme.title}: {site.tag_labels[tag]}"
        pages += listing(site, f"{home}tags/{tag}/", title, theme, site.with_tag(papers, tag), views)
    return pages


def status_pages(site: Site, views: Views) -> list[Page]:
    return [
        listed
        for status, label in site.config.status_labels.items()
        if (chosen := site.with_status(site.papers, status))
        for listed in listing(site, f"status/{status}/", label, None, chosen, views, "status")
    ]


def tag_pages(site: Site, views: Views) -> list[Page]:
    return [
        listed
        for tag, papers in site.by_tag.items()
        for listed in listing(site, f"tags/{tag}/", f"Tagged {site.tag_labels[tag]}", None, papers, views)
    ]


def paper_page(site: Site, paper: Paper, views: Views, related: tuple[Related, ...]) -> Page:
    previous, following = site.neighbours(paper)
    return page(
        f"papers/{paper.slug}/index.html",
        "paper.html",
        paper=views[paper.slug],
        theme=site.theme(paper.theme),
        previous=previous and views[previous.slug],
        next=following and views[following.slug],
        # What the list shows of each related paper: not its score, whose small shifts change nothing.
        related=tuple((views[r.slug], r.terms) for r in related),
        lookups=views[paper.slug].lookups,
        edit_url=edit_url(site.config, paper),
        bibtex=bibtex_entry(paper_citation(paper, site.config.site_url, site.config.base_path)),
        listed=listing_days(paper),
    )
