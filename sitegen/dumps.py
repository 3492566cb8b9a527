"""The dumps stage: text pasted from Hugging Face paper-list pages -> title/abstract entries.

``sitegen.pagetext`` normalises the paste (tool syntax removed, furniture recognised) and the first
reader of ``sitegen.layouts`` that recognises the page finds its papers by structure. A dump whose page
names papers the reader could not find is an error, so nothing is lost without a word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, TypeVar

from sitegen.content import read_text
from sitegen.errors import Problem
from sitegen.inputs import DUMP_MAX
from sitegen.layouts import LAYOUTS, Card, Page, Unread, paper_level
from sitegen.pagetext import normalise
from sitegen.slugs import normalise_title

# A page that names this share of papers more than the reader found has not been read: fail, write nothing.
MIN_FOUND = 0.8
SHOWN_PER_KIND = 3
LOST_PAPER = frozenset({"title without abstract", "paragraph without title"})  # unread kinds that warn


class _Listed(Protocol):
    title: str
    arxiv: str | None


T = TypeVar("T", bound=_Listed)  # unread blocks listed per kind in the summary (all of them with -v)


@dataclass(frozen=True)
class Entry:
    """One paper as a dump lists it."""

    title: str
    abstract: str
    file: str  # the dump's file name
    date: str | None  # the dump's date line, e.g. "Jul 29"
    line: int  # line of the title in the dump
    arxiv: str | None = None  # e.g. "2410.05434", version removed
    published: str | None = None  # ISO date shown with the card
    code: str | None = None  # repository URL shown with the card


@dataclass(frozen=True)
class Dump:
    path: Path
    date: str | None
    entries: tuple[Entry, ...]
    warnings: tuple[Problem, ...]
    layout: str = ""
    unread: tuple[Unread, ...] = ()
    errors: tuple[Problem, ...] = ()  # the page was not read: the import must stop

    def summary(self, verbose: bool = False) -> list[str]:
        """What the reader made of this dump: layout and papers found, then the blocks it skipped grouped
        by kind with the first few as ``file:line`` (``verbose``: every one, with what it says)."""
        lines = [f"{self.path}: read as {self.layout}: {_plural(len(self.entries), 'paper')}"]
        kinds = Counter(u.kind for u in self.unread)
        for kind, count in kinds.items():
            where = [f"{self.path}:{u.line}" for u in self.unread if u.kind == kind][:SHOWN_PER_KIND]
            more = ", ..." if count > len(where) else ""
            lines.append(f"  skipped {count} {kind}: {', '.join(where)}{more}")
        if verbose:
            lines += [f"  {Problem(self.path, _message(u), u.line, severity='warning')}" for u in self.unread]
        return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def parse_dump(path: Path, text: str) -> Dump:
    """Pure parse of a dump's text (already decoded); warnings name ``file:line``."""
    lines, markdown = normalise(text)
    page = Page(tuple(lines), markdown)
    layout = next(reader for reader in LAYOUTS if reader.recognises(page))
    reading = layout.read(page)
    cards = _merge_repeats(reading.cards)
    first_title = cards[0].line if cards else len(lines) + 1
    date = next((ln.text for ln in lines if ln.what == "date" and ln.number < first_title), None)
    entries = tuple(
        Entry(c.title, c.abstract, path.name, date, c.line, c.arxiv, c.published, c.code) for c in cards
    )
    unread = tuple(sorted(reading.unread, key=lambda u: u.line))
    # Warnings (counted as skipped entries) are the blocks that may be a paper lost; the summary lists
    # every unread block.
    warnings = tuple(
        Problem(path, _message(u), u.line, severity="warning") for u in unread if u.kind in LOST_PAPER
    )
    return Dump(path, date, entries, warnings, layout.name, unread, _not_read(path, page, entries, unread))


def same_paper(items: Iterable[T]) -> list[list[T]]:
    """Items (with ``title`` and ``arxiv``) grouped by paper, in the order papers first appear: the same
    arXiv id is the same paper whatever its title says, and so is the same normalised title."""
    groups: dict[str, list[T]] = {}
    group_of: dict[str, str] = {}
    for item in items:
        keys = [f"title:{normalise_title(item.title)}"]
        if item.arxiv:
            keys.insert(0, f"arxiv:{item.arxiv}")
        group = next((group_of[k] for k in keys if k in group_of), keys[-1])
        for key in keys:
            group_of.setdefault(key, group)
        groups.setdefault(group, []).append(item)
    return list(groups.values())


def _merge_repeats(cards: tuple[Card, ...]) -> list[Card]:
    """A page may show a card twice (Trending: a summary, then the card again): one paper, keeping the
    fuller abstract and every piece of metadata either showed."""
    merged = []
    for first, *others in same_paper(cards):
        for card in others:
            first = replace(
                first,
                abstract=max(first.abstract, card.abstract, key=len),
                arxiv=first.arxiv or card.arxiv,
                published=first.published or card.published,
                code=first.code or card.code,
            )
        merged.append(first)
    return merged


def _not_read(
    path: Path, page: Page, entries: tuple[Entry, ...], unread: tuple[Unread, ...]
) -> tuple[Problem, ...]:
    """An error when the page shows papers the reader did not find (or text and no paper at all)."""
    ids = {i for line in page.lines for i in line.paper_ids}
    level = paper_level(page)
    headings = {normalise_title(p.text) for p in page.cards if level and p.heading == level}
    named = max(len(ids), len(headings))
    kinds = Counter(u.kind for u in unread)
    first = {u.kind: u.line for u in reversed(unread)}
    skipped = "; ".join(f"{count} {kind}, first at line {first[kind]}" for kind, count in kinds.items())
    hint = (f" (skipped: {skipped})" if skipped else "") + (
        "; its layout may be one sitegen does not read: see README 'Adding a dump'"
    )
    if named and len(entries) < MIN_FOUND * named:
        return (Problem(path, f"the page names {named} papers but only {len(entries)} could be read{hint}"),)
    if not entries and page.paragraphs:
        return (Problem(path, f"holds text but no paper (a title followed by its abstract){hint}"),)
    return ()


def _message(unread: Unread) -> str:
    shown = unread.text if len(unread.text) <= 60 else unread.text[:57] + "..."
    if unread.kind == "title without abstract":
        return f"entry '{shown}' has no abstract; skipped"
    if unread.kind == "paragraph without title":
        return "a paragraph with no title before it; skipped"
    return f"{unread.kind} '{shown}' is not a title or abstract; skipped"


def read_dump(path: Path) -> Dump:
    """Read and parse one dump; raises sitegen.frontmatter.ContentProblem if it is not UTF-8 text."""
    return parse_dump(path, read_text(path, DUMP_MAX))


def dump_files(dumps_dir: Path) -> list[Path]:
    return sorted(p for p in dumps_dir.glob("*.txt") if p.is_file())
