"""The content stage: the paper file format (YAML front matter + Markdown abstract), read and written.

A paper file is ``content/papers/<theme>/<slug>.md``. The folder is the theme and the file name is the slug,
so re-filing a paper is a ``git mv`` and its URL ``/papers/<slug>/`` never changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import Problem
from sitegen.fields import did_you_mean, is_real_date, tag_problem
from sitegen.inputs import (
    PAPER_MAX,
    InputProblem,
    YamlProblem,
    bad_character,
    control_message,
    load_yaml,
    read_input,
    shown,
    url_problem,
)

SLUG_MAX = 80
FENCE = "---"

# Greek letters appear in titles as math ($π$); spell them out ("pi") so slugs stay readable.
_GREEK_NAME = re.compile(r"GREEK (?:SMALL|CAPITAL) LETTER (\w+)$")


@dataclass(frozen=True)
class Source:
    """One dump that listed a paper: its file name and the date line it carried, if any."""

    file: str
    date: str | None = None

    def to_yaml(self) -> dict[str, str]:
        return {"file": self.file, "date": self.date} if self.date else {"file": self.file}


@dataclass(frozen=True)
class Paper:
    """A paper as its file says it is: front matter fields plus the Markdown abstract."""

    id: str
    slug: str
    theme: str
    title: str
    abstract: str
    sources: tuple[Source, ...] = ()
    added: str | None = None
    status: str | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    arxiv: str | None = None  # arXiv id, e.g. 2410.05434 or hep-th/9901001
    published: str | None = None  # YYYY-MM-DD, the date the paper's card showed
    code: str | None = None  # http(s) URL of the paper's code repository
    pinned: tuple[str, ...] = ()  # related papers a curator pinned (slugs)
    hidden: tuple[str, ...] = ()  # related papers a curator hid (slugs)
    path: Path = Path()
    body_line: int = 1  # line of the file where the abstract starts, for messages
    field_lines: tuple[tuple[str, int], ...] = ()  # front matter key -> its line in the file, for messages

    def line_of(self, key: str) -> int | None:
        return dict(self.field_lines).get(key)


# Front matter fields and the types a curator may give them. Order is the order files are written in.
FIELDS: dict[str, str] = {
    "id": "string",
    "title": "string",
    "arxiv": "arXiv id (2410.05434 or hep-th/9901001)",
    "published": "date (YYYY-MM-DD)",
    "code": "URL of the code repository (http or https)",
    "sources": "list of {file, date}",
    "added": "date (YYYY-MM-DD)",
    "status": "string",
    "tags": "list of strings",
    "notes": "Markdown string",
    "related": "{pin: [slug, ...], hide: [slug, ...]}",
    "classified": "{theme, confidence, maybe}: written by import when unsure; delete once reviewed",
}
# Fields an import may fill in on a paper that lacks them; a value a curator set is never replaced.
CARD_FIELDS = ("arxiv", "published", "code")
ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")


def strip_version(arxiv: str) -> str:
    """``2410.05434v2`` -> ``2410.05434``: every version is the same paper."""
    return re.sub(r"v\d+$", "", arxiv)


REQUIRED = ("id", "title")


@lru_cache(maxsize=1 << 16)  # sorting and de-duplicating ask for it again on every rebuild
def normalise_title(title: str) -> str:
    """The key papers are de-duplicated by: case, spacing and punctuation do not make a new paper."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"[^\W_]+", folded))


def paper_id(title: str) -> str:
    """A stable id: the same normalised title always gives the same id."""
    return hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:12]


