"""Normalising a pasted page: raw text -> logical lines, each known as blank, heading, text or furniture.

Curators paste what their tool gives: a browser's plain-text copy, Markdown from a scraper, a text
browser's dump, HTML turned into Markdown. Whatever the tool, a page is the same cards: a title, an
abstract, and furniture (link targets, author counts, dates, upvotes, avatars, menus, anchors). This pass
removes the tools' syntax and says what each line is, so the readers in ``sitegen.layouts`` work on
structure alone. Markdown syntax is only taken away from a page written in Markdown: a plain copy's
abstract keeps its ``*``, ``\\%`` and ``<`` exactly as the page showed them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import unquote, urlsplit

from sitegen.frontmatter import ARXIV_ID, strip_version
from sitegen.htmlpage import html_lines, is_html

# A link's words are one paragraph; the search for where it closes stops here, so that a hostile paste
# (thousands of lines each opening a "[") costs linear time. Far above any paragraph a page shows.
LINK_LINES_MAX = 100
# Page chrome of a Hugging Face paper list that a plain copy keeps as lines of its own.
PAGE_HEADER = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
    }
)
_ID = ARXIV_ID.pattern
_PAPER_URL = re.compile(
    rf"(?:huggingface\.co/(?:\S*=)?/?papers/|^/papers/|arxiv\.org/(?:abs|pdf|html)/)({_ID})(?![\w.])"
)
_CODE_URL = re.compile(
    r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)/[\w.-]+/[\w.-]+"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"^(?:·\s*)?(?:(?:published|submitted)(?:\s+on)?\s+)?"
    rf"(?:({_MONTH})\s+(\d{{1,2}})(?:,?\s+(\d{{4}}))?|(\d{{1,2}})\s+({_MONTH})(?:,?\s+(\d{{4}}))?"
    rf"|(\d{{4}})-(\d{{2}})-(\d{{2}}))$",
    re.I,
)
_AUTHORS = re.compile(r"^(?:by\s+)?\d[\d,]*\s+authors?$", re.I)
_UPVOTES = re.compile(r"^(?:(?:\[-\]|[-+▲△↑])\s*)?\d[\d,.]*\s*[km]?$|^upvote\b.*$", re.I)
_URL_ONLY = re.compile(r"^[<(]?(?:https?://|www\.)\S+?[>)]?$")
# Indented headings and link lists too: a text browser indents what it dumps.
_HEADING = re.compile(r"^[ \t]*(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_REF_DEF = re.compile(r"^[ \t]*\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+\S.*)?$")
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\](?:\((\S*?)(?:\s+\"[^\"]*\")?\)|\[([^\]]*)\])")
_CLOSER = re.compile(r"\](?:\((\S*?)\)|\[([^\]]*)\])")  # the end of a link opened on an earlier line
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_HTML_TAG = re.compile(r"</?(?:a|img|span|div|p|br|sup|sub|em|strong|b|i|figure|svg|path)\b[^>]*>", re.I)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(
    r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"
    r"|(?<![\w$\\])_(?=[^\s_$])([^_$]+?)(?<=[^\s\\$])_(?![\w$])"  # not inside $x_i$ or snake_case
)
# What an extractor leaves where an image was: "[image]", "Image 3", "avatar", "(picture)".
_IMAGE_PLACEHOLDER = re.compile(r"^[\[(]?(?:image|img|avatar|picture|photo)(?:\s*[:#]?\s*\d+)?[\])]?$")
BOLD_LINE = 7  # the heading level given to a line that is bold and nothing else
_BOLD_LINE = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
_GLUED_HEADER = re.compile(r"^Subscribe(?=\S)")  # a plain copy glues the first title to the button
_HARD_BREAK = re.compile(r"\s*\\{1,2} ?$")  # Markdown's line break ending a hard-wrapped line: \ or \\
_ESCAPED = 0xE000  # private-use stand-ins for escaped ASCII punctuation while syntax is removed
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\((?:https?:)?/")
_MARKDOWN_BLOCK = re.compile(r"[ \t]*#{1,6}\s|[ \t]*\[[^\]\n]+\]:\s|[ \t]*```")


@dataclass(frozen=True)
class Line:
    """One logical line (hard-wrapped pieces re-joined) and what it is."""

    number: int  # line in the pasted file where it starts
    kind: str  # "blank", "heading", "text" or "furniture"
    text: str  # its words, without the tool's syntax
    what: str = ""  # for furniture: which kind (url, authors, date, upvotes, image, ...)
    links: tuple[str, ...] = ()  # link targets on the line
    level: int = 0  # heading level

    @cached_property
    def paper_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for i in map(paper_id_of, self.links) if i))

    @cached_property
    def code(self) -> str | None:
        return next((m.group(0) for u in self.links if (m := _CODE_URL.match(u))), None)

    @cached_property
    def published(self) -> str | None:
        return real_date(self.text) if self.what == "date" else None


def paper_id_of(url: str) -> str | None:
    """The arXiv id a Hugging Face paper page or an arXiv link points at, without its version:
    every version is the same paper, and the abstract page without one shows the newest."""
    match = _PAPER_URL.search(unquote(unquote(url)))
    return strip_version(match.group(1)) if match else None


def real_date(text: str) -> str | None:
    """``Oct 7, 2024`` / ``Published on 7 Oct 2024`` / ``2024-10-07`` as ISO; None without a year or
    when no such day exists."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    g = match.groups()
    if g[6]:
        year, month, day = int(g[6]), int(g[7]), int(g[8])
    else:
        name, day_text, year_text = (g[0], g[1], g[2]) if g[0] else (g[4], g[3], g[5])
        if not year_text:
            return None
        year, month, day = int(year_text), _MONTHS.index(name[:3].lower()) + 1, int(day_text)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def is_markdown(text: str) -> bool:
    """A page written in Markdown: headings, link syntax, reference definitions or fences."""
    if "](" in text and _MARKDOWN_LINK.search(text):
        return True
    starts = ("#", "[", "`")
    return any(_MARKDOWN_BLOCK.match(line) for line in text.split("\n") if line.lstrip(" \t")[:1] in starts)


