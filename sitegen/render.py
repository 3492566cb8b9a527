"""The render stage: pages -> bytes, through Jinja2 templates with a declared context.

Every page is a ``Page`` (output path, template, context; which pages a site has is ``sitegen.pages``).
Pages link to each other with relative URLs (``root`` is the way back to the site root), so one build
works at a domain root, under a sub-path and from disk; only 404.html, served at any depth, uses the
configured base path.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import re
import uuid
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote, quote_plus

import jinja2
from markupsafe import Markup

from sitegen.config import Config
from sitegen.frontmatter import Paper
from sitegen.markup import render_markdown, render_title
from sitegen.model import tag_slug
from sitegen.plaintext import excerpt, plain_text
from sitegen.texmath import plain_title


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

    @cached_property
    def lookups(self) -> tuple[tuple[str, str], ...]:
        return lookup_links(self.paper)


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


Value = Hashable  # what a page's context holds: plain values and frozen model objects


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template renders it, and everything that template may read.

    The context is the page's declared input: its values are plain, hashable values and frozen model objects,
    so the context itself is the page's cache key. The same context (with the same template, config and asset
    versions) renders the same bytes; a template that reaches for anything else fails the build."""

    path: str  # relative to the output folder, e.g. "papers/x/index.html"
    template: str
    context: tuple[tuple[str, Value], ...] = ()  # (name, value), sorted by name

    @property
    def root(self) -> str:
        """Relative way back to the site root from this page's folder."""
        return "../" * self.path.count("/")


def page(path: str, template: str, **context: Value) -> Page:
    return Page(path, template, tuple(sorted(context.items())))


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The one Jinja environment: autoescaping everywhere (HTML and XML), undefined names are errors.
    Compiled templates are never kept on disk: Jinja's bytecode cache loads whatever marshal data it
    finds, and a cache folder can come in a pull request (compiling them takes some tens of ms)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["plural"] = plural
    env.filters["long_date"] = long_date
    env.globals["tag_slug"] = tag_slug
    return env


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 paper', '2 papers', '0 papers' (``nouns`` when adding an s is wrong)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def long_date(day: str) -> str:
    """YYYY-MM-DD as readers write it in English: '22 May 2026'."""
    date = datetime.date.fromisoformat(day)
    return f"{date.day} {date.strftime('%B')} {date.year}"


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


def lookup_links(paper: Paper) -> tuple[tuple[str, str], ...]:
    """Where to read the paper (plain links: the site itself requests nothing). With an arXiv id, its
    abstract, PDF and Hugging Face pages; without one, searches for its title on the usual services."""
    code = [("Code", paper.code)] if paper.code else []
    if paper.arxiv:
        arxiv = quote(paper.arxiv, safe="/.")
        hf = [("Hugging Face", f"https://huggingface.co/papers/{arxiv}")] if "/" not in arxiv else []
        return (
            ("arXiv abstract", f"https://arxiv.org/abs/{arxiv}"),
            ("PDF", f"https://arxiv.org/pdf/{arxiv}"),
            *hf,  # Hugging Face pages exist for new-style ids only
            *code,
        )
    q = quote_plus(plain_title(paper.title))
    return (
        ("arXiv", f"https://arxiv.org/search/?query={q}&searchtype=title"),
        ("Hugging Face", f"https://huggingface.co/papers?q={q}"),
        ("Semantic Scholar", f"https://www.semanticscholar.org/search?q={q}"),
        ("Google Scholar", f"https://scholar.google.com/scholar?q={q}"),
        *code,
    )


@dataclass(frozen=True)
class Renderer:
    """Renders pages: each template gets its page's context and values that follow from the config alone."""

    env: jinja2.Environment
    config: Config
    assets: Mapping[str, str]

    def render(self, page: Page) -> bytes:
        config = self.config
        root = config.base_path if page.path == "404.html" else page.root
        url_path = page.path.removesuffix("index.html")
        context = {
            "config": config,
            "root": root,
            "page_path": url_path,
            "canonical": config.site_url + url_path if config.site_url else "",
            "asset": lambda name: root + self.assets[name],
            "status_labels": config.status_labels,
            "absolute": self.absolute,
            "feed_id": self.feed_id,
            "atom_date": atom_date,
            **dict(page.context),
        }
        text = self.env.get_template(page.template).render(context)
        # Jinja leaves each render's macros and contexts in reference cycles (some 40 objects, ~9 KB a
        # page), and a build pauses the cycle collector: collecting what this render made (the youngest
        # generation only) keeps a large build's memory flat per page, at a few microseconds a page.
        gc.collect(0)
        if config.offline and page.path.endswith(".html"):
            text = offline_links(text)
        return text.encode("utf-8")

    def absolute(self, path: str) -> str:
        """A full URL when base_url names a host (feeds and sitemaps need one), else a root-relative path."""
        return (self.config.site_url or self.config.base_path) + path

    def feed_id(self, path: str) -> str:
        """Atom ids must be absolute IRIs: the URL when known, else a stable UUID URN."""
        if self.config.site_url:
            return self.absolute(path)
        return uuid.uuid5(uuid.NAMESPACE_URL, f"sitegen:{self.config.title}:{path}").urn


# A relative link to a folder: no scheme, not from the host's root, a path that ends in "/" or is empty
# (the page's own folder; "#x" and "?q" alone stay links within the page).
_FOLDER_LINK = re.compile(
    r'(?P<attr> (?:href|action)=")(?P<path>(?![a-z][a-z0-9+.-]*:|/)[^"?#]*/(?=[?#"])|(?="))'
)


def offline_links(html: str) -> str:
    """Every relative link to a folder made a link to its index.html (``--offline``)."""
    return _FOLDER_LINK.sub(lambda m: f"{m['attr']}{m['path']}index.html", html)


def atom_date(day: str | None) -> str:
    return f"{day or '1970-01-01'}T00:00:00Z"
