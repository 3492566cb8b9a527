"""The dumps stage: raw text copied from Hugging Face "Daily Papers" pages -> title/abstract entries.

Two layouts occur: entries separated by blank lines, and a compact one without blank lines whose first
title is glued to "Subscribe". Lines are paired by what they are (a short title, a long abstract), not by
strict alternation, so one missing abstract does not shift every following pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.content import read_text
from sitegen.errors import Problem

# Lines of page chrome that precede (and sometimes repeat among) the entries.
NOISE = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "subscribe",
        "daily papers",
        "byak and the research community",
    }
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE_LINE = re.compile(rf"^{_MONTH} \d{{1,2}}(?:, \d{{4}})?$")
_GLUED = re.compile(r"^Subscribe(?=\S)")
# The seeds' longest title has 170 characters and their shortest abstract 492: anything of 300 or more is
# prose, and so is a shorter line made of several sentences.
ABSTRACT_MIN = 300
_SENTENCES = re.compile(r"[.!?][)\"']?\s+[A-Z(]")


@dataclass(frozen=True)
class Entry:
    """One title/abstract pair as a dump lists it."""

    title: str
    abstract: str
    file: str  # the dump's file name
    date: str | None  # the dump's date line, e.g. "Jul 29"
    line: int  # line of the title in the dump


@dataclass(frozen=True)
class Dump:
    path: Path
    date: str | None
    entries: tuple[Entry, ...]
    warnings: tuple[Problem, ...]


def is_abstract(line: str) -> bool:
    return len(line) >= ABSTRACT_MIN or (len(line) >= 120 and len(_SENTENCES.findall(line)) >= 2)


def parse_dump(path: Path, text: str) -> Dump:
    """Pure parse of a dump's text (already decoded); warnings name ``file:line``."""
    warnings: list[Problem] = []
    entries: list[Entry] = []
    date: str | None = None
    pending: tuple[str, int] | None = None  # a title waiting for its abstract
    content: list[tuple[str, int]] = []

    for number, raw in enumerate(text.split("\n"), start=1):
        line = " ".join(raw.split())  # trailing spaces, tabs, non-breaking runs
        if not line:
            continue
        line = _GLUED.sub("", line)
        if line.lower() in NOISE:
            continue
        if DATE_LINE.match(line):
            date = date or line
            continue
        content.append((line, number))

    for line, number in content:
        if is_abstract(line):
            if pending is None:
                warnings.append(
                    Problem(path, "a paragraph with no title before it; skipped", number, severity="warning")
                )
                continue
            entries.append(Entry(pending[0], line, path.name, None, pending[1]))
            pending = None
        else:
            if pending is not None:
                warnings.append(_missing_abstract(path, *pending))
            pending = (line, number)
    if pending is not None:
        warnings.append(_missing_abstract(path, *pending))

    # The date line comes before the entries, but attach it only once it is known.
    dated = tuple(Entry(e.title, e.abstract, e.file, date, e.line) for e in entries)
    return Dump(path, date, dated, tuple(warnings))


def _missing_abstract(path: Path, title: str, line: int) -> Problem:
    shown = title if len(title) <= 60 else title[:57] + "..."
    return Problem(path, f"entry '{shown}' has no abstract; skipped", line, severity="warning")


def read_dump(path: Path) -> Dump:
    """Read and parse one dump; raises sitegen.content.ContentProblem if it is not UTF-8 text."""
    return parse_dump(path, read_text(path))


def dump_files(dumps_dir: Path) -> list[Path]:
    return sorted(p for p in dumps_dir.glob("*.txt") if p.is_file())
