"""Links in curator notes checked against the pages the site has: a link that leads nowhere, to an excluded
paper, or root-relative (broken under a sub-path) is reported on its line and column of the paper file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitegen.config import EXCLUDED, Config
from sitegen.content import read_text
from sitegen.errors import Problem
from sitegen.fields import did_you_mean_hint
from sitegen.frontmatter import ContentProblem, Paper, field_line, split_front_matter
from sitegen.inputs import shown, url_problem
from sitegen.markup import unsanitised_html
from sitegen.model import tag_slug
from sitegen.themes import UNSORTED, Theme

# Pages every build writes, as paths relative to the site root (see sitegen.pages.site_pages).
SITE_FILES = frozenset(
    {
        "",
        "index.html",
        "search/",
        "search/index.html",
        "feed.xml",
        "papers.json",
        "sitemap.xml",
        "robots.txt",
        "tags/",
    }
)
_HOST = "site.invalid"  # a host no real link has, so "is this link internal?" is "has it this host?"


@dataclass(frozen=True)
class _Pages:
    """What a note may link to: paper pages (and excluded papers, which have none), themes, listings."""

    static_dir: Path
    visible: frozenset[str]
    excluded: frozenset[str]
    themes: frozenset[str]
    listings: frozenset[str]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in {("a", "href"), ("img", "src")} and value:
                self.urls.append(value)


def broken_note_links(config: Config, papers: Sequence[Paper], themes: Sequence[Theme]) -> list[Problem]:
    """Links in notes that resolve to no page. Notes show on ``papers/<slug>/``, so ``../x/`` is paper x."""
    shown_themes = {t.slug for t in themes} | (
        {UNSORTED} if any(p.theme == UNSORTED for p in papers) else set()
    )
    # Listing pages exist for every tag and status that a visible paper has (see sitegen.pages.site_pages).
    listings = {f"tags/{tag_slug(t)}/" for p in papers if p.status != EXCLUDED for t in p.tags}
    listings |= {f"status/{p.status}/" for p in papers if p.status and p.status != EXCLUDED}
    pages = _Pages(
        config.static_dir,
        frozenset(p.slug for p in papers if p.status != EXCLUDED),
        frozenset(p.slug for p in papers if p.status == EXCLUDED),
        frozenset(shown_themes),
        frozenset(listings),
    )
    problems = []
    for paper in papers:
        if not paper.notes.strip() or paper.status == EXCLUDED:  # an excluded paper's notes are not shown
            continue
        parser = _Links()
        # The rendered HTML, not a regex over Markdown: reference links, autolinks and raw <a> all count;
        # before sanitising, so that a link the page would drop is reported.
        parser.feed(unsanitised_html(paper.notes))
        for url in parser.urls:
            problem = _link_problem(url, paper.slug, pages)
            if problem:
                message, severity = problem
                line, column = _text_position(paper.path, url)
                problems.append(Problem(paper.path, message, line, column, severity))
    return problems


def _link_problem(url: str, slug: str, pages: _Pages) -> tuple[str, str] | None:
    """The message and severity for a link in the notes of paper ``slug``, or None when it is fine."""
    if urlsplit(url).scheme not in ("", "mailto") and (reason := url_problem(url)):
        return f"note link {shown(url)} {reason}; the page leaves it out", "error"
    parts = urlsplit(urljoin(f"http://{_HOST}/papers/{slug}/", url))
    if parts.netloc != _HOST or parts.scheme != "http":
        return None  # another host, mailto:, ...: not ours to check
    target = unquote(parts.path).lstrip("/")
    if re.fullmatch(r"papers/[^/]+", target) or re.fullmatch(r"themes/[^/]+", target):
        target += "/"  # GitHub Pages redirects; a file:// preview does not, so still say so
        slash = " (add a trailing slash so it also works when opened from disk)"
    else:
        slash = ""
    target = target.removesuffix("index.html")
    if not _is_page(target, pages):
        return f"broken link in notes: {shown(url)}: {_missing(target, pages)}", "error"
    if url.startswith("/") and not url.startswith("//"):
        return (
            f"note link '{url}' is root-relative and breaks when the site is served under a sub-path "
            f"(GitHub Pages); write it relative to the paper page: '../../{target}'",
            "error",
        )
    if slash:
        return f"note link '{url}' points at a folder{slash}", "warning"
    return None


def _is_page(target: str, pages: _Pages) -> bool:
    kind, _, rest = target.partition("/")
    name = rest.removesuffix("/")
    return (
        target in SITE_FILES
        or target in pages.listings
        or (kind == "themes" and rest.endswith("/feed.xml") and rest.split("/")[0] in pages.themes)
        or (kind == "papers" and rest == f"{name}/" and name in pages.visible)
        or (kind == "themes" and rest == f"{name}/" and name in pages.themes)
        or (kind == "static" and (pages.static_dir / rest).is_file())
    )


def _missing(target: str, pages: _Pages) -> str:
    """Why ``target`` is no page, with the name probably meant."""
    kind, _, rest = target.partition("/")
    name = rest.removesuffix("/")
    if kind == "papers" and name in pages.excluded:
        return f"paper '{name}' is excluded, so it has no page"
    if kind == "papers":
        return f"there is no paper '{name}'{did_you_mean_hint(name, pages.visible)}"
    if kind == "themes":
        return f"there is no theme '{name}'{did_you_mean_hint(name, pages.themes)}"
    return f"the site has no page /{target}"


def _text_position(path: Path, needle: str) -> tuple[int | None, int | None]:
    """Line and column of ``needle`` in the file's notes (a note may span lines), else the notes line."""
    try:
        text = read_text(path)
        start = field_line(split_front_matter(path, text).front, "notes") or 2
    except ContentProblem:
        return None, None
    lines = text.split("\n")
    for number in range(start, len(lines) + 1):
        column = lines[number - 1].find(needle)
        if column >= 0:
            return number, column + 1
    return start, None
