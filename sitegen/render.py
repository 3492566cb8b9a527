"""The render stage: the site model -> page texts, through Jinja2 templates with a declared context.

Every page is a ``Page`` (output path, template, context). Pages link to each other with relative URLs
(``root`` is the way back to the site root), so one build works at a domain root, under a sub-path and
from disk; only 404.html, served at any depth, uses the configured base path.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import jinja2
from markupsafe import Markup

from sitegen.content import Paper
from sitegen.markup import excerpt, plain_text, plain_title, render_markdown, render_title
from sitegen.model import Site, tag_slug
from sitegen.related import Related
from sitegen.themes import Theme

FEED_SIZE = 50
NEWEST_SIZE = 12


@dataclass(frozen=True)
class PaperView:
    """A paper with its text rendered once per build, shared by every page that shows it."""

    paper: Paper
    title_html: Markup
    title_text: str
    abstract_html: Markup
    abstract_text: str
    notes_html: Markup

    @property
    def slug(self) -> str:
        return self.paper.slug

    @property
    def url(self) -> str:
        return f"papers/{self.paper.slug}/"

    @cached_property
    def excerpt(self) -> str:
        return excerpt(self.abstract_text)


def view_paper(paper: Paper) -> PaperView:
    abstract_html = render_markdown(paper.abstract)
    return PaperView(
        paper=paper,
        title_html=render_title(paper.title),
        title_text=plain_title(paper.title),
        abstract_html=Markup(abstract_html),
        abstract_text=plain_text(abstract_html),
        notes_html=Markup(render_markdown(paper.notes)) if paper.notes.strip() else Markup(""),
    )


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template renders it, and what the template is given."""

    path: str  # relative to the output folder, e.g. "papers/x/index.html"
    template: str
    # What the template gets; a function when it costs something to make, since most rebuilds render few
    # pages and only need the key.
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    # Everything from the content that the page shows, as hashable values: the same key (with the same
    # templates, config and assets) renders the same bytes, which is what lets rebuilds skip pages.
    key: Hashable = ()

    @property
    def root(self) -> str:
        """Relative way back to the site root from this page's folder."""
        return "../" * self.path.count("/")


def make_environment(templates_dir: Path, cache_dir: Path | None = None) -> jinja2.Environment:
    """The one Jinja environment: autoescaping everywhere (HTML and XML), undefined names are errors.
    Compiled templates are kept in ``cache_dir`` (keyed by their source, so never stale): compiling them
    is a good part of a small site's build."""
    cache = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(cache_dir))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        bytecode_cache=cache,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["theme_count"] = lambda slug, site: len(site.by_theme[slug])
    env.globals["tag_slug"] = tag_slug
    return env


def asset_versions(files: Mapping[str, bytes]) -> dict[str, str]:
    """Each static file's URL (relative to the root) with a content hash: browsers never keep a stale one."""
    return {
        name: f"static/{quote(name)}?v={hashlib.sha256(data).hexdigest()[:10]}"
        for name, data in files.items()
    }


def static_files(static_dir: Path) -> list[Path]:
    if not static_dir.is_dir():
        return []
    return sorted(p for p in static_dir.rglob("*") if p.is_file() and not p.name.startswith("."))


def lookup_links(paper: Paper) -> list[tuple[str, str]]:
    """Where to read the paper (plain links: the site itself requests nothing). With an arXiv id, its
    abstract, PDF and Hugging Face pages; without one, searches for its title on the usual services."""
    code = [("Code", paper.code)] if paper.code else []
    if paper.arxiv:
        arxiv = quote(paper.arxiv, safe="/.")
        hf = [("Hugging Face", f"https://huggingface.co/papers/{arxiv}")] if "/" not in arxiv else []
        return [
            ("arXiv abstract", f"https://arxiv.org/abs/{arxiv}"),
            ("PDF", f"https://arxiv.org/pdf/{arxiv}"),
            *hf,  # Hugging Face pages exist for new-style ids only
            *code,
        ]
    q = quote_plus(plain_title(paper.title))
    return [
        ("arXiv", f"https://arxiv.org/search/?query={q}&searchtype=title"),
        ("Hugging Face", f"https://huggingface.co/papers?q={q}"),
        ("Semantic Scholar", f"https://www.semanticscholar.org/search?q={q}"),
        ("Google Scholar", f"https://scholar.google.com/scholar?q={q}"),
        *code,
    ]


def edit_url(site: Site, paper: Paper) -> str:
    repo = site.config.repository.rstrip("/")
    if not repo:
        return ""
    try:
        relative = paper.path.resolve().relative_to(site.config.root.resolve()).as_posix()
    except ValueError:
        relative = f"content/papers/{paper.theme}/{paper.slug}.md"
    return f"{repo}/edit/{site.config.branch}/{relative}"


