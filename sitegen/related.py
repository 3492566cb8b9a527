"""Related papers: TF-IDF cosine similarity over title and abstract, top-k per paper.

Vectors are sparse and pruned to each paper's strongest terms; similarities are accumulated through an
inverted index, so the cost grows with the number of shared strong terms, never with N x N.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from sitegen.content import Paper

TOP_K = 5
TERMS_PER_PAPER = 24  # strongest terms kept per vector: enough for the match, small enough to stay fast
TITLE_WEIGHT = 3  # a title word counts as much as three abstract words
COMMON = 0.15  # terms in more than this share of papers say nothing about a pair
POSTINGS_KEPT = 40  # papers kept per term: exact for small lists, bounded work per paper for large corpora
SHARED_SHOWN = 3

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
# English function words plus the vocabulary every abstract uses ("we propose a novel method ...").
_STOPWORDS = """
    a about above across after again against all almost also although always among an and another any are
    around as at be because been before being below between both but by can could did do does doing done
    down during each either et etc even ever every few for from further had has have having here how however
    i if in into is it its itself just less let like made make makes many may might more most much must my
    neither no nor not now of off often on once one only or other others our ours out over own per rather
    same several should show shows shown since so some such than that the their them then there therefore
    these they this those though three through thus to too two under until up upon us use used uses using
    very via was way we well were what when where whether which while who whom whose why will with within
    without would yet you your
    approach approaches based different demonstrate effective effectively existing experiments experimental
    first furthermore new novel paper papers propose proposed provide recent results result significant
    significantly state-of-the-art study task tasks work works art method methods model models performance
    achieve achieves achieved however moreover further present presents introduce introduces key large
    problem problems question important various whereas able available code github com https http
"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Related:
    slug: str
    score: float  # cosine similarity, 0..1
    terms: tuple[str, ...]  # the key terms the two papers share, strongest first


def terms_of(text: str) -> list[str]:
    """Lowercase words without stopwords, with a light plural fold so "networks" meets "network"."""
    words = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS or len(word) < 3:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        words.append(word)
    return words


@lru_cache(maxsize=1 << 15)
def term_counts(title: str, abstract: str) -> Counter[str]:
    """A paper's term frequencies, title words weighted (cached: a rebuild re-reads unchanged papers)."""
    tf = Counter(terms_of(abstract))
    for term in terms_of(title):
        tf[term] += TITLE_WEIGHT
    return tf


def _vectors(texts: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
    counts = [term_counts(title, abstract) for title, abstract in texts]
    n = len(counts)
    df = Counter(term for tf in counts for term in tf)
    vectors = []
    for tf in counts:
        weights = {
            term: (1 + math.log(c)) * math.log(n / df[term])
            for term, c in tf.items()
            if 1 < df[term] <= max(2, COMMON * n)
        }
        strongest = heapq.nlargest(TERMS_PER_PAPER, weights.items(), key=lambda kv: (kv[1], kv[0]))
        norm = math.sqrt(sum(w * w for _, w in strongest)) or 1.0
        vectors.append({term: w / norm for term, w in strongest})
    return vectors


@dataclass(frozen=True)
class SimilarityIndex:
    """Pruned TF-IDF vectors and their inverted index; ``top`` ranks any share of the papers, so the
    work can be split between processes."""

    slugs: tuple[str, ...]
    vectors: tuple[dict[str, float], ...]
    postings: Mapping[str, list[tuple[int, float]]]

    def top(self, indices: range, k: int) -> dict[str, tuple[Related, ...]]:
        result: dict[str, tuple[Related, ...]] = {}
        slugs, vectors, postings = self.slugs, self.vectors, self.postings
        for index in indices:
            vector = vectors[index]
            scores: dict[int, float] = defaultdict(float)
            for term, weight in vector.items():
                for other, other_weight in postings[term]:
                    scores[other] += weight * other_weight
            scores.pop(index, None)
            # The best by score (heapq keeps insertion order among equals, so this is deterministic), then
            # ordered with scores rounded, so float noise never decides an order; ties go by slug.
            best = heapq.nlargest(k, scores.items(), key=itemgetter(1))
            ranked = sorted((-round(score, 6), slugs[other], other) for other, score in best)
            result[slugs[index]] = tuple(
                Related(slug, round(-score, 4), _shared(vector, vectors[other]))
                for score, slug, other in ranked
            )
        return result


def similarity_index(papers: Sequence[Paper]) -> SimilarityIndex:
    vectors = _vectors([(p.title, p.abstract) for p in papers])
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings[term].append((index, weight))
    for posting in postings.values():
        if len(posting) > POSTINGS_KEPT:  # keep the papers the term matters most to (impact pruning)
            posting.sort(key=lambda entry: (-entry[1], entry[0]))
            del posting[POSTINGS_KEPT:]
    return SimilarityIndex(tuple(p.slug for p in papers), tuple(vectors), postings)


def related_papers(papers: Sequence[Paper], k: int = TOP_K) -> dict[str, tuple[Related, ...]]:
    """The ``k`` most similar papers of each paper (never itself), by slug; deterministic."""
    return similarity_index(papers).top(range(len(papers)), k)


def _shared(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[str, ...]:
    common = sorted((-(a[t] * b[t]), t) for t in a.keys() & b.keys())
    return tuple(t for _, t in common[:SHARED_SHOWN])


def curate(
    paper: Paper, computed: Sequence[Related], visible: Mapping[str, Paper], k: int = TOP_K
) -> tuple[Related, ...]:
    """Apply a curator's pins (first, in their order) and hides to the computed list."""
    pinned = [Related(slug, 1.0, ()) for slug in paper.pinned if slug in visible and slug != paper.slug]
    skip = {paper.slug, *paper.hidden, *(r.slug for r in pinned)}
    rest = [r for r in computed if r.slug not in skip]
    return tuple([*pinned, *rest][: max(k, len(pinned))])
