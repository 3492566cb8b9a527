"""The search stage: the site's papers -> a prebuilt index, as small ``.js`` data files fetched on demand.

Text becomes terms as ``sitegen/search_text.py`` says (spelling variants folded, light stems, hyphenated
words joined, acronym pairs mined from the papers); ``static/search-engine.js`` reads queries the same
way and adds up the impacts (lunr's BM25 scores, made here) of the postings it fetches.

The index is sharded so that a query downloads only what it needs, at any number of papers:

- ``catalog.js`` (once per visit): the paper count, the impact scale, the themes and each paper's
  theme (for the theme counts), the mined acronym pairs, and where every other file's pieces start
  (shard keys, papers a piece) with their versions: nothing per paper but a few theme runs;
- ``lexicon/<n>.js``: the terms, sorted, with how many papers hold each, in shards by term prefix
  (a prefix's terms stay together while under a byte budget, else the prefix is split by its next
  letter): completions, spelling families and typos are found there; a prefix whose terms span several
  shards has its most common completions listed in the first of them, so typing it fetches one shard;
- ``postings/<n>.js``: per term, the first tier of its papers by impact (``search_tiers.py``: each
  paper's BM25 score for it, computed here), in shards by term prefix as well, and where its later
  tiers are: ``tiers/<n>.js``, fetched only when a query needs more of the term's papers;
- ``docs/<n>.js``: what a result shows (title, slug), by paper number range: fetched for the results
  on screen only;
- ``text/<n>.js``: the abstracts' plain text in chunks of a few papers, for the excerpts on screen
  and for checking a quoted phrase on its candidate papers.

Every size is a byte budget, never a count fitted to a corpus. The files are JavaScript, not JSON, so
they load with a ``<script>`` tag from ``file://`` as well. Output is deterministic: same papers, same
bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen import search_lexicon, search_tiers, slugs
from sitegen.model import Site
from sitegen.render import PaperView
from sitegen.search_text import Acronyms, field_terms, mine_acronyms

FORMAT = 4
TITLE_BOOST = 10  # a title hit outranks an abstract that mentions the term many times
FIELDS: tuple[tuple[str, int], ...] = (
    ("title", TITLE_BOOST),
    ("abstract", 1),
    ("theme", 1),
    ("tags", 1),
    ("arxiv", TITLE_BOOST),  # typing a paper's arXiv id (or arxiv:<id>) finds it first
)


@dataclass(frozen=True)
class Budgets:
    """Byte budgets of the pieces (raw; about a third of it gzipped). A fetch costs a request's overhead
    (a few hundred bytes of headers) and a round trip, so a piece is a few KB: small enough that a query
    downloads little beyond what it needs, big enough that the overhead stays a small share."""

    lexicon: int = 2048
    postings: int = 1024  # first tiers: a few terms' (each typed word completes to terms of its own)
    tiers: int = 1024  # later tiers; a tier over it is a piece of its own
    # Papers in a term's first tier: a few screens of 20 results, so that a query of common words is
    # usually decided by the first tiers (a later tier is fetched when it is not).
    first_tier: int = 64
    # What a result shows (its title; its link when the title does not give it): one paper's, as in a
    # large site every result on screen comes from a piece of its own, whatever the piece holds.
    docs: int = 160
    text: int = 1024  # an abstract: the excerpts on screen fetch one each


# The names (under static/) the search files are written to.
CATALOG_FILE = "search/catalog.js"
LEXICON_DIR = "search/lexicon/"
POSTINGS_DIR = "search/postings/"
DOCS_DIR = "search/docs/"
TEXT_DIR = "search/text/"
TIERS_DIR = "search/tiers/"
PARTS = {
    "lexicon": LEXICON_DIR,
    "postings": POSTINGS_DIR,
    "tiers": TIERS_DIR,
    "docs": DOCS_DIR,
    "text": TEXT_DIR,
}
LUNR_FILE = "vendor/lunr.min.js"
MANIFEST_FILE = "search/manifest.js"  # unversioned: the one file that names the catalog's version

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


Analysis = dict[str, list[tuple[str, int]]]  # field -> (term, frequency) pairs, sorted by term


def analyse(doc: Document, acronyms: Acronyms) -> Analysis:
    """One paper's terms, field by field: the per-paper half of the index (``Inverted.assembled`` is
    the other), kept per paper between builds by ``sitegen.search_state``."""
    return {name: sorted(field_terms(doc[name], acronyms).items()) for name, _ in FIELDS}


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


def by_code_unit(terms: Iterable[str]) -> list[str]:
    """Terms in the order JavaScript compares strings (UTF-16 code units), so the browser's binary
    searches over shard keys agree with this order even for characters beyond the BMP."""
    return sorted(terms, key=lambda t: t.encode("utf-16-be"))


def prefix_shards(terms: Sequence[str], sizes: Sequence[int], budget: int) -> list[int]:
    """Where each shard of ``terms`` (sorted) starts: a prefix's terms stay together when they fit in
    ``budget`` bytes, else the prefix is split by its next character, and neighbouring small pieces are
    joined again while they fit. A term bigger than the budget is a shard of its own."""
    ends = list(itertools.accumulate(sizes, initial=0))

    def split(lo: int, hi: int, depth: int) -> list[int]:
        if ends[hi] - ends[lo] <= budget or hi - lo == 1:
            return [lo]
        starts = [lo] + [i for i in range(lo + 1, hi) if terms[i][: depth + 1] != terms[i - 1][: depth + 1]]
        return [p for a, b in spans(starts, hi) for p in split(a, b, depth + 1)]

    joined: list[int] = []
    pieces = split(0, len(terms), 0) if terms else [0]
    for start, end in spans(pieces, len(terms)):
        if joined and ends[end] - ends[joined[-1]] <= budget:
            continue
        joined.append(start)
    return joined


def shard_keys(terms: Sequence[str], starts: Sequence[int]) -> list[str]:
    """Each shard's key: the shortest start of its first term that sorts after the term before it, so
    that a term lives in the last shard whose key is not above it."""
    keys = []
    for start in starts:
        first, before = terms[start], terms[start - 1] if start else ""
        n = 1
        while first[:n].encode("utf-16-be") <= before.encode("utf-16-be") and n < len(first):
            n += 1
        keys.append(first[:n] if start else "")
    return keys


def spans(starts: Sequence[int], total: int) -> list[tuple[int, int]]:
    """(start, end) of each piece, given where each starts and where the last ends."""
    return list(zip(starts, [*starts[1:], total], strict=True))


def encode_numbers(values: Iterable[int]) -> str:
    return "".join(_number(v) for v in values)


def runs(values: Sequence[int]) -> str:
    """A sequence as (value, repeat count) pairs: the papers are in theme order, so a few pairs."""
    return encode_numbers(
        n for value, group in itertools.groupby(values) for n in (value, sum(1 for _ in group))
    )


@dataclass(frozen=True)
class Inverted:
    """The postings of every field, and each paper's field lengths (for BM25)."""

    terms: list[str]  # sorted by code unit
    postings: dict[str, dict[str, str]]  # field -> term -> encoded postings
    counts: dict[str, int]  # term -> papers with it in any field
    lengths: dict[str, list[int]]  # field -> each paper's length (terms with their frequencies)

    @classmethod
    def of(cls, docs: Sequence[Document], acronyms: Acronyms) -> Inverted:
        return cls.assembled([analyse(doc, acronyms) for doc in docs])

    @classmethod
    def assembled(cls, analyses: Sequence[Analysis]) -> Inverted:
        """The index of papers analysed one by one (``analyse``), numbered in the order given."""
        pairs: dict[str, dict[str, list[tuple[int, int]]]] = {name: {} for name, _ in FIELDS}
        lengths = {name: [0] * len(analyses) for name, _ in FIELDS}
        counts: dict[str, int] = {}
        for number, analysis in enumerate(analyses):
            held: set[str] = set()
            for name, _ in FIELDS:
                by_term, total = pairs[name], 0
                for t, tf in analysis[name]:
                    by_term.setdefault(t, []).append((number, tf))
                    total += tf
                    held.add(t)
                lengths[name][number] = total
            for t in held:
                counts[t] = counts.get(t, 0) + 1
        encoded = {
            name: {t: encode_postings(p) for t, p in by_term.items()} for name, by_term in pairs.items()
        }
        return cls(by_code_unit(counts), encoded, counts, lengths)