def site_pages(
    site: Site, views: Mapping[str, PaperView], related: Mapping[str, tuple[Related, ...]]
) -> list[Page]:
    """Every page of the site, in a fixed order."""
    newest = site.newest
    counts = tuple((t, len(site.by_theme[t.slug])) for t in site.themes)
    pages = [
        Page(
            "index.html",
            "index.html",
            {"newest": [views[p.slug] for p in newest[:NEWEST_SIZE]]},
            (counts, newest[:NEWEST_SIZE], site.source_counts),
        ),
        Page("search/index.html", "search.html"),
        Page("404.html", "404.html"),
        feed_page("feed.xml", site.config.title, "", newest[:FEED_SIZE], views),
        Page("sitemap.xml", "sitemap.xml", {}, (site.themes, tuple((p.slug, p.added) for p in site.papers))),
        Page("robots.txt", "robots.txt"),
        Page(
            "tags/index.html",
            "tags.html",
            {},
            tuple((t, site.tag_labels[t], len(papers)) for t, papers in site.by_tag.items()),
        ),
    ]
    newest_by_theme: dict[str, list[Paper]] = {t.slug: [] for t in site.themes}
    for paper in newest:
        newest_by_theme[paper.theme].append(paper)
    for theme in site.themes:
        papers = site.by_theme[theme.slug]
        pages.append(theme_page(site, theme, views))
        pages.append(
            feed_page(
                f"themes/{theme.slug}/feed.xml",
                theme.title,
                f"themes/{theme.slug}/",
                tuple(newest_by_theme[theme.slug][:FEED_SIZE]),
                views,
            )
        )
        for status, label in site.config.status_labels.items():
            if chosen := site.with_status(papers, status):
                pages.append(
                    listing(
                        f"themes/{theme.slug}/status/{status}/",
                        f"{theme.title}: {label}",
                        theme,
                        chosen,
                        views,
                    )
                )
        for tag in sorted({tag_slug(t) for p in papers for t in p.tags}):
            chosen = site.with_tag(papers, tag)
            pages.append(
                listing(
                    f"themes/{theme.slug}/tags/{tag}/",
                    f"{theme.title}: {site.tag_labels[tag]}",
                    theme,
                    chosen,
                    views,
                )
            )
    for status, label in site.config.status_labels.items():
        if chosen := site.with_status(site.papers, status):
            pages.append(listing(f"status/{status}/", label, None, chosen, views))
    for tag, papers in site.by_tag.items():
        pages.append(listing(f"tags/{tag}/", f"Tagged {site.tag_labels[tag]}", None, papers, views))
    for paper in site.papers:
        pages.append(paper_page(site, paper, views, related.get(paper.slug, ())))
    return pages


def feed_page(
    path: str, title: str, home: str, papers: tuple[Paper, ...], views: Mapping[str, PaperView]
) -> Page:
    """An Atom feed of ``papers`` (newest first); ``home`` is the page the feed belongs to."""
    context = {
        "feed_title": title,
        "feed_home": home,
        "feed_path": path,
        "entries": [views[p.slug] for p in papers],
    }
    return Page(path, "feed.xml", context, (title, home, papers))


def listing(
    folder: str, title: str, theme: Theme | None, papers: tuple[Paper, ...], views: Mapping[str, PaperView]
) -> Page:
    """A pre-rendered filtered list (a tag, a status, or either within a theme): filtering without JS."""
    context = {"title": title, "theme": theme, "papers": [views[p.slug] for p in papers]}
    return Page(folder + "index.html", "listing.html", context, (title, theme, papers))


def theme_page(site: Site, theme: Theme, views: Mapping[str, PaperView]) -> Page:
    papers = site.by_theme[theme.slug]
    statuses = tuple(
        (s, label, len(site.with_status(papers, s))) for s, label in site.config.status_labels.items()
    )
    tags = tuple(
        (tag, site.tag_labels[tag], len(site.with_tag(papers, tag)))
        for tag in sorted({tag_slug(t) for p in papers for t in p.tags})
    )
    filters = {"statuses": [s for s in statuses if s[2]], "tags": tags}
    return Page(
        f"themes/{theme.slug}/index.html",
        "theme.html",
        {"theme": theme, "papers": [views[p.slug] for p in papers], **filters},
        (theme, papers, statuses, tags),
    )


def paper_page(
    site: Site, paper: Paper, views: Mapping[str, PaperView], related: tuple[Related, ...]
) -> Page:
    previous, following = site.neighbours(paper)
    theme = site.theme(paper.theme)

    def context() -> dict[str, Any]:
        return {
            "paper": views[paper.slug],
            "theme": theme,
            "previous": previous and views[previous.slug],
            "next": following and views[following.slug],
            "related": [(views[r.slug], r) for r in related],
            "lookups": lookup_links(paper),
            "edit_url": edit_url(site, paper),
        }

    # What the list shows of each related paper (not its score: a small shift in it changes nothing).
    shown = tuple((r.slug, r.terms, site.by_slug[r.slug].title) for r in related)
    return Page(
        f"papers/{paper.slug}/index.html", "paper.html", context, (paper, theme, previous, following, shown)
    )


@dataclass(frozen=True)
class Renderer:
    """Renders pages with the context every template is declared to get."""

    env: jinja2.Environment
    site: Site
    views: Mapping[str, PaperView]
    assets: Mapping[str, str]

    def render(self, page: Page) -> bytes:
        config = self.site.config
        root = config.base_path if page.path == "404.html" else page.root
        url_path = page.path.removesuffix("index.html")
        context = {
            "config": config,
            "site": self.site,
            "views": self.views,
            "themes": self.site.themes,
            "root": root,
            "page_path": url_path,
            "canonical": config.site_url + url_path if config.site_url else "",
            "asset": lambda name: root + self.assets[name],
            "status_labels": config.status_labels,
            "absolute": self.absolute,
            "feed_id": self.feed_id,
            "atom_date": atom_date,
            **(page.context() if callable(page.context) else page.context),
        }
        return self.env.get_template(page.template).render(context).encode("utf-8")

    def absolute(self, path: str) -> str:
        """A full URL when base_url names a host (feeds and sitemaps need one), else a root-relative path."""
        config = self.site.config
        return (config.site_url or config.base_path) + path

    def feed_id(self, path: str) -> str:
        """Atom ids must be absolute IRIs: the URL when known, else a stable UUID URN."""
        if self.site.config.site_url:
            return self.absolute(path)
        return uuid.uuid5(uuid.NAMESPACE_URL, f"sitegen:{self.site.config.title}:{path}").urn


def atom_date(day: str | None) -> str:
    return f"{day or '1970-01-01'}T00:00:00Z"
