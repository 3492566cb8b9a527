"""Crawl a built site on disk the way a browser would resolve its links; used by the build tests."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

# Attributes whose URL the browser fetches by itself (a request to another host would break the rules).
FETCHED = {("img", "src"), ("script", "src"), ("link", "href"), ("source", "src"), ("iframe", "src")}
_FETCHED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute or "link rel", url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                rel = dict(attrs).get("rel") or ""
                fetched = (tag, name) in FETCHED and (tag != "link" or rel in _FETCHED_RELS)
                self.links.append((tag, name if fetched or tag != "link" else "rel=" + rel, value))


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def page_url(site: Path, file: Path, base_path: str) -> str:
    relative = file.relative_to(site).as_posix()
    return base_path + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def target_file(site: Path, path: str, base_path: str) -> Path | None:
    if not path.startswith(base_path):
        return None
    relative = unquote(path[len(base_path) :])
    candidate = site / relative
    return candidate / "index.html" if relative == "" or relative.endswith("/") else candidate


def broken_links(site: Path, base_path: str = "/") -> list[str]:
    """Every internal link or asset that does not resolve to a file (or an id on the page), and every
    resource the browser would fetch from another host."""
    problems = []
    parsed = {f: parse(f.read_text(encoding="utf-8")) for f in sorted(site.rglob("*.html"))}
    for file, page in parsed.items():
        url = page_url(site, file, base_path)
        for tag, attribute, link in page.links:
            absolute = urljoin("http://site.test" + url, link)
            parts = urlsplit(absolute)
            where = f"{file.relative_to(site)}: {tag} {attribute}={link!r}"
            if parts.netloc != "site.test":
                if (tag, attribute) in FETCHED:
                    problems.append(f"{where} is fetched from another host")
                continue
            target = target_file(site, parts.path, base_path)
            if target is None or not target.is_file():
                problems.append(f"{where} is broken")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target.read_text()).ids
                if parts.fragment not in ids:
                    problems.append(f"{where} points at a missing id")
    return problems