Files = dict[str, bytes]


def lexicon_files(inverted: Inverted, budget: int) -> tuple[list[str], Files]:
    """The terms with how many papers hold each (for completions and typos), in shards by prefix; in
    the shard where a prefix's terms start, when they span several shards, its most common completions
    (``tops``), so that the word being typed needs one shard, not all of the prefix's."""
    terms = inverted.terms
    starts = prefix_shards(terms, [len(t) + 4 for t in terms], budget)
    keys = shard_keys(terms, starts)
    tops: list[dict[str, list[str]]] = [{} for _ in starts]
    units = [search_lexicon.code_units(t) for t in terms]
    for prefix in sorted(search_lexicon.spanning_prefixes(terms, starts)):
        top = search_lexicon.most_common(terms, units, inverted.counts, prefix)
        entry = [" ".join(top), encode_numbers(inverted.counts[t] for t in top)]
        tops[search_lexicon.shard_of(keys, prefix)][prefix] = entry
    files = {}
    for number, (a, b) in enumerate(spans(starts, len(terms))):
        part = terms[a:b]
        payload = {
            "terms": part,
            "counts": encode_numbers(inverted.counts[t] for t in part),
            "tops": tops[number],
        }
        files[f"{LEXICON_DIR}{number}.js"] = as_script(f"lexicon{number}", payload)
    return keys, files


