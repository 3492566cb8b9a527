"""The paper file format: YAML front matter (the schema of its fields) + Markdown abstract, parsed,
validated and written.

A paper file is ``content/papers/<theme>/<slug>.md``. The folder is the theme and the file name is the slug,
so re-filing a paper is a ``git mv`` and its URL ``/papers/<slug>/`` never changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import Problem
from sitegen.fields import did_you_mean, is_real_date, tag_problem
from sitegen.inputs import InputProblem, YamlProblem, load_yaml, shown, url_problem

FENCE = "---"


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


class _Findings:
    """The problems found in one paper file, each placed on the line (and column) of its field."""

    def __init__(self, path: Path, parsed: ParsedFile) -> None:
        self.path, self.front, self.lines = path, parsed.front, field_lines(parsed.front)
        self.problems: list[Problem] = []

    def bad(self, key: str, message: str, severity: str = "error", column: int | None = None) -> None:
        self.problems.append(Problem(self.path, message, self.lines.get(key) or 2, column, severity=severity))

    def value_column(self, key: str) -> int | None:
        return _value_column(self.front, self.lines.get(key), key)


def paper_from_file(path: Path, theme: str, text: str) -> tuple[Paper, list[Problem]]:
    """Validate one paper file. Raises ContentProblem when it cannot be read at all; otherwise returns
    the paper and the problems found (errors make the paper unusable for a build; warnings do not)."""
    parsed = split_front_matter(path, text)
    data, found = parsed.data, _Findings(path, parsed)
    for key in data:
        if key not in FIELDS:
            found.bad(str(key), *unknown_field(str(key)), column=1)
    for key in REQUIRED:
        if key not in data or data[key] in (None, ""):
            found.problems.append(Problem(path, f"front matter field '{key}' is required", 2))
    pid, title = _identity(data, found)
    sources = _sources(data, found)
    added, status, tags, notes = _curation(data, found)
    pinned, hidden = _related(data, found)
    card = _card_fields(data, found.bad)
    if not parsed.body:
        found.problems.append(
            Problem(path, "the abstract (the Markdown after the front matter) is empty", parsed.body_line)
        )
    paper = Paper(
        id=pid,
        slug=path.stem,
        theme=theme,
        title=title,
        abstract=parsed.body,
        sources=sources,
        added=added,
        status=status,
        tags=tags,
        notes=notes,
        pinned=pinned,
        hidden=hidden,
        **card,
        path=path,
        body_line=parsed.body_line,
        field_lines=tuple((str(k), found.lines[str(k)]) for k in data if str(k) in found.lines),
    )
    return paper, found.problems


def _identity(data: Mapping[str, Any], found: _Findings) -> tuple[str, str]:
    """``id`` and ``title`` as strings ('' when missing or of the wrong type, which is reported)."""
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        found.bad("title", "'title' must be a string")
    pid = data.get("id")
    if isinstance(pid, int):
        pid = str(pid)
    if pid is not None and not isinstance(pid, str):
        found.bad("id", "'id' must be a string")
    return (pid if isinstance(pid, str) else ""), (title.strip() if isinstance(title, str) else "")


def _sources(data: Mapping[str, Any], found: _Findings) -> tuple[Source, ...]:
    sources: list[Source] = []
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        found.bad("sources", "'sources' must be a list of {file, date}")
        raw_sources = []
    for item in raw_sources:
        if isinstance(item, dict) and isinstance(item.get("file"), str):
            date = item.get("date")
            sources.append(Source(item["file"], None if date is None else str(date)))
        else:
            found.bad("sources", "each entry of 'sources' must be a mapping with a 'file' string")
    return tuple(sources)


def _curation(
    data: Mapping[str, Any], found: _Findings
) -> tuple[str | None, str | None, tuple[str, ...], str]:
    """``added``, ``status``, ``tags`` and ``notes``: what curators edit."""
    added = data.get("added")
    if added is not None:
        added = str(added)
        if not is_real_date(added):
            message = (
                f"'added' must be a real date written YYYY-MM-DD (e.g. '2026-11-01'), not {shown(added)}"
            )
            found.bad("added", message, column=found.value_column("added"))
    status = data.get("status")
    if status is not None and not isinstance(status, str):
        found.bad("status", "'status' must be a string")
        status = None
    tags = _string_list(data.get("tags"))
    if tags is None:
        found.bad("tags", "'tags' must be a list of strings")
        tags = ()
    for tag in tags:
        if reason := tag_problem(tag):
            found.bad("tags", f"tag {tag!r} {reason}", column=found.value_column("tags"))
    notes = data.get("notes") or ""
    if not isinstance(notes, str):
        found.bad("notes", "'notes' must be a (Markdown) string")
        notes = ""
    return added, status, tags, notes


def _related(data: Mapping[str, Any], found: _Findings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The slugs a curator pinned and hid under ``related``."""
    related = data.get("related") or {}
    pinned: tuple[str, ...] | None = ()
    hidden: tuple[str, ...] | None = ()
    if isinstance(related, dict):
        pinned, hidden = _string_list(related.get("pin")), _string_list(related.get("hide"))
        extra = set(related) - {"pin", "hide"}
        if extra or pinned is None or hidden is None:
            found.bad("related", "'related' takes 'pin' and 'hide', each a list of paper slugs")
    else:
        found.bad("related", "'related' takes 'pin' and 'hide', each a list of paper slugs")
    return pinned or (), hidden or ()


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
