"""The search stage: the site's papers -> a prebuilt index for lunr.js, as small ``.js`` data files.

Text becomes terms as ``sitegen/search_text.py`` says (spelling variants folded, light stems, hyphenated
words joined, acronym pairs mined from the papers); ``static/search-engine.js`` reads queries the same
way and rebuilds, from these files, the lunr.Index it queries (BM25 scores as lunr's Builder computes them).

What is shipped is the inverted index only: per field, per term (terms sorted, so the files could be
split by term prefix), the papers that hold it as delta-coded numbers with their frequencies, written
as short strings (``encode_postings``): every field length and score follows from them.

- ``titles.js``: the title field, and what a result shows (title, slug, theme): first results come
  from it alone, after a small download;
- ``full.js``: the abstract, theme and tag fields, and the mined acronym pairs (for highlighting);
- ``text/<n>.js``: the abstracts' plain text in chunks of a few papers, fetched only for the results
  on screen (their excerpts) and for checking a quoted phrase on its candidate papers.

The files are JavaScript, not JSON, so they load with a ``<script>`` tag from ``file://`` as well.
Output is deterministic: same papers, same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from lunr import get_default_builder

from sitegen.model import Site
from sitegen.render import PaperView
from sitegen.search_text import Acronyms, field_terms, mine_acronyms

FORMAT = 2
TITLE_BOOST = 10  # a title hit outranks an abstract that mentions the term many times
TITLE_FIELDS: tuple[tuple[str, int], ...] = (("title", TITLE_BOOST),)
BODY_FIELDS: tuple[tuple[str, int], ...] = (
    ("abstract", 1),
    ("theme", 1),
    ("tags", 1),
    ("arxiv", TITLE_BOOST),  # typing a paper's arXiv id (or arxiv:<id>) finds it first
)
# lunr's BM25 parameters (lunr.js 2.3.9 uses the same).
K1, B = get_default_builder()._k1, get_default_builder()._b
# A text chunk holds whole abstracts up to about this many characters: the results on screen fetch a
# few small files, never the whole text.
TEXT_CHUNK_CHARS = 4096
# The names (under static/) the search files are written to and versioned as.
TITLES_FILE = "search/titles.js"
FULL_FILE = "search/full.js"
TEXT_DIR = "search/text/"
LUNR_FILE = "vendor/lunr.min.js"
MANIFEST_FILE = "search/manifest.js"  # unversioned: the one file that names the others' versions

Document = dict[str, str]


def search_documents(site: Site, views: Mapping[str, PaperView]) -> list[Document]:
    """One plain-text record per visible paper, in the site's order; its number is its position."""
    themes = {t.slug: t for t in site.themes}
    docs = []
    for paper in site.papers:
        view, theme = views[paper.slug], themes[paper.theme]
        docs.append(
            {
                "title": view.title_text,
                "abstract": view.abstract_text,
                "theme": f"{theme.title} {theme.slug.replace('-', ' ')}",
                "tags": " ".join(paper.tags),
                "arxiv": paper.arxiv or "",
            }
        )
    return docs


def acronyms_of(docs: Sequence[Document]) -> Acronyms:
    return Acronyms.of(mine_acronyms(f"{doc['title']}\n{doc['abstract']}" for doc in docs))


def postings(
    docs: Sequence[Document], fields: Sequence[tuple[str, int]], acronyms: Acronyms
) -> dict[str, dict[str, list[tuple[int, int]]]]:
    """Per field, per term: the (paper number, frequency) pairs, in paper order."""
    inverted: dict[str, dict[str, list[tuple[int, int]]]] = {name: {} for name, _ in fields}
    for number, doc in enumerate(docs):
        for name, _ in fields:
            for term, tf in sorted(field_terms(doc[name], acronyms).items()):
                inverted[name].setdefault(term, []).append((number, tf))
    return inverted


# Base-32 digits: a number's last digit from END, the ones before it from MORE (so no separators).
END = "0123456789abcdefghijklmnopqrstuv"
MORE = "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$"


def _number(value: int) -> str:
    digits = END[value & 31]
    value >>= 5
    while value:
        digits = MORE[value & 31] + digits
        value >>= 5
    return digits


def encode_postings(pairs: Sequence[tuple[int, int]]) -> str:
    """(paper, frequency) pairs in paper order -> a string: per pair, the gap since the previous paper
    doubled plus one when the frequency is over 1, then (if so) the frequency minus 2."""
    out, previous = [], -1
    for number, tf in pairs:
        out.append(_number((number - previous - 1) * 2 + (tf > 1)))
        if tf > 1:
            out.append(_number(tf - 2))
        previous = number
    return "".join(out)