def normalise(text: str) -> tuple[list[Line], bool]:
    """The page's logical lines, and whether it was Markdown (HTML source is read as Markdown)."""
    numbers: list[int] | None = None
    if is_html(text):
        converted, numbers = html_lines(text)
        text = "\n".join(converted)
    markdown = is_markdown(text)
    raw = text.split("\n")
    refs = {m.group(1).lower(): m.group(2) for line in raw if (m := _REF_DEF.match(line))}
    front_end = _front_matter_end(raw)
    lines = [Line(number, "furniture", "", "front matter") for number in range(1, front_end + 1)]
    for number, joined in _logical_lines(raw, front_end, markdown):
        lines.append(_classify(number, joined, markdown, refs))
    lines = _attach_link_lines(lines)
    if numbers is not None:  # messages name the line of the pasted source
        source = [*numbers, numbers[-1] if numbers else 1]  # an empty conversion is one blank line
        lines = [replace(line, number=source[min(line.number, len(source)) - 1]) for line in lines]
    return lines, markdown


def _front_matter_end(raw: Sequence[str]) -> int:
    """Lines taken by YAML front matter (``---`` ... ``---`` at the top), or 0."""
    if not raw or raw[0].strip() != "---":
        return 0
    for index in range(1, len(raw)):
        if raw[index].strip() in ("---", "..."):
            return index + 1
        if raw[index].strip() and not re.match(r"^[\w-]+\s*:|^\s+\S|^-\s", raw[index]):
            return 0
    return 0


