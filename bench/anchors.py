"""The anchors sitegen is compared with, fed the same papers: each converter writes an anchor's own input
from a sitegen project (one page per paper and an index per theme, the paper's tags and date carried over),
and ``anchor_commands`` says how to build it. Anchors are benchmark tools, never runtime dependencies:
MkDocs and Pelican come from PyPI into .venv-bench (bench/requirements.txt, made by `make bench`), Pagefind
from npm (a devDependency), Hugo from Debian (`apt-get install hugo`) where it is installed.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BENCH_VENV = REPO / ".venv-bench" / "bin"
PAGEFIND = REPO / "node_modules" / ".bin" / "pagefind"
FALLBACK_DATE = "2026-01-01"


@dataclass(frozen=True)
class SourcePaper:
    theme: str
    slug: str
    title: str
    added: str
    tags: tuple[str, ...]
    abstract: str


@dataclass(frozen=True)
class Anchor:
    """One tool to compare with: the commands (run in ``folder``, in order) that build its site."""

    name: str
    folder: Path
    commands: tuple[tuple[str, ...], ...]
    output: Path
    scales: bool = True  # measured past a few thousand papers (MkDocs and Pelican take minutes there)


def read_papers(project: Path) -> Iterator[SourcePaper]:
    """The visible papers of a sitegen project, read with PyYAML alone (no sitegen code in the anchors)."""
    for path in sorted((project / "content" / "papers").glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        _, head, body = text.split("---\n", 2)
        data = yaml.safe_load(head) or {}
        if data.get("status") == "excluded":
            continue
        yield SourcePaper(
            theme=path.parent.name,
            slug=path.stem,
            title=str(data.get("title", path.stem)),
            added=str(data.get("added") or FALLBACK_DATE),
            tags=tuple(str(t) for t in data.get("tags") or ()),
            abstract=body.strip(),
        )


def theme_titles(project: Path) -> dict[str, str]:
    themes = yaml.safe_load((project / "content" / "themes.yaml").read_text(encoding="utf-8"))["themes"]
    return {t["slug"]: t["title"] for t in themes}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_mkdocs(project: Path, target: Path, prebuilt: bool) -> None:
    """MkDocs 1.6, default theme and its search plugin; ``prebuilt`` builds the index with lunr.py."""
    titles, docs = theme_titles(project), target / "docs"
    plugins = [{"search": {"prebuild_index": "python"}}] if prebuilt else ["search"]
    by_theme: dict[str, list[SourcePaper]] = {}
    for paper in read_papers(project):
        by_theme.setdefault(paper.theme, []).append(paper)
        tags = f"Tags: {', '.join(paper.tags)}\n\n" if paper.tags else ""
        _write(
            docs / paper.theme / f"{paper.slug}.md",
            f"# {paper.title}\n\nAdded {paper.added}\n\n{tags}{paper.abstract}\n",
        )
    for theme, papers in by_theme.items():
        links = "".join(f"- [{p.title}]({p.slug}.md)\n" for p in papers)
        _write(docs / theme / "index.md", f"# {titles.get(theme, theme)}\n\n{links}")
    home = "".join(f"- [{titles.get(t, t)}]({t}/index.md)\n" for t in by_theme)
    _write(docs / "index.md", f"# Reading list\n\n{home}")
    # The navigation lists the themes, like sitegen's header: MkDocs' default, every page in every page's
    # navigation, makes its build quadratic in the papers (4 s and 63 MB at 447 of them).
    nav = [{"Home": "index.md"}, *({titles.get(t, t): f"{t}/index.md"} for t in by_theme)]
    config = {"site_name": "Reading list", "use_directory_urls": True, "plugins": plugins, "nav": nav}
    _write(target / "mkdocs.yml", yaml.safe_dump(config, sort_keys=False))


def write_pelican(project: Path, target: Path) -> None:
    """Pelican 4 with its default theme: articles by category (theme) and tag, archives, Atom feeds."""
    titles = theme_titles(project)
    for paper in read_papers(project):
        meta = [f"Title: {paper.title}", f"Date: {paper.added}", f"Category: {titles.get(paper.theme)}"]
        meta += [f"Tags: {', '.join(paper.tags)}"] if paper.tags else []
        meta += [f"Slug: {paper.slug}"]
        text = "\n".join(meta) + f"\n\n{paper.abstract}\n"
        _write(target / "content" / paper.theme / f"{paper.slug}.md", text)
    _write(
        target / "pelicanconf.py",
        "SITENAME = 'Reading list'\nSITEURL = ''\nRELATIVE_URLS = True\nTIMEZONE = 'UTC'\n"
        "DEFAULT_LANG = 'en'\nDEFAULT_PAGINATION = False\nFEED_ALL_ATOM = 'feeds/all.atom.xml'\n"
        "CATEGORY_FEED_ATOM = 'feeds/{slug}.atom.xml'\nLOAD_CONTENT_CACHE = False\n",
    )


HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
        '<body><main data-pagefind-body>{{ block "main" . }}{{ end }}</main></body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><p>Added {{ .Date.Format "2006-01-02" }}</p>'
        "{{ with .Params.tags }}<p>{{ range . }}"
        '<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> '
        "{{ end }}</p>{{ end }}{{ .Content }}{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n'
    ),
}


def write_hugo(project: Path, target: Path) -> None:
    """Hugo with minimal layouts like sitegen's pages: home, a list per theme and tag, a page per paper,
    plus its default RSS feeds and sitemap."""
    titles = theme_titles(project)
    seen: set[str] = set()
    for paper in read_papers(project):
        if paper.theme not in seen:
            seen.add(paper.theme)
            title = yaml.safe_dump({"title": titles.get(paper.theme, paper.theme)})
            _write(target / "content" / paper.theme / "_index.md", f"---\n{title}---\n")
        head = yaml.safe_dump({"title": paper.title, "date": paper.added, "tags": list(paper.tags)})
        _write(target / "content" / paper.theme / f"{paper.slug}.md", f"---\n{head}---\n\n{paper.abstract}\n")
    _write(target / "hugo.yaml", "baseURL: /\ntitle: Reading list\ndisableKinds: []\nrelativeURLs: true\n")
    for name, text in HUGO_LAYOUTS.items():
        _write(target / "layouts" / name, text)
    shutil.copy(target / "layouts" / "_default" / "list.html", target / "layouts" / "index.html")


def anchors(project: Path, work: Path) -> tuple[list[Anchor], list[str]]:
    """Every anchor that is installed, written under ``work`` from ``project``; and a note per one that is
    missing (a benchmark, not a test: a missing anchor is skipped, said aloud)."""
    found: list[Anchor] = []
    notes: list[str] = []
    mkdocs, pelican = BENCH_VENV / "mkdocs", BENCH_VENV / "pelican"
    if mkdocs.exists():
        for prebuilt, name in ((False, "MkDocs (default search)"), (True, "MkDocs (lunr.py prebuilt index)")):
            folder = work / ("mkdocs-prebuilt" if prebuilt else "mkdocs")
            write_mkdocs(project, folder, prebuilt)
            command = (str(mkdocs), "build", "-q", "-d", "out")
            found.append(Anchor(name, folder, (command,), folder / "out", scales=False))
    else:
        notes.append("MkDocs skipped: .venv-bench is missing (`make bench` makes it)")
    if pelican.exists():
        folder = work / "pelican"
        write_pelican(project, folder)
        command = (str(pelican), "content", "-q", "-o", "out", "-s", "pelicanconf.py")
        found.append(Anchor("Pelican (no search)", folder, (command,), folder / "out", scales=False))
    else:
        notes.append("Pelican skipped: .venv-bench is missing (`make bench` makes it)")
    hugo = shutil.which("hugo")
    if hugo:
        build = (hugo, "--quiet", "--destination", "out", "--cleanDestinationDir")
        write_hugo(project, work / "hugo")
        found.append(Anchor("Hugo (no search)", work / "hugo", (build,), work / "hugo" / "out"))
        if PAGEFIND.exists():
            index = (str(PAGEFIND), "--site", "out", "--silent")
            write_hugo(project, work / "hugo-pagefind")
            folder = work / "hugo-pagefind"
            found.append(Anchor("Hugo + Pagefind", folder, (build, index), folder / "out"))
    else:
        notes.append("Hugo skipped: not installed (on Debian: `apt-get install hugo`)")
    floor = work / "floor"
    floor.mkdir(parents=True, exist_ok=True)
    command = (sys.executable, str(REPO / "bench" / "floor.py"), str(project), "out")
    found.append(Anchor("Python floor (PyYAML + Markdown + Jinja2)", floor, (command,), floor / "out"))
    return found, notes