def slugify(title: str, max_length: int = SLUG_MAX) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary; may be empty."""
    text = "".join(_spell_greek(ch) for ch in title)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:  # one enormous word
        slug = words[0][:max_length]
    return slug


def _spell_greek(char: str) -> str:
    match = _GREEK_NAME.match(unicodedata.name(char, "")) if "\u0370" <= char <= "\u03ff" else None
    return f" {match.group(1).lower()} " if match else char


def unique_slug(title: str, pid: str, taken: Iterable[str]) -> str:
    """A slug for a new paper that no other paper has; stable because it depends only on title and id.
    Math is read as text first ("$\\mathcal{O}(n)$" gives "o-n", not "mathcal-o-n"); papers already on
    disk keep the slug their file name gives them."""
    from sitegen.markup import plain_title  # the text layer is heavy; only import needs it

    taken = set(taken)
    title = plain_title(title)
    base = slugify(title)
    if base and base not in taken:
        return base
    suffix = pid[:8]
    base = slugify(title, SLUG_MAX - len(suffix) - 1)
    return f"{base}-{suffix}" if base else f"paper-{suffix}"


def is_valid_slug(slug: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)) and len(slug) <= SLUG_MAX


class _Dumper(yaml.SafeDumper):
    """Writes front matter the way a person would: block style, unicode as is, no line folding."""


_Dumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def dump_yaml(data: Mapping[str, Any]) -> str:
    return yaml.dump(
        dict(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
        default_flow_style=False,
    )


def format_paper(fields: Mapping[str, Any], body: str) -> str:
    """The text of a paper file."""
    return f"{FENCE}\n{dump_yaml(fields)}{FENCE}\n\n{body.strip()}\n"


@dataclass(frozen=True)
class ParsedFile:
    """A paper file split into its parts; ``front`` is the YAML text between the fences."""

    front: str
    data: dict[str, Any]
    body: str
    body_line: int


def split_front_matter(path: Path, text: str) -> ParsedFile:
    """Split and parse front matter of a file's text as ``read_text`` gives it (no BOM, LF line ends);
    raises ContentProblem naming the file and line."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        raise ContentProblem(Problem(path, "must start with a '---' line opening the YAML front matter", 1))
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == FENCE)
    except StopIteration:
        raise ContentProblem(Problem(path, "front matter is not closed by a '---' line", 1)) from None
    front = "\n".join(lines[1:end]) + "\n"
    try:
        data = load_yaml(front, first_line=2)
    except YamlProblem as exc:
        where = (None, None) if exc.line is None else (exc.line + 2, exc.column + 1)
        raise ContentProblem(
            Problem(path, f"front matter is not valid YAML ({exc.reason})", *where)
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentProblem(Problem(path, "front matter must be a mapping of field: value", 2))
    body_lines = lines[end + 1 :]
    skipped = 0
    while skipped < len(body_lines) and not body_lines[skipped].strip():
        skipped += 1
    body = "\n".join(body_lines[skipped:]).strip()
    return ParsedFile(front, data, body, end + 2 + skipped)


# A problem found while reading one file; collected by callers into a SitegenError.
ContentProblem = InputProblem


_TOP_LEVEL_KEY = re.compile(r"([^\s#:'\"-][^:]*?)\s*:(?:\s|$)")


def field_lines(front: str) -> dict[str, int]:
    """Line number (in the file) of each top-level front matter key, for messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate(front.split("\n"), start=2):
        if match := _TOP_LEVEL_KEY.match(line):
            lines.setdefault(match.group(1), number)
    return lines


def field_line(front: str, key: str) -> int | None:
    return field_lines(front).get(key)


def unknown_field(key: str) -> tuple[str, str]:
    """Message and severity for a front matter key the schema does not have. A near miss of a known field
    is an error: the curator meant that field (``stauts: excluded``) and the site would silently ignore it."""
    meant = did_you_mean(key, FIELDS)
    if meant:
        return (
            f"unknown front matter field {shown(key)}: did you mean '{meant}'? (rename it to '{meant}')",
            "error",
        )
    return f"unknown front matter field {shown(key)} (known fields: {', '.join(FIELDS)})", "warning"


def _string_list(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _value_column(front: str, line: int | None, key: str) -> int | None:
    """Column of the value written after ``key:`` on its line of the file, for a located message."""
    text = front.split("\n")[line - 2] if line else ""
    match = re.match(rf"{re.escape(key)}\s*:\s*", text)
    return match.end() + 1 if match and match.end() < len(text) else None


def paper_from_file(path: Path, theme: str, text: str) -> tuple[Paper, list[Problem]]:
    """Validate one paper file. Raises ContentProblem when it cannot be read at all; otherwise returns
    the paper and the problems found (errors make the paper unusable for a build; warnings do not)."""
    parsed = split_front_matter(path, text)
    data, lines = parsed.data, field_lines(parsed.front)
    problems: list[Problem] = []

    def bad(key: str, message: str, severity: str = "error", column: int | None = None) -> None:
        problems.append(Problem(path, message, lines.get(key) or 2, column, severity=severity))

    def value_column(key: str) -> int | None:
        return _value_column(parsed.front, lines.get(key), key)

    for key in data:
        if key not in FIELDS:
            bad(str(key), *unknown_field(str(key)), column=1)
    for key in REQUIRED:
        if key not in data or data[key] in (None, ""):
            problems.append(Problem(path, f"front matter field '{key}' is required", 2))
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        bad("title", "'title' must be a string")
    pid = data.get("id")
    if isinstance(pid, int):
        pid = str(pid)
    if pid is not None and not isinstance(pid, str):
        bad("id", "'id' must be a string")

    sources: list[Source] = []
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        bad("sources", "'sources' must be a list of {file, date}")
        raw_sources = []
    for item in raw_sources:
        if isinstance(item, dict) and isinstance(item.get("file"), str):
            date = item.get("date")
            sources.append(Source(item["file"], None if date is None else str(date)))
        else:
            bad("sources", "each entry of 'sources' must be a mapping with a 'file' string")

    added = data.get("added")
    if added is not None:
        added = str(added)
        if not is_real_date(added):
            message = (
                f"'added' must be a real date written YYYY-MM-DD (e.g. '2026-11-01'), not {shown(added)}"
            )
            bad("added", message, column=value_column("added"))
    status = data.get("status")
    if status is not None and not isinstance(status, str):
        bad("status", "'status' must be a string")
        status = None
    tags = _string_list(data.get("tags"))
    if tags is None:
        bad("tags", "'tags' must be a list of strings")
        tags = ()
    for tag in tags:
        if reason := tag_problem(tag):
            bad("tags", f"tag {tag!r} {reason}", column=value_column("tags"))
    notes = data.get("notes") or ""
    if not isinstance(notes, str):
        bad("notes", "'notes' must be a (Markdown) string")
        notes = ""
    related = data.get("related") or {}
    pinned: tuple[str, ...] | None = ()
    hidden: tuple[str, ...] | None = ()
    if isinstance(related, dict):
        pinned, hidden = _string_list(related.get("pin")), _string_list(related.get("hide"))
        extra = set(related) - {"pin", "hide"}
        if extra or pinned is None or hidden is None:
            bad("related", "'related' takes 'pin' and 'hide', each a list of paper slugs")
    else:
        bad("related", "'related' takes 'pin' and 'hide', each a list of paper slugs")
    card = _card_fields(data, bad)
    if not parsed.body:
        problems.append(
            Problem(path, "the abstract (the Markdown after the front matter) is empty", parsed.body_line)
        )

    paper = Paper(
        id=pid if isinstance(pid, str) else "",
        slug=path.stem,
        theme=theme,
        title=title.strip() if isinstance(title, str) else "",
        abstract=parsed.body,
        sources=tuple(sources),
        added=added,
        status=status,
        tags=tags,
        notes=notes,
        pinned=pinned or (),
        hidden=hidden or (),
        **card,
        path=path,
        body_line=parsed.body_line,
        field_lines=tuple((str(k), lines[str(k)]) for k in data if str(k) in lines),
    )
    return paper, problems


def _card_fields(data: Mapping[str, Any], bad: Callable[[str, str], None]) -> dict[str, str | None]:
    """``arxiv``, ``published`` and ``code`` as strings, or None (reported to ``bad``) when not valid."""
    found: dict[str, str | None] = dict.fromkeys(CARD_FIELDS)
    for key in CARD_FIELDS:
        value = data.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not isinstance(value, str):
            bad(key, f"'{key}' must be text in quotes ({FIELDS[key]}): {key}: '...'")
        elif key == "arxiv" and not ARXIV_ID.fullmatch(value):
            bad(key, f"'arxiv' must be an arXiv id such as 2410.05434 or hep-th/9901001, not {shown(value)}")
        elif key == "published" and not is_real_date(value):
            bad(key, f"'published' must be a real date written YYYY-MM-DD, not {shown(value)}")
        elif key == "code" and (reason := url_problem(value)):
            bad(key, f"'code' {reason}, not {shown(value)}")
        else:
            found[key] = value
    return found


def read_text(path: Path, limit: int = PAPER_MAX) -> str:
    """Read a UTF-8 text file (BOM and CRLF tolerated) of at most ``limit`` bytes; a ContentProblem if it
    is not UTF-8 text or holds control characters."""
    raw = read_input(path, limit)
    if b"\x00" in raw:
        raise ContentProblem(Problem(path, "is a binary file, not UTF-8 text"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentProblem(
            Problem(path, "is not UTF-8 text (re-save it as UTF-8; it may be Latin-1 or Windows-1252)", line)
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if where := bad_character(text):
        raise ContentProblem(Problem(path, control_message(text), *where))
    return text


def paper_files(papers_dir: Path) -> list[Path]:
    """Every ``<theme>/<slug>.md`` under the papers folder, in a stable order."""
    return [Path(path) for path in _paper_paths(papers_dir)]


def _paper_paths(papers_dir: Path) -> list[str]:
    """``paper_files`` as strings: the preview server lists a large site's 10,000 on every rebuild, and
    only the files it reads again need a Path."""
    if not papers_dir.is_dir():
        return []
    found = []
    # scandir knows file types from the directory listing: no stat per file; sorting (folder, name)
    # pairs of strings gives Path order many times faster than comparing Paths.
    with os.scandir(papers_dir) as themes:
        for theme in themes:
            if theme.is_dir() and not theme.name.startswith("."):
                with os.scandir(theme.path) as entries:
                    found += [
                        (theme.name, e.name, e.path)
                        for e in entries
                        if e.name.endswith(".md") and e.is_file()
                    ]
    return [path for _, _, path in sorted(found)]


def hidden_papers(papers_dir: Path) -> list[Problem]:
    """Paper files in a dot-folder, which the site leaves out (editors and tools keep such folders): said."""
    folders = sorted(p for p in papers_dir.glob(".*") if p.is_dir())
    return [
        Problem(
            path, "is in a folder whose name starts with '.', so the site leaves it out", severity="warning"
        )
        for folder in folders
        for path in sorted(folder.glob("*.md"))
    ]


# What reading one file gave: the paper (None when unusable) and its problems.
FileResult = tuple[Paper | None, tuple[Problem, ...]]
FileCache = dict[str, tuple[tuple[int, int, int], FileResult]]  # path -> (mtime, size, inode), result
# A file unchanged for this long is trusted by its (mtime, size, inode): file times tick coarsely, so
# two quick saves of the same size could otherwise look alike.
SETTLED_SECONDS = 2.0


def read_paper(path: Path) -> FileResult:
    try:
        paper, found = paper_from_file(path, path.parent.name, read_text(path))
    except ContentProblem as exc:
        return None, (exc.problem,)
    usable = not any(p.severity == "error" for p in found)
    return (paper if usable else None), tuple(found)


def load_papers(papers_dir: Path, cache: FileCache | None = None) -> tuple[list[Paper], list[Problem]]:
    """Read every paper file; keep going past bad files and return every problem found. With ``cache``
    (kept by a long-lived caller such as the preview server), settled unchanged files are not re-read."""
    papers: list[Paper] = []
    problems: list[Problem] = hidden_papers(papers_dir)
    paths = _paper_paths(papers_dir)
    for path in paths:
        paper, found = read_paper(Path(path)) if cache is None else _read_cached(path, cache)
        problems.extend(found)
        if paper is not None:
            papers.append(paper)
    if cache is not None:
        for gone in cache.keys() - set(paths):
            del cache[gone]
    return papers, problems


def _read_cached(path: str, cache: FileCache) -> FileResult:
    stat = os.stat(path)
    signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = cache.get(path)
    if cached and cached[0] == signature and time.time_ns() - stat.st_mtime_ns > SETTLED_SECONDS * 1e9:
        return cached[1]
    result = read_paper(Path(path))
    cache[path] = (signature, result)
    return result
