"""The search stage: the site's papers -> a prebuilt Lunr index and document store, as two ``.js`` files.

Lunr (lunr.py, the same tokenizer, stop words and stemmer as lunr.js 2.3.9) analyses every paper at build
time. Its serialized index is large (~300 KB gzipped at 450 papers) because it repeats what is derivable:
the inverted index is the transpose of the field vectors, and every BM25 score follows from a term
frequency and the field lengths. So we ship only the sorted terms and, per field and document, the
delta-coded term numbers with their frequencies; ``static/search.js`` rebuilds the exact index lunr.js would
load (same scores, same rounding) in a few milliseconds.

Two tiers, so a large site shows first results after a small download:
- ``titles.js``: the title index and what a result shows (title, slug, theme);
- ``full.js``: title, abstract, theme and tag index plus each abstract's excerpt for showing results;
- ``text.js``: each abstract's plain text, fetched only for a quoted phrase (lunr has no phrase queries:
  search.js runs the AND query, then checks the phrase in the text). Kept apart because it is most of the
  bytes (~200 KB gzipped at 450 papers) and few queries need it.

The files are JavaScript, not JSON, so they load with a ``<script>`` tag from ``file://`` as well.
Output is deterministic: same papers, same bytes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from lunr import get_default_builder
from lunr.token import Token
from lunr.tokenizer import SEPARATOR_CHARS

from sitegen.model import Site
from sitegen.render import PaperView

FORMAT = 1
TITLE_BOOST = 10  # a title hit outranks an abstract that mentions the term many times
TITLE_FIELDS: tuple[tuple[str, int], ...] = (("title", TITLE_BOOST),)
FULL_FIELDS: tuple[tuple[str, int], ...] = (
    ("title", TITLE_BOOST),
    ("abstract", 1),
    ("theme", 1),
    ("tags", 1),
    ("arxiv", TITLE_BOOST),  # typing a paper's arXiv id (or arxiv:<id>) finds it first
)
# The names (under static/) the search files are written to and versioned as.
TITLES_FILE = "search/titles.js"
FULL_FILE = "search/full.js"
TEXT_FILE = "search/text.js"
LUNR_FILE = "vendor/lunr.min.js"
MANIFEST_FILE = "search/manifest.js"  # unversioned: the one file that names the others' versions

Document = dict[str, str]


def search_documents(site: Site, views: Mapping[str, PaperView]) -> list[Document]:
    """One plain-text record per visible paper, in the site's order; the ref is the position."""
    themes = {t.slug: t for t in site.themes}
    docs = []
    for number, paper in enumerate(site.papers):
        view, theme = views[paper.slug], themes[paper.theme]
        docs.append(
            {
                "id": str(number),  # short numeric refs: the slug is in the store, not repeated per posting
                "title": view.title_text,
                "abstract": view.abstract_text,
                "theme": f"{theme.title} {theme.slug.replace('-', ' ')}",
                "tags": " ".join(paper.tags),
                "arxiv": paper.arxiv or "",
                "excerpt": view.excerpt,
            }
        )
    return docs


@dataclass(frozen=True)
class Analysis:
    """What lunr's Builder records of each document: per ``field/ref``, its terms and their frequencies."""

    field_term_frequencies: dict[str, Counter[str]]
    k1: float
    b: float


def analyse(docs: Sequence[Document], fields: Sequence[tuple[str, int]]) -> Analysis:
    """lunr.py's tokenizer and default pipeline (trimmer, stop words, stemmer) over every field of every
    document, as ``Builder.add`` runs them, but without its per-token objects, with each distinct word
    analysed once and each unchanged text not again: the same terms and frequencies (tests compare with
    lunr.py) in a fraction of the time."""
    frequencies = {f"{name}/{doc['id']}": field_terms(doc[name]) for doc in docs for name, _ in fields}
    return Analysis(frequencies, _LUNR._k1, _LUNR._b)


_LUNR = get_default_builder()  # its pipeline and BM25 parameters; lunr.js 2.3.9 uses the same
# lunr.tokenizer.SEPARATOR_CHARS: where lunr (py and js) splits text into tokens.
_SEPARATOR = re.compile(f"[{re.escape(SEPARATOR_CHARS)}]")


@cache
def _word(string: str) -> str | None:
    """One word through the pipeline functions (pure functions of the word, so memoised)."""
    token: Token | None = Token(string)
    for function in _LUNR.pipeline._stack:
        token = function(token, 0, [token]) if token is not None else None
    return token.string if token else None


