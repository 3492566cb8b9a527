"""The page layouts the importer reads: each a small named reader that recognises itself and yields papers.

A reader sees the logical lines of ``sitegen.pagetext`` (tool syntax gone, furniture known) grouped into
paragraphs, and decides by structure where papers are:

- ``Markdown headings``: a heading at the page's paper level starts a card (scrapers, text browsers,
  HTML-to-Markdown extractions, the Trending page);
- ``paper links``: words linked to a new paper page start a card (a plain copy that keeps link targets
  as lines of their own, Markdown without headings);
- ``title/abstract pairs``: a browser's plain copy, blank-line separated or compact; each paragraph is
  a title or an abstract, paired by alternation and by how much each reads like sentences.

Within a card the abstract is the paragraph linked to the card's paper, else the first one that reads as
sentences, else the first; the card's links and dates give its arXiv id, published date and code.
The next layout is one more reader here, tried before the pairs, and one more fixture.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import cached_property

from sitegen.pagetext import Line

ORPHAN_COST = 5  # above the largest cost one line can carry (4), so pairing wins unless two lines disagree


@dataclass(frozen=True)
class Paragraph:
    """Lines read together: one heading, or running text (Markdown joins wrapped lines)."""

    text: str
    first: int  # index of its first line
    last: int  # index of its last line
    number: int  # line number in the file
    heading: int = 0  # heading level, 0 for text
    ids: tuple[str, ...] = ()  # papers its words link to


@dataclass(frozen=True)
class Card:
    title: str
    abstract: str
    line: int
    arxiv: str | None = None
    published: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Unread:
    """A block the reader found but could not use, by kind, for the summary."""

    kind: str
    line: int
    text: str


@dataclass(frozen=True)
class Reading:
    cards: tuple[Card, ...]
    unread: tuple[Unread, ...]


@dataclass(frozen=True)
class Page:
    lines: tuple[Line, ...]
    markdown: bool

    @cached_property
    def cards(self) -> tuple[Paragraph, ...]:
        """Paragraphs as a card shows them: running text lines are one paragraph (as in Markdown)."""
        return paragraphs(self.lines, range(len(self.lines)))

    @cached_property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """Paragraphs of a page without cards: a plain copy puts each on one line, unless it was
        hard-wrapped (see ``wrapped``)."""
        return paragraphs(self.lines, range(len(self.lines)) if self.markdown else wrapped(self.lines))


def paragraphs(lines: Sequence[Line], continues: Container[int]) -> tuple[Paragraph, ...]:
    """Headings one by one (a heading right under one of its level continues it), and text lines, each
    joined to the one before when that one ``continues`` and both link to the same papers (words linked
    to a paper are that link's text, whatever stands next to them)."""
    runs: list[list[int]] = []
    for index, line in enumerate(lines):
        if line.kind not in ("heading", "text"):
            continue
        before = lines[runs[-1][-1]] if runs and runs[-1][-1] == index - 1 else None
        if before is not None and _continues(before, line, index - 1 in continues):
            runs[-1].append(index)
        else:
            runs.append([index])
    return tuple(_paragraph([lines[i] for i in run], run[0], run[-1]) for run in runs)


def _continues(before: Line, line: Line, wraps: bool) -> bool:
    if before.kind == line.kind == "heading":
        return before.level == line.level
    return before.kind == line.kind == "text" and wraps and before.paper_ids == line.paper_ids


def _paragraph(run: Sequence[Line], first: int, last: int) -> Paragraph:
    ids = tuple(dict.fromkeys(i for line in run for i in line.paper_ids))
    text = " ".join(line.text for line in run if line.text)
    return Paragraph(text, first, last, run[0].number, run[0].level, ids)


def wrapped(lines: Sequence[Line]) -> set[int]:
    """Lines of a plain copy that were hard-wrapped, by the block's own width: in a page whose paragraphs
    are separated by blank lines, a line continues into the next when the next one's first word would
    not have fitted after it. A compact page (no blank lines between paragraphs) never wraps."""
    blocks: list[list[int]] = [[]]
    for index, line in enumerate(lines):
        if line.kind == "text":
            blocks[-1].append(index)
        elif line.kind == "blank" and blocks[-1]:
            blocks.append([])
    if sum(1 for block in blocks if block) < 2:
        return set()
    found = set()
    for block in blocks:
        width = max((len(lines[i].text) for i in block), default=0)
        for i, j in itertools.pairwise(block):
            if j == i + 1 and len(lines[i].text) + 1 + len(lines[j].text.split()[0]) > width:
                found.add(i)
    return found


class HeadingCards:
    name = "Markdown headings"

    def recognises(self, page: Page) -> bool:
        """Several different headings at one level; or one, followed by a title's worth of text (a
        snippet), not by a page of papers under a page title."""
        level = paper_level(page)
        if level is None:
            return False
        at_level = [i for i, p in enumerate(page.cards) if p.heading == level]
        return len(at_level) > 1 or sum(1 for p in page.cards[at_level[0] :] if not p.heading) <= 2

    def read(self, page: Page) -> Reading:
        level = paper_level(page)
        return read_cards(page, [i for i, p in enumerate(page.cards) if p.heading == level])


def paper_level(page: Page) -> int | None:
    """The heading level papers have: the one with the most different headings (a page's own title and
    sections are fewer; a sub-heading every card repeats, "Abstract", is one text many times)."""
    texts: dict[int, set[str]] = {}
    for paragraph in page.cards:
        if paragraph.heading:
            texts.setdefault(paragraph.heading, set()).add(paragraph.text.casefold())
    if not texts:
        return None
    return max(texts, key=lambda level: (len(texts[level]), level))


class LinkedCards:
    name = "paper links"

    def recognises(self, page: Page) -> bool:
        return any(p.ids for p in page.cards)

    def read(self, page: Page) -> Reading:
        anchors, previous = [], None
        for index, paragraph in enumerate(page.cards):
            if paragraph.ids and paragraph.ids[0] != previous:
                anchors.append(index)
            previous = paragraph.ids[0] if paragraph.ids else previous
        return read_cards(page, anchors)


def read_cards(page: Page, anchors: Sequence[int]) -> Reading:
    """A card runs from one anchor (its title) to the next; furniture inside it gives its metadata."""
    cards: list[Card] = []
    unread = [Unread("text before the first paper", p.number, p.text) for p in page.cards[: anchors[0]]]
    bounds = [*anchors, len(page.cards)]
    for start, stop in itertools.pairwise(bounds):
        title, body = page.cards[start], [p for p in page.cards[start + 1 : stop] if not p.heading]
        first = page.cards[stop].first if stop < len(page.cards) else len(page.lines)
        span = page.lines[title.first : first]
        arxiv = _card_id(title, span)
        abstract = _abstract(body, arxiv)
        if abstract is None:
            unread.append(Unread("title without abstract", title.number, title.text))
            continue
        unread += [Unread("other text in a card", p.number, p.text) for p in body if p is not abstract]
        published = next((line.published for line in span if line.published), None)
        code = next((line.code for line in span if line.code), None)
        cards.append(Card(title.text, abstract.text, title.number, arxiv, published, code))
    return Reading(tuple(cards), tuple(unread))


def _card_id(title: Paragraph, span: Sequence[Line]) -> str | None:
    if title.ids:
        return title.ids[0]
    # A reference link list at the end of a page names every paper: it is no card's own.
    counts = Counter(i for line in span if line.what != "link list" for i in line.paper_ids)
    return max(counts, key=counts.__getitem__) if counts else None


def _abstract(body: Sequence[Paragraph], arxiv: str | None) -> Paragraph | None:
    linked = [p for p in body if arxiv and arxiv in p.ids]
    return (
        next(iter(linked), None)
        or next((p for p in body if is_prose(p.text)), None)
        or next(iter(body), None)
    )


class PlainPairs:
    """Every paragraph is a title or an abstract. Labels are chosen together (a small dynamic programme):
    a title followed by its abstract costs how much the title reads like sentences plus how little the
    abstract does (an abstract must read as a sentence: menu items never pair); a paragraph left alone
    costs more than any one line can. So pages alternate as they
    should, one missing abstract does not shift every pair after it, and no length is a cut-off: a
    600-character title and a one-sentence abstract pair as their shape says."""

    name = "title/abstract pairs"

    def recognises(self, page: Page) -> bool:
        return True

    def read(self, page: Page) -> Reading:
        units = page.paragraphs
        evidence = [prose_evidence(u.text) for u in units]
        best: list[tuple[int, int]] = [(0, 0)] + [(1 << 30, 0)] * len(units)  # (cost, step taken)
        for i in range(len(units)):
            cost = best[i][0]
            if cost + ORPHAN_COST < best[i + 1][0]:
                best[i + 1] = (cost + ORPHAN_COST, 1)
            if i + 1 < len(units) and evidence[i + 1] > 0:  # an abstract reads as a sentence
                paired = cost + evidence[i] + (4 - evidence[i + 1])
                if paired < best[i + 2][0]:
                    best[i + 2] = (paired, 2)
        steps, end = [], len(units)
        while end:  # walk the best labelling back, then read it forwards
            steps.append((end - best[end][1], best[end][1]))
            end -= best[end][1]
        cards: list[Card] = []
        unread: list[Unread] = []
        for start, step in reversed(steps):
            if step == 2:
                title, abstract = units[start], units[start + 1]
                cards.append(Card(title.text, abstract.text, title.number))
            else:
                # Prose alone is an abstract that lost its title; other words, a title (or a menu item).
                kind = "paragraph without title" if evidence[start] >= 2 else "title without abstract"
                unread.append(Unread(kind, units[start].number, units[start].text))
        return Reading(tuple(cards), tuple(unread))


def is_prose(text: str) -> bool:
    """Reads as sentences: ends like a sentence, or holds a sentence boundary."""
    return bool(re.search(r"[.!?][\"')\]]*$", text) or _SENTENCE_BREAK.search(text))


_SENTENCE_BREAK = re.compile(r"[a-z0-9)\]][.!?][\"')\]]*\s+[A-Z(\[]")


def prose_evidence(text: str) -> int:
    """How much a line reads like an abstract rather than a title, 0 to 4: a sentence ending (a question
    mark counts half: titles ask questions) and a sentence boundary inside it."""
    end = re.search(r"([.!?])[\"')\]]*$", text)
    score = 0 if end is None else 1 if end.group(1) == "?" else 2
    return score + (2 if _SENTENCE_BREAK.search(text) else 0)


# Tried in order; the first that recognises the page reads it.
LAYOUTS = (HeadingCards(), LinkedCards(), PlainPairs())
