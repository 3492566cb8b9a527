"""Citations: a BibTeX entry per paper, from what its file knows (title, slug, arXiv id, publication
date), built once.

The same entries make the paper page's "Cite" block, ``papers.bib`` and the reading list's export, so a
reader gets the same text wherever they copy it from. Titles keep their ``$...$`` math (BibTeX reads TeX);
outside math, TeX's special characters are escaped and unbalanced braces dropped, so any title gives an
entry that BibTeX and biber parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sitegen.frontmatter import Paper

# New-style arXiv identifiers (YYMM.NNNNN, optional version) and old-style ones (archive/YYMMNNN).
_ARXIV_NEW = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5}(?:v\d+)?")
_ARXIV_OLD = re.compile(r"[a-z-]+(?:\.[A-Z]{2})?/(?P<yy>\d{2})\d{5}(?:v\d+)?")
_MATH = re.compile(r"(?<!\\)\$[^$]+(?<!\\)\$")
_SPECIAL = {
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_SPECIAL)) + "]")
_BRACE = re.compile("[{}]")


@dataclass(frozen=True)
class Citation:
    key: str  # the paper's slug: unique in the site and made of BibTeX-safe characters
    title: str  # as the curator wrote it, math in $...$
    url: str
    arxiv: str | None = None
    published: str | None = None  # YYYY-MM-DD


def arxiv_year(arxiv: str) -> str | None:
    """The year an arXiv identifier was issued in, when it has a recognised form."""
    match = _ARXIV_NEW.fullmatch(arxiv) or _ARXIV_OLD.fullmatch(arxiv)
    if match is None:
        return None
    yy = int(match["yy"])
    return f"{1900 + yy if yy >= 91 else 2000 + yy}"


def bibtex_text(text: str) -> str:
    """Text for a braced BibTeX field: math spans kept, specials escaped outside them, braces balanced."""
    parts: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        parts.append(_escape(text[position : match.start()]))
        parts.append(_balanced(match[0]))
        position = match.end()
    parts.append(_escape(text[position:]))
    return " ".join("".join(parts).split())


def _escape(text: str) -> str:
    text = _balanced(text)
    if _NEEDS_ESCAPE.search(text) is None:  # most titles: nothing to look at character by character
        return text
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def _balanced(text: str) -> str:
    """``text`` without the braces that have no partner (BibTeX rejects an entry with one)."""
    dropped: set[int] = set()
    opened: list[int] = []
    for brace in _BRACE.finditer(text):  # only the braces are looked at: most text has none, or a pair
        if brace[0] == "{":
            opened.append(brace.start())
        elif opened:
            opened.pop()
        else:
            dropped.add(brace.start())
    dropped.update(opened)
    if not dropped:
        return text
    return "".join(ch for index, ch in enumerate(text) if index not in dropped)


def bibtex_entry(citation: Citation) -> str:
    """One ``@misc`` entry; ``eprint``/``archivePrefix`` when the arXiv id is known, and the year from the
    publication date or else from the arXiv id."""
    fields = [("title", "{" + bibtex_text(citation.title) + "}"), ("url", citation.url)]
    if citation.arxiv:
        fields += [("eprint", citation.arxiv), ("archivePrefix", "arXiv")]
    year = citation.published[:4] if citation.published else citation.arxiv and arxiv_year(citation.arxiv)
    if year:
        fields.append(("year", year))
    body = ",\n".join(f"  {name} = {{{_balanced(value)}}}" for name, value in fields)
    return f"@misc{{{citation.key},\n{body}\n}}\n"


def bibliography(citations: Iterable[Citation]) -> str:
    """A whole ``.bib`` file: entries in the order given, a blank line between them."""
    return "\n".join(bibtex_entry(c) for c in citations)


def paper_citation(paper: Paper, site_url: str, base_path: str) -> Citation:
    """A paper's citation: its URL on the site when the site's address is known, else its arXiv page,
    else its path from the site root."""
    path = f"papers/{paper.slug}/"
    if site_url:
        url = site_url + path
    elif paper.arxiv:
        url = f"https://arxiv.org/abs/{paper.arxiv}"
    else:
        url = base_path + path
    return Citation(key=paper.slug, title=paper.title, url=url, arxiv=paper.arxiv, published=paper.published)