def tiered_postings(inverted: Inverted, first_tier: int) -> dict[str, search_tiers.Tiered]:
    """Every term's papers in impact order, cut into tiers (``search_tiers``), from its postings."""
    fields = search_tiers.Fields.of(dict(FIELDS), inverted.lengths)
    return {
        t: search_tiers.tiered(
            search_tiers.impacts(
                {name: decode_postings(by[t]) for name, by in inverted.postings.items() if t in by}, fields
            ),
            first_tier,
            _number,
        )
        for t in inverted.terms
    }


def postings_files(
    terms: Sequence[str], postings: Mapping[str, search_tiers.Tiered], budgets: Budgets
) -> tuple[list[str], Files]:
    """Every term's first tier, in shards by prefix, with the numbers of the pieces of its later tiers;
    the later tiers in ``tiers/<n>.js``."""
    later = search_tiers.pack_later(terms, postings, budgets.tiers)
    where: dict[str, list[int]] = {}
    files = {}
    for number, piece in enumerate(later):
        for t, _ in piece:
            where.setdefault(t, []).append(number)
        payload = {"terms": [t for t, _ in piece], "postings": [postings[t].later[d] for t, d in piece]}
        files[f"{TIERS_DIR}{number}.js"] = as_script(f"tiers{number}", payload)
    sizes = [len(t) + len(postings[t].first) + 3 * len(where.get(t, ())) + 6 for t in terms]
    starts = prefix_shards(terms, sizes, budgets.postings)
    for number, (a, b) in enumerate(spans(starts, len(terms))):
        part = terms[a:b]
        payload = {
            "terms": part,
            "postings": [postings[t].first for t in part],
            "later": [encode_numbers(where.get(t, ())) for t in part],
        }
        files[f"{POSTINGS_DIR}{number}.js"] = as_script(f"postings{number}", payload)
    return shard_keys(terms, starts), files


def shown_record(title: str, slug: str) -> list[str]:
    """What a result shows: [title] when its slug is the one the title gives (most papers: titles
    are about half of what results fetch), else [title, slug]."""
    return [title] if slug and slugs.plain_slug(title) == slug else [title, slug]


