"""Front matter values as a curator writes them: near-miss names, calendar dates, tag characters, and YAML
mistakes told where they are and how to fix them. Pure functions, used by the content stage and the check."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable

import yaml


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """The choice a near-miss ``name`` was meant to be (a typo, a dropped letter, another case), if any."""
    folded = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def did_you_mean_hint(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` to end a message with, or '' when no choice is close."""
    meant = did_you_mean(name, choices)
    return f" (did you mean '{meant}'?)" if meant else ""


def is_real_date(text: str) -> bool:
    """``YYYY-MM-DD`` naming a day the calendar has (no month 13, no February 30)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


TAG_PUNCTUATION = " -+.#_"  # besides letters and digits; documented in CONTRIBUTING.md


def tag_problem(tag: str) -> str | None:
    """Why a tag cannot be used, if it cannot: its page is /tags/<slug>/, so it needs a letter or digit,
    and it keeps to letters, digits and a little punctuation so one word is written one way."""
    if not any(char.isalnum() for char in tag):
        return "has no letter or digit; a tag needs one"
    odd = sorted({char for char in tag if not char.isalnum() and char not in TAG_PUNCTUATION})
    if odd:
        shown = " ".join(repr(char) for char in odd)
        return f"has {shown}: tags use letters, digits, spaces and - + . # _"
    return None


def yaml_error(exc: yaml.YAMLError, text: str) -> tuple[str, int | None, int | None]:
    """What is wrong with YAML ``text`` and where (0-based line and column), told the way a curator fixes it.
    A quote or bracket left open (the parser only notices lines later) is reported where it was opened; a
    tab where YAML expects indentation is named."""
    problem, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    lines = text.split("\n")
    if problem and context and context.line < problem.line:
        opener = lines[context.line][context.column : context.column + 1]
        if opener and opener in "'\"[{":
            return (
                f"the {opener} opened here is never closed; close it on this line",
                context.line,
                context.column,
            )
    mark = problem or context
    if mark is None:
        return reason, None, None
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1]:
        return (
            "a tab character: YAML indents with spaces; replace the tab with spaces",
            mark.line,
            line.find("\t"),
        )
    return reason, mark.line, mark.column