def decode_numbers(encoded: str) -> list[int]:
    """The numbers ``_number`` wrote one after another (used by tests; mirrored in search-engine.js)."""
    values, value = [], 0
    for ch in encoded:
        if ch in MORE:
            value = value * 32 + MORE.index(ch)
        else:
            values.append(value * 32 + END.index(ch))
            value = 0
    return values


def decode_postings(encoded: str) -> list[tuple[int, int]]:
    """Inverse of ``encode_postings``."""
    values = decode_numbers(encoded)
    pairs, number, i = [], -1, 0
    while i < len(values):
        number += values[i] // 2 + 1
        tf = values[i + 1] + 2 if values[i] % 2 else 1
        i += 2 if values[i] % 2 else 1
        pairs.append((number, tf))
    return pairs


def index_payload(
    docs: Sequence[Document], fields: Sequence[tuple[str, int]], acronyms: Acronyms
) -> dict[str, Any]:
    inverted = postings(docs, fields, acronyms)
    terms = sorted({term for by_term in inverted.values() for term in by_term})
    lengths = {name: [0] * len(docs) for name, _ in fields}
    for name, by_term in inverted.items():
        for pairs in by_term.values():
            for number, tf in pairs:
                lengths[name][number] += tf
    return {
        "format": FORMAT,
        "k1": K1,
        "b": B,
        "count": len(docs),
        "fields": [list(field) for field in fields],
        "terms": terms,
        "postings": {
            name: [encode_postings(inverted[name].get(term, ())) for term in terms] for name, _ in fields
        },
        # Each paper's field lengths (its terms counted with their frequencies), for BM25: with them the
        # browser scores a term's postings when a query needs them, never the whole index up front.
        "lengths": {name: "".join(_number(n) for n in lengths[name]) for name, _ in fields},
    }


def titles_payload(site: Site, docs: Sequence[Document], acronyms: Acronyms) -> dict[str, Any]:
    payload = index_payload(docs, TITLE_FIELDS, acronyms)
    theme_number = {t.slug: n for n, t in enumerate(site.themes)}
    payload["themes"] = [[t.slug, t.title] for t in site.themes]
    payload["docs"] = [
        [doc["title"], p.slug, theme_number[p.theme]] for doc, p in zip(docs, site.papers, strict=True)
    ]
    return payload


def full_payload(docs: Sequence[Document], acronyms: Acronyms, starts: Sequence[int]) -> dict[str, Any]:
    payload = index_payload(docs, BODY_FIELDS, acronyms)
    payload["acronyms"] = {short.lower(): list(long) for short, long in acronyms.by_short.items()}
    payload["chunks"] = list(starts)  # the first paper of each text chunk
    return payload


def text_chunks(docs: Sequence[Document]) -> list[list[str]]:
    """The abstracts in order, cut into chunks of whole abstracts of about ``TEXT_CHUNK_CHARS``."""
    chunks: list[list[str]] = [[]]
    size = 0
    for doc in docs:
        if size >= TEXT_CHUNK_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(doc["abstract"])
        size += len(doc["abstract"]) + 1
    return chunks


def as_script(name: str, payload: Any) -> bytes:
    """A script that hands the payload to search.js whichever of the two runs first."""
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "<" as a JSON escape: the data can never close a <script> element, even if someone inlines it.
    data = data.replace("<", "\\u003c")
    return f"(self.sitegenSearch=self.sitegenSearch||{{}})[{json.dumps(name)}]={data};\n".encode()


def text_file(number: int) -> str:
    return f"{TEXT_DIR}{number}.js"


def manifest(assets: Mapping[str, str]) -> bytes:
    """The versioned URLs (relative to the site root) of the index files, for search.js."""
    chunks = sorted(
        (int(name[len(TEXT_DIR) : -3]), url) for name, url in assets.items() if name.startswith(TEXT_DIR)
    )
    text = [url for _, url in chunks]
    return as_script("manifest", {"titles": assets[TITLES_FILE], "full": assets[FULL_FILE], "text": text})


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
    acronyms = acronyms_of(docs)
    chunks = text_chunks(docs)
    starts = [sum(len(c) for c in chunks[:i]) for i in range(len(chunks))]
    files = {
        TITLES_FILE: as_script("titles", titles_payload(site, docs, acronyms)),
        FULL_FILE: as_script("full", full_payload(docs, acronyms, starts)),
    }
    for number, (first, chunk) in enumerate(zip(starts, chunks, strict=True)):
        files[text_file(number)] = as_script(f"text{number}", {"first": first, "text": chunk})
    return files