def _logical_lines(raw: Sequence[str], skip: int, markdown: bool):
    """(line number, text) with hard-wrapped pieces joined: a trailing ``\\`` (Markdown's line
    break), a link whose ``[`` opens on one line and whose ``](...)``/``][n]`` closes on a later one, a
    heading continued on an indented line or on a second heading line inside the same link."""
    index = skip
    shape = _Shape(
        [_open_brackets(r) for r in raw], [not r.strip() for r in raw], [bool(_HEADING.match(r)) for r in raw]
    )
    while index < len(raw):
        number, line = index + 1, raw[index]
        if _FENCE.match(line) or _REF_DEF.match(line):
            yield number, line
            index += 1
            continue
        heading = markdown and bool(_HEADING.match(line))
        while index + 1 < len(raw):
            following = raw[index + 1]
            if markdown and _HARD_BREAK.search(line) and following.strip():
                line = _HARD_BREAK.sub("", line) + " " + _continuation(following, heading)
            elif (close := _closing_line(raw, index, shape)) is not None:
                pieces = [_continuation(raw[i], heading) for i in range(index + 1, close + 1)]
                line = " ".join([line.rstrip(), *pieces])
                index = close - 1
            elif heading and following.strip() and _indent(following) > _indent(raw[index]):
                line = line.rstrip() + " " + following.strip()
            else:
                break
            index += 1
        yield number, line
        index += 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _continuation(line: str, heading: bool) -> str:
    line = line.strip()
    return _HEADING.sub(r"\2", line) if heading else line


@dataclass(frozen=True)
class _Shape:
    """Per raw line: brackets it leaves open, whether it is blank, whether it is a heading."""

    balance: list[int]
    blank: list[bool]
    heading: list[bool]


def _closing_line(raw: Sequence[str], index: int, shape: _Shape) -> int | None:
    """The later line closing a link that ``raw[index]`` opens but does not close, before a blank line."""
    depth = shape.balance[index]
    if depth <= 0:
        return None
    for later in range(index + 1, min(len(raw), index + 1 + LINK_LINES_MAX)):
        if shape.blank[later] or (shape.heading[later] and not shape.heading[index]):
            return None
        depth += shape.balance[later]
        if depth <= 0:
            return later if _CLOSER.search(raw[later]) or raw[later].strip() == "]" else None
    return None


def _open_brackets(line: str) -> int:
    plain = line.replace("\\[", "").replace("\\]", "")
    return plain.count("[") - plain.count("]")


def _classify(number: int, line: str, markdown: bool, refs: dict[str, str]) -> Line:
    stripped = line.strip()
    if not stripped:
        return Line(number, "blank", "")
    if _FENCE.match(stripped):
        return Line(number, "furniture", "", "fence")
    if _REF_DEF.match(stripped):
        return Line(number, "furniture", "", "link list", (_REF_DEF.match(stripped).group(2),))
    level = 0
    if markdown and (heading := _HEADING.match(stripped)):
        level, stripped = len(heading.group(1)), heading.group(2)
    stripped = _GLUED_HEADER.sub("", _LIST_MARK.sub("", stripped))
    if markdown and not level and _BOLD_LINE.fullmatch(stripped):
        level = BOLD_LINE  # a line in bold and nothing else is a heading in all but name
    text, links, had = _strip_links(stripped, refs, markdown)
    words = " ".join(text.split())
    what = _furniture(words, links, had, line, bool(level))
    if what:
        return Line(number, "furniture", words, what, links, level)
    return Line(number, "heading" if level else "text", words, "", links, level)


def _strip_links(line: str, refs: dict[str, str], markdown: bool) -> tuple[str, tuple[str, ...], set[str]]:
    """The line's words, the link targets it holds, and what syntax was removed (image, anchor, link)."""
    links: list[str] = []
    had: set[str] = set()

    def link(match: re.Match) -> str:
        target = match.group(2) if match.group(2) is not None else refs.get((match.group(3) or "").lower())
        if target:
            links.append(target)
        had.add("link" if _has_words(match.group(1)) else "empty link")
        return f"\x00{match.group(1)}\x00"  # marks link text, so furniture can tell what was linked

    if markdown:
        # Escaped characters are kept out of every rule's sight, then written as themselves.
        line = _ESCAPE.sub(lambda m: chr(_ESCAPED + ord(m.group(1))), line)
        line, count = _IMAGE.subn("", line)
        had |= {"image"} if count else set()
    line = _LINK.sub(link, line)
    line = _CLOSER.sub(lambda m: _closer(m, refs, links, had), line)
    if line.lstrip().startswith("[") and _open_brackets(line) > 0:
        line = line.lstrip()[1:]
    line = _AUTOLINK.sub(lambda m: links.append(m.group(1)) or m.group(1), line)
    if markdown:
        line, count = _HTML_TAG.subn("", line)
        had |= {"anchor"} if count else set()
        line = _EMPHASIS.sub(lambda m: next(g for g in m.groups() if g is not None), line)
        line = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group(0)) - _ESCAPED), line)
    outside = re.sub(r"\x00[^\x00]*\x00", "", line)
    if links and not _has_words(outside):
        had.add("whole line linked")
    return line.replace("\x00", ""), tuple(links), had


