"""Tags: the one spelling the site shows, the page each tag gets, and the clashes between paper files.

A tag's page is ``/tags/<slug>/``. Curators write tags freely (``SAE``, ``sae``); the site shows each in one
canonical lower-case form, and ``check`` asks for one spelling across files. Two different tags that would
share a page (``c++`` and ``c--`` both become ``/tags/c/``) are an error: one would swallow the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sitegen.errors import Problem
from sitegen.frontmatter import Paper
from sitegen.slugs import slugify


def tag_slug(tag: str) -> str:
    return slugify(tag) or "tag"


def canonical_tag(tag: str) -> str:
    """The form the site shows: lower case, single spaces."""
    return " ".join(tag.split()).lower()


def tag_problems(papers: Sequence[Paper]) -> list[Problem]:
    """Tags spelt more than one way (a warning) and different tags sharing one page (an error)."""
    uses: dict[str, list[tuple[Paper, str]]] = {}  # canonical tag -> (paper, tag as written)
    for paper in papers:
        for tag in paper.tags:
            uses.setdefault(canonical_tag(tag), []).append((paper, tag))
    problems = [p for canonical, found in uses.items() for p in _spellings(canonical, found)]
    by_slug: dict[str, list[str]] = {}
    for canonical in uses:
        by_slug.setdefault(tag_slug(canonical), []).append(canonical)
    for slug, clashing in by_slug.items():
        first, *others = sorted(clashing, key=lambda c: (-len(uses[c]), c))
        for other in others:
            for paper, tag in uses[other]:
                message = (
                    f"tag '{tag}' and tag '{first}' ({uses[first][0][0].path}) would both be the page "
                    f"/tags/{slug}/: rename one (e.g. spell the symbols out: 'cpp', 'c-sharp')"
                )
                problems.append(Problem(paper.path, message, paper.line_of("tags")))
    return problems


def _spellings(canonical: str, found: list[tuple[Paper, str]]) -> list[Problem]:
    counts = Counter(tag for _, tag in found)
    if len(counts) < 2:
        return []
    usual = min(counts, key=lambda tag: (-counts[tag], tag != canonical, tag))
    return [
        Problem(
            paper.path,
            f"tag '{tag}' is written '{usual}' in {counts[usual]} other place(s): use one spelling "
            f"(the site shows '{canonical}')",
            paper.line_of("tags"),
            severity="warning",
        )
        for paper, tag in found
        if tag != usual
    ]