def id_range_files(kind: str, items: Sequence[Any], sizes: Sequence[int], budget: int) -> tuple[int, Files]:
    """Per-paper records in pieces of consecutive papers: as many papers a piece as fit ``budget`` bytes
    on average (so the catalog says one number, and a piece is only its records: piece n starts at
    paper n times that number)."""
    per = max(1, budget * len(items) // max(1, sum(sizes)))
    files = {
        f"search/{kind}/{number}.js": as_script(f"{kind}{number}", list(items[first : first + per]))
        for number, first in enumerate(range(0, len(items), per))
    }
    return per, files


def as_script(name: str, payload: Any) -> bytes:
    """A script that hands the payload to search.js whichever of the two runs first."""
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "<" as a JSON escape: the data can never close a <script> element, even if someone inlines it.
    data = data.replace("<", "\\u003c")
    return f"(self.sitegenSearch=self.sitegenSearch||{{}})[{json.dumps(name)}]={data};\n".encode()


def search_key(site: Site, views: Mapping[str, PaperView]) -> tuple:
    """Everything the search files depend on: equal keys give equal bytes."""
    return (
        tuple((t.slug, t.title) for t in site.themes),
        tuple(
            (p.slug, p.theme, p.tags, p.arxiv, views[p.slug].title_text, views[p.slug].abstract_text)
            for p in site.papers
        ),
    )


def version(files: Mapping[str, bytes], directory: str) -> str:
    """One version for all the files of a directory: a query's pieces always come from one build."""
    digest = hashlib.sha256()
    for name in sorted(n for n in files if n.startswith(directory)):
        digest.update(name.encode() + b"\0" + files[name])
    return digest.hexdigest()[:10]


Assembler = Callable[[Sequence[Document], Acronyms], Inverted]


def search_files(
    site: Site,
    views: Mapping[str, PaperView],
    budgets: Budgets = Budgets(),
    assemble: Assembler = Inverted.of,
) -> dict[str, bytes]:
    """The generated search files, by name under static/ (``budgets``: see ``Budgets``); ``assemble``
    makes the index from the documents (``sitegen.search_state`` reuses the last build's analysis)."""
    docs = search_documents(site, views)
    acronyms = acronyms_of(docs)
    inverted = assemble(docs, acronyms)
    lexicon_keys, files = lexicon_files(inverted, budgets.lexicon)
    tiered = tiered_postings(inverted, budgets.first_tier)
    postings_keys, postings = postings_files(inverted.terms, tiered, budgets)
    shown = [shown_record(doc["title"], p.slug) for doc, p in zip(docs, site.papers, strict=True)]
    docs_per_piece, doc_files = id_range_files(
        "docs", shown, [sum(len(part) + 3 for part in d) + 2 for d in shown], budgets.docs
    )
    abstracts = [doc["abstract"] for doc in docs]
    text_per_piece, text_files = id_range_files(
        "text", abstracts, [len(a) + 1 for a in abstracts], budgets.text
    )
    files |= postings | doc_files | text_files
    theme_number = {t.slug: n for n, t in enumerate(site.themes)}
    catalog = {
        "format": FORMAT,
        "count": len(docs),
        "impact": {"floor": search_tiers.IMPACT_FLOOR, "step": search_tiers.IMPACT_STEP},
        "themes": [[t.slug, t.title] for t in site.themes],
        "themeRuns": runs([theme_number[p.theme] for p in site.papers]),
        "acronyms": {short.lower(): list(long) for short, long in acronyms.by_short.items()},
        "lexicon": lexicon_keys,
        "postings": postings_keys,
        "docs": docs_per_piece,
        "text": text_per_piece,
        "versions": {kind: version(files, directory) for kind, directory in PARTS.items()},
    }
    files[CATALOG_FILE] = as_script("catalog", catalog)
    return files


def manifest(assets: Mapping[str, str]) -> bytes:
    """The versioned URL (relative to the site root) of the catalog, for search.js."""
    return as_script("manifest", {"catalog": assets[CATALOG_FILE]})
