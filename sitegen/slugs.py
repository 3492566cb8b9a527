"""How a paper is named: the key papers are de-duplicated by, its stable id and its slug (file name and URL).

A new paper's slug reads math as text; a paper already on disk keeps the slug its file name gives it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sitegen.texmath import plain_title

SLUG_MAX = 80

# Greek letters appear in titles as math ($π$); spell them out ("pi") so slugs stay readable.
_GREEK_NAME = re.compile(r"GREEK (?:SMALL|CAPITAL) LETTER (\w+)$")


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


def plain_slug(title: str) -> str:
    """The slug a title gives by a rule simple enough for static/search-store.js to apply as well (so
    search results omit a slug equal to it): ASCII letters and digits lower-cased, in words joined by
    hyphens, cut at a word within SLUG_MAX."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    slug = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text):
        if len(slug) + len(word) + bool(slug) > SLUG_MAX:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def _spell_greek(char: str) -> str:
    match = _GREEK_NAME.match(unicodedata.name(char, "")) if "\u0370" <= char <= "\u03ff" else None
    return f" {match.group(1).lower()} " if match else char


def unique_slug(title: str, pid: str, taken: Iterable[str]) -> str:
    """A slug for a new paper that no other paper has; stable because it depends only on title and id.
    Math is read as text first ("$\\mathcal{O}(n)$" gives "o-n", not "mathcal-o-n"); papers already on
    disk keep the slug their file name gives them."""
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
