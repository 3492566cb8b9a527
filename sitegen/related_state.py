"""Related papers after an edit: each paper's term counts kept between builds, so that only the edited
papers' text is read again, and the similarities recomputed whole from them.

Reading the titles and abstracts into term counts is half the cost of related papers at 10,000 papers.
The counts are kept in the build cache's store, each under the digest of the (title, abstract) it was
counted from, with the terms they name. The similarities themselves are not patched: every edit changes
the document frequency of the terms it adds or removes, so the weight of those terms in every paper that
holds them, their norms, which terms each paper keeps and which papers each term keeps; the matrix
product that follows takes a fraction of a second. ``related.related_papers`` then runs on a
``Vocabulary`` that is told the kept counts: it numbers the terms by first sight in slug order exactly
as it does for counts it makes itself, so the result is the clean computation's, float for float
(``tests/test_related_state.py`` compares them after random edits).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from array import array
from collections.abc import Sequence
from typing import Any

from sitegen.frontmatter import Paper
from sitegen.related import Related, Vocabulary, related_papers
from sitegen.store import Store

FORMAT = 1
KeptRelated = tuple[dict[str, tuple[Related, ...]], list[Any] | None]  # lists by slug, the kept entry


def text_key(text: tuple[str, str]) -> str:
    title, abstract = text
    return hashlib.sha256(f"{len(title)}:{title}{abstract}".encode("utf-8", "surrogatepass")).hexdigest()


def related_kept(papers: Sequence[Paper], k: int, store: Store, previous: Any) -> KeptRelated:
    """``related_papers(papers, k)``, reading only the texts whose counts the entry ``previous`` does not
    hold; returns the lists and the entry of the counts kept for the next build (None: not kept)."""
    texts: Texts = [(p.title, p.abstract) for p in sorted(papers, key=lambda p: p.slug)]
    keys = [text_key(text) for text in texts]
    vocabulary = Vocabulary()
    vocabulary.known = _restored(store, previous, texts, keys)
    found = related_papers(papers, k, vocabulary)
    return found, _keep(store, vocabulary, texts, keys)


Texts = list[tuple[str, str]]


def _restored(
    store: Store, previous: Any, texts: Texts, keys: list[str]
) -> dict[tuple[str, str], dict[str, int]]:
    """The kept term counts of those of ``texts`` that the entry ``previous`` holds."""
    data = store.read(previous) if previous else None
    if not data:
        return {}
    try:
        header, _, body = data.partition(b"\n")
        kept = json.loads(header)
        if kept["format"] != FORMAT or kept["byteorder"] != sys.byteorder:
            return {}
        terms, sizes = kept["terms"], kept["sizes"]
        numbers, counts = array("q"), array("q")
        half = len(body) // 2
        numbers.frombytes(body[:half])
        counts.frombytes(body[half:])
        ends = [start + size for start, size in zip(kept["starts"], sizes, strict=True)]
        spans = dict(zip(kept["keys"], zip(kept["starts"], ends, strict=True), strict=True))
        known = {}
        for text, key in zip(texts, keys, strict=True):
            span = spans.get(key)
            if span is not None:
                own = [terms[n] for n in numbers[span[0] : span[1]]]
                known[text] = dict(zip(own, counts[span[0] : span[1]], strict=True))
        return known
    except (ValueError, KeyError, TypeError, IndexError):
        return {}


def _keep(store: Store, vocabulary: Vocabulary, texts: Texts, keys: list[str]) -> list[Any] | None:
    counted = [vocabulary.counted(text) for text in texts]
    sizes = [len(own) for own, _ in counted]
    starts = list(itertools.accumulate(sizes, initial=0))[:-1]
    numbers = array("q", itertools.chain.from_iterable(own for own, _ in counted))
    counts = array("q", itertools.chain.from_iterable(times for _, times in counted))
    header = {
        "format": FORMAT,
        "byteorder": sys.byteorder,
        "terms": vocabulary.terms,
        "keys": keys,
        "starts": starts,
        "sizes": sizes,
    }
    data = json.dumps(header, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        return store.put(data + b"\n" + numbers.tobytes() + counts.tobytes())
    except OSError:
        return None