def _closer(match: re.Match, refs: dict[str, str], links: list[str], had: set[str]) -> str:
    target = match.group(1) if match.group(1) is not None else refs.get((match.group(2) or "").lower())
    if target:
        links.append(target)
    had.add("link")
    return ""


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _furniture(words: str, links: tuple[str, ...], had: set[str], raw: str, heading: bool) -> str:
    """Which kind of page furniture the line is, or "" when it is words of the paper."""
    if not _has_words(words):
        return "image" if "image" in had else "anchor" if "anchor" in had else "decoration"
    words = words.strip("·•|– ")
    folded = words.casefold()
    if folded in PAGE_HEADER:
        return "page header"
    if _URL_ONLY.match(words):
        return "url"
    if _AUTHORS.match(words):
        return "authors"
    if _DATE.match(words):
        return "date"
    if _UPVOTES.match(words):
        return "upvotes"
    if folded.startswith("submitted by"):
        return "submitted by"
    if _IMAGE_PLACEHOLDER.match(folded) or re.match(r"^<img\b", raw.strip(), re.I):
        return "image"
    if (
        "whole line linked" in had
        and not heading
        and (not any(paper_id_of(u) for u in links) or _names_host(folded.replace(" ", ""), links))
    ):
        return "link"  # menus, "GitHub 131", "arXiv Page": words that only say where a link goes
    return ""


def _names_host(words: str, links: Sequence[str]) -> bool:
    """Whether link words name a site they link to ("arXiv Page" -> arxiv.org)."""
    for url in dict.fromkeys(links):
        try:
            host = (urlsplit(url).hostname or "").removeprefix("www.")
        except ValueError:  # not a URL at all ("http://[x")
            continue
        if any(label and label in words for label in host.split(".")[:-1]):
            return True
    return False


def _attach_link_lines(lines: list[Line]) -> list[Line]:
    """A plain-text copy writes a link's target on the line after its words: give the words the target.
    The line after a bare "Submitted by" is a user name."""
    result = list(lines)
    previous: Line | None = None
    for index, line in enumerate(result):
        if line.what == "url":
            _give_target(result, index, line.text.strip("<>()"))
        if line.kind == "text" and previous is not None and previous.text.casefold() == "submitted by":
            result[index] = Line(line.number, "furniture", line.text, "submitted by")
        previous = line if line.kind != "blank" else previous
    return result


def _give_target(result: list[Line], index: int, target: str) -> None:
    """The words right above a URL line are its link text: every line of them (a wrapped title) when it
    is a paper's page, the one line of a menu item when it goes elsewhere. A link into a part of a page
    (``#community``) is a counter's, not the words'."""
    above = index - 1
    if paper_id_of(target) and "#" not in target:
        while above >= 0 and result[above].kind in ("text", "heading") and not result[above].links:
            result[above] = replace(result[above], links=(target,))
            above -= 1
    elif above >= 0 and result[above].kind == "text" and not result[above].links and not paper_id_of(target):
        result[above] = Line(result[above].number, "furniture", result[above].text, "menu", (target,))


# Furniture that must never be a paper's title, as ``sitegen check`` words it.
_NOT_A_TITLE = {
    "url": "is a URL",
    "date": "is a date",
    "authors": "is an author count",
    "upvotes": "is a number",
}


def pasted_syntax(text: str, title: bool) -> str | None:
    """What in a paper's title (or abstract) is a pasting tool's syntax or page furniture, or None."""
    if re.search(r"\[[^\]]*\]\((?:https?:|/)[^)]*\)|\[[^\]]+\]\[\d+\]", text):
        return "holds Markdown link syntax ([words](url))"
    if not title:
        return None
    if _HEADING.match(text):
        return "starts with a Markdown heading mark (#)"
    words = " ".join(_LIST_MARK.sub("", text).split())
    return _NOT_A_TITLE.get(_furniture(words, (), set(), text, heading=False))