@lru_cache(maxsize=1 << 16)
def field_terms(text: str) -> Counter[str]:
    """The terms of one field's text with their frequencies (shared from the cache: never mutate it)."""
    terms = (_word(piece) for piece in _SEPARATOR.split(text.lower()) if piece)
    return Counter(term for term in terms if term)


def encode_field(frequencies: Mapping[str, int], numbers: Mapping[str, int]) -> list[int]:
    """A field's terms as ascending term numbers, delta-coded (small numbers compress well); a term seen
    more than once is followed by its frequency as a negative number."""
    encoded: list[int] = []
    previous = 0
    for number, tf in sorted((numbers[term], tf) for term, tf in frequencies.items()):
        encoded.append(number - previous)
        previous = number
        if tf > 1:
            encoded.append(-tf)
    return encoded


def compact_index(analysis: Analysis, fields: Sequence[tuple[str, int]], count: int) -> dict[str, Any]:
    """The analysed documents as sorted terms plus per-field, per-document encoded term lists; only the
    terms of ``fields`` (the title tier reuses the full analysis: lunr.py's pipeline is the slow part)."""
    terms = sorted(
        {
            term
            for name, _ in fields
            for ref in range(count)
            for term in analysis.field_term_frequencies[f"{name}/{ref}"]
        }
    )
    numbers = {term: number for number, term in enumerate(terms)}
    vectors = {
        name: [
            encode_field(analysis.field_term_frequencies[f"{name}/{ref}"], numbers) for ref in range(count)
        ]
        for name, _ in fields
    }
    return {
        "format": FORMAT,
        "k1": analysis.k1,
        "b": analysis.b,
        "fields": [list(field) for field in fields],
        "terms": terms,
        "vectors": vectors,
    }


def decode_field(encoded: Sequence[int]) -> dict[int, int]:
    """Inverse of ``encode_field``: term number -> frequency (used by tests and mirrored in search.js)."""
    frequencies: dict[int, int] = {}
    number = 0
    for value in encoded:
        if value < 0:
            frequencies[number] = -value
        else:
            number += value
            frequencies[number] = 1
    return frequencies


def titles_payload(site: Site, docs: Sequence[Document], analysis: Analysis) -> dict[str, Any]:
    payload = compact_index(analysis, TITLE_FIELDS, len(docs))
    theme_number = {t.slug: n for n, t in enumerate(site.themes)}
    payload["themes"] = [[t.slug, t.title] for t in site.themes]
    payload["docs"] = [
        [doc["title"], p.slug, theme_number[p.theme]] for doc, p in zip(docs, site.papers, strict=True)
    ]
    return payload


def full_payload(docs: Sequence[Document], analysis: Analysis) -> dict[str, Any]:
    payload = compact_index(analysis, FULL_FIELDS, len(docs))
    payload["excerpts"] = [doc["excerpt"] for doc in docs]
    return payload


def as_script(name: str, payload: Mapping[str, Any]) -> bytes:
    """A script that hands the payload to search.js whichever of the two runs first."""
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "<" as a JSON escape: the data can never close a <script> element, even if someone inlines it.
    data = data.replace("<", "\\u003c")
    return f"(self.sitegenSearch=self.sitegenSearch||{{}}).{name}={data};\n".encode()


def manifest(assets: Mapping[str, str]) -> bytes:
    """The versioned URLs (relative to the site root) of the index files, for search.js."""
    names = {"titles": TITLES_FILE, "full": FULL_FILE, "text": TEXT_FILE}
    return as_script("manifest", {key: assets[name] for key, name in names.items()})


def search_key(site: Site, views: Mapping[str, PaperView]) -> tuple:
    """Everything the search files depend on: equal keys give equal bytes."""
    return (
        tuple((t.slug, t.title) for t in site.themes),
        tuple(
            (p.slug, p.theme, p.tags, p.arxiv, views[p.slug].title_text, views[p.slug].abstract_text)
            for p in site.papers
        ),
    )


def search_files(site: Site, views: Mapping[str, PaperView]) -> dict[str, bytes]:
    """The generated search files, by name under static/."""
    docs = search_documents(site, views)
    analysis = analyse(docs, FULL_FIELDS)
    return {
        TITLES_FILE: as_script("titles", titles_payload(site, docs, analysis)),
        FULL_FILE: as_script("full", full_payload(docs, analysis)),
        TEXT_FILE: as_script("text", {"format": FORMAT, "text": [doc["abstract"] for doc in docs]}),
    }
