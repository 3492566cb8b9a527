"""Related papers: TF-IDF cosine similarity over title and abstract, top-k per paper.

Vectors are sparse and pruned to each paper's strongest terms, and each term keeps only the papers it
matters most to (impact pruning), so similarities are one sparse matrix product whose cost grows with the
shared strong terms, never with N x N. The arithmetic runs in numpy/scipy: 10,000 papers take well under a
second, so every build, and every preview rebuild, recomputes the lists exactly.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from sitegen.frontmatter import Paper

if TYPE_CHECKING:  # imported where used: numpy and scipy cost a tenth of a second to load
    import numpy as np
    import scipy.sparse

TOP_K = 5
TERMS_PER_PAPER = 24  # strongest terms kept per vector: enough for the match, small enough to stay fast
TITLE_WEIGHT = 3  # a title word counts as much as three abstract words
COMMON = 0.15  # terms in more than this share of papers say nothing about a pair
POSTINGS_KEPT = 40  # papers kept per term: exact for small lists, bounded work per paper for large corpora
SHARED_SHOWN = 3
ROUNDING = 6  # decimals a similarity is compared at, so float noise never decides an order
REORDER_FROM = 200  # new terms from which ranking all terms again is faster than moving each in
# Papers from which numpy and scipy pay for their loading (a quarter of a second); below, pure Python
# computes the same lists (sitegen/related_small.py). Measured side by side: at 447 papers pure Python
# takes 0.6 times as long as loading them and computing; at 1,500 papers 1.8 times.
NUMPY_FROM = 600
# Candidate pairs ranked at once: their arrays take some 40 bytes a pair, so ~160 MB at most.
PAIRS_AT_ONCE = 1 << 22
_SLUG_BITS = 24  # a paper's position fits in this many bits of a ranking key (16 million papers)

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


class Related(NamedTuple):  # a tuple rather than a dataclass: a large site makes 50,000 of them
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


def term_counts(title: str, abstract: str) -> Counter[str]:
    """A paper's term frequencies, title words weighted."""
    tf = Counter(terms_of(abstract))
    for term in terms_of(title):
        tf[term] += TITLE_WEIGHT
    return tf


class Vocabulary:
    """Term numbers and each text's term arrays, kept between rebuilds (the preview server keeps one), so
    that only an edited paper is tokenised again. Numbers are given in order of first sight; anything
    that orders terms uses ``rank`` (alphabetical), so results never depend on the order of edits."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self._numbers: dict[str, int] = {}
        self._texts: dict[tuple[str, str], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self._rank: np.ndarray | None = None
        self._alphabetical: list[str] = []  # the terms in alphabetical order
        # Term counts of texts known from elsewhere (``sitegen.related_state``: the last build's), used
        # once each instead of reading the text again.
        self.known: dict[tuple[str, str], dict[str, int]] = {}

    def arrays(self, texts: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(paper, term, count) for every term of every text, papers in the order given."""
        import numpy as np

        parts = self.terms_of(texts)
        sizes = np.fromiter((len(terms) for terms, _ in parts), np.int64, len(parts))
        papers = np.repeat(np.arange(len(parts)), sizes)
        total = int(sizes.sum())
        terms = np.fromiter(itertools.chain.from_iterable(t for t, _ in parts), np.int64, total)
        counts = np.fromiter(itertools.chain.from_iterable(c for _, c in parts), np.float64, total)
        return papers, terms, counts

    def terms_of(self, texts: Sequence[tuple[str, str]]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """(term numbers, their counts) of every text, in the order given."""
        known, numbers = self._texts, self._numbers
        fresh: dict[tuple[str, str], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        for text in texts:
            found = known.get(text)
            if found is None:
                tf = self.known.pop(text, None) or term_counts(*text)
                for term in tf:
                    if term not in numbers:
                        numbers[term] = len(self.terms)
                        self.terms.append(term)
                found = (tuple(numbers[t] for t in tf), tuple(tf.values()))
            fresh[text] = found
        self._texts = fresh  # texts no longer in the site are forgotten
        return [fresh[text] for text in texts]

    def counted(self, text: tuple[str, str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """A text's (term numbers, their counts), as ``terms_of`` last gave them."""
        return self._texts[text]

    def rank(self) -> np.ndarray:
        """Each term number's position in alphabetical order."""
        import numpy as np

        known = 0 if self._rank is None else len(self._rank)
        if self._rank is None or len(self.terms) - known > REORDER_FROM:
            self._alphabetical = sorted(self.terms)
            rank = np.empty(len(self.terms), np.int64)
            rank[sorted(range(len(self.terms)), key=self.terms.__getitem__)] = np.arange(len(self.terms))
            self._rank = rank
        elif len(self.terms) > known:
            # A few new words (an edit in the preview server): each moves the words after it one place.
            rank = np.append(self._rank, np.zeros(len(self.terms) - known, np.int64))
            for number in range(known, len(self.terms)):
                at = bisect.bisect_left(self._alphabetical, self.terms[number])
                self._alphabetical.insert(at, self.terms[number])
                rank[:number][rank[:number] >= at] += 1
                rank[number] = at
            self._rank = rank
        return self._rank


def _order(groups: np.ndarray, weights: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Indices that sort entries by group, then weight (largest first, compared at a fixed precision),
    then ``ties`` (smallest first). Packed into one integer key, which numpy sorts many times faster
    than a lexsort of three columns."""
    import numpy as np

    if not len(groups):
        return np.zeros(0, np.int64)
    tie_bits = int(ties.max()).bit_length()
    # At most 52 bits: a float's mantissa holds the scaled weight exactly.
    weight_bits = min(52, 63 - int(groups.max()).bit_length() - tie_bits)
    if weight_bits < 24:  # too many groups or ties to pack with a useful precision
        return np.lexsort((ties, -weights, groups))
    scale = ((1 << weight_bits) - 1) / (float(weights.max()) or 1.0)
    descending = (1 << weight_bits) - 1 - np.rint(weights * scale).astype(np.int64)
    return np.argsort((groups.astype(np.int64) << (weight_bits + tie_bits)) | (descending << tie_bits) | ties)


def _logs(values: np.ndarray, n: int | None = None) -> np.ndarray:
    """math.log of each value, positive integers all (with ``n``: of ``n / value``, as Python divides):
    one logarithm per integer up to the largest, looked up, as finding the distinct values of a million
    by sorting them takes many times longer."""
    import numpy as np

    whole = values.astype(np.int64)
    top = int(whole.max(initial=0))
    logs = (math.log(d if n is None else n / d) for d in range(1, top + 1))
    return np.fromiter(logs, np.float64, top)[whole - 1]


def _leading(groups: np.ndarray, limit: int) -> np.ndarray:
    """A mask of the first ``limit`` entries of each run of equal values in the sorted ``groups``."""
    import numpy as np

    if not len(groups):
        return np.zeros(0, bool)
    starts = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    sizes = np.diff(np.append(starts, len(groups)))
    return np.arange(len(groups)) - np.repeat(starts, sizes) < limit


def related_papers(
    papers: Sequence[Paper], k: int = TOP_K, vocabulary: Vocabulary | None = None
) -> dict[str, tuple[Related, ...]]:
    """The ``k`` most similar papers of each paper (never itself), by slug; deterministic, and the same
    whatever order ``papers`` come in (positions are by slug)."""
    ordered = sorted(papers, key=lambda p: p.slug)
    vocabulary = vocabulary or Vocabulary()
    if len(ordered) < NUMPY_FROM:
        return _related_small(ordered, k, vocabulary)
    import numpy as np
    import scipy.sparse

    slugs = [p.slug for p in ordered]
    n = len(ordered)
    rows, cols, counts = vocabulary.arrays([(p.title, p.abstract) for p in ordered])
    rank = vocabulary.rank()
    shape = (n, len(rank))

    # TF-IDF weights of the terms that can tell papers apart (in 2 or more papers, and not in most).
    df = np.bincount(cols, minlength=len(rank))[cols]
    useful = (df > 1) & (df <= max(2, COMMON * n))
    rows, cols, counts, df = rows[useful], cols[useful], counts[useful], df[useful]
    # Logarithms from math, as the pure-Python twin takes them (numpy's may differ in the last bit).
    weights = (1 + _logs(counts)) * _logs(df, n)
    # A term in every paper (only possible in a site of two) tells nothing, and would divide 0 by 0 below.
    rows, cols, weights = rows[weights > 0], cols[weights > 0], weights[weights > 0]
    # Each paper's strongest terms (equal weights: the alphabetically later term, as heapq.nlargest did).
    order = _order(rows, weights, len(rank) - 1 - rank[cols])
    rows, cols, weights = rows[order], cols[order], weights[order]
    strongest = _leading(rows, TERMS_PER_PAPER)
    rows, cols, weights = rows[strongest], cols[strongest], weights[strongest]
    weights = weights / np.sqrt(np.bincount(rows, weights * weights, minlength=n))[rows]
    vectors = scipy.sparse.csr_matrix((weights, (rows, cols)), shape=shape)
    # Each term's postings keep the papers it weighs most in (ties: the earlier slug).
    order = _order(cols, weights, rows)
    kept = order[_leading(cols[order], POSTINGS_KEPT)]
    postings = scipy.sparse.csr_matrix((weights[kept], (rows[kept], cols[kept])), shape=shape)

    # A block of papers at a time: the similarity matrix is never whole in memory.
    chosen = [_best_keys(vectors, postings, block, k) for block in _blocks(vectors, postings)]
    sizes = np.fromiter((len(own) for block in chosen for own in block), np.int64, n)
    best = np.concatenate([own for block in chosen for own in block] or [np.empty(0, np.int64)])
    unit = 10**ROUNDING
    left, right = np.repeat(np.arange(n), sizes), best & ((1 << _SLUG_BITS) - 1)
    scores = ((unit - (best >> _SLUG_BITS)) / unit).round(4).tolist()
    shared = _shared_terms(vectors, left, right, rank, vocabulary.terms)
    names = [slugs[i] for i in right.tolist()]
    items = list(map(Related, names, scores, shared))
    ends = np.cumsum(sizes).tolist()
    return {
        slug: tuple(items[end - size : end])
        for slug, size, end in zip(slugs, sizes.tolist(), ends, strict=True)
    }


def _blocks(vectors: scipy.sparse.csr_matrix, postings: scipy.sparse.csr_matrix) -> list[range]:
    """Runs of consecutive papers of about PAIRS_AT_ONCE candidate pairs each (an upper bound: each of a
    paper's terms brings the papers of its postings), so that the similarity matrix is never whole in
    memory: past some 10,000 papers most terms keep their full postings, nearly 1,000 pairs a paper."""
    import numpy as np

    n = vectors.shape[0]
    per_term = np.bincount(postings.indices, minlength=vectors.shape[1])
    owners = np.repeat(np.arange(n), np.diff(vectors.indptr))
    per_paper = np.bincount(owners, per_term[vectors.indices], minlength=n)
    block = (np.cumsum(per_paper) - per_paper) // PAIRS_AT_ONCE  # the pairs before each paper's own
    starts = [0, *(np.flatnonzero(np.diff(block)) + 1).tolist()]
    return [range(a, b) for a, b in zip(starts, [*starts[1:], n], strict=True)]


def _best_keys(
    vectors: scipy.sparse.csr_matrix, postings: scipy.sparse.csr_matrix, papers: range, k: int
) -> list[np.ndarray]:
    """For each of ``papers``, the keys of its ``k`` most similar papers, best first. A key is one
    integer: the rounded score (best first), then the other paper's position (slug order)."""
    import numpy as np

    similar = (vectors[papers.start : papers.stop] @ postings.T).tocsr()
    candidates = np.repeat(np.arange(papers.start, papers.stop), np.diff(similar.indptr))
    other = similar.indices.astype(np.int64)
    unit = 10**ROUNDING
    rounded = np.minimum(np.rint(similar.data * unit).astype(np.int64), unit)  # float noise can pass 1
    keys = ((unit - rounded) << _SLUG_BITS) | other
    keys[other == candidates] = -1  # the paper itself: sorts first, and is dropped
    bounds = similar.indptr
    chosen = []
    for paper in range(len(papers)):
        own = keys[bounds[paper] : bounds[paper + 1]]
        if len(own) > k + 1:
            own = np.partition(own, k)[: k + 1]
        chosen.append(np.sort(own)[1 if len(own) and own.min() < 0 else 0 :][:k])
    return chosen


def _related_small(ordered: list[Paper], k: int, vocabulary: Vocabulary) -> dict[str, tuple[Related, ...]]:
    """``related_papers`` without numpy and scipy: the same lists (see ``sitegen.related_small``)."""
    from sitegen import related_small as small

    parts = vocabulary.terms_of([(p.title, p.abstract) for p in ordered])
    terms = vocabulary.terms
    rank = {number: at for at, number in enumerate(sorted(range(len(terms)), key=terms.__getitem__))}
    vectors = small.vectors(parts, rank, COMMON, TERMS_PER_PAPER)
    chosen = small.similar(vectors, small.postings(vectors, POSTINGS_KEPT), k, ROUNDING)
    pairs = [(paper, other) for paper, best in enumerate(chosen) for other, _ in best]
    shared = iter(small.shared_terms(vectors, pairs, rank, SHARED_SHOWN))
    return {
        paper.slug: tuple(
            Related(ordered[other].slug, score, tuple(terms[t] for t in next(shared)))
            for other, score in best
        )
        for paper, best in zip(ordered, chosen, strict=True)
    }


def _shared_terms(
    vectors: scipy.sparse.csr_matrix, left: np.ndarray, right: np.ndarray, rank: np.ndarray, terms: list[str]
) -> list[tuple[str, ...]]:
    """For each pair, the terms both papers weigh most (by product of weights; ties alphabetically)."""
    import numpy as np

    products = vectors[left].multiply(vectors[right]).tocsr()
    products.eliminate_zeros()
    owner = np.repeat(np.arange(len(left)), np.diff(products.indptr))
    order = _order(owner, products.data, rank[products.indices])
    shown = order[_leading(owner[order], SHARED_SHOWN)]
    words = [terms[t] for t in products.indices[shown].tolist()]
    ends = np.cumsum(np.bincount(owner[shown], minlength=len(left))).tolist()
    return [tuple(words[start:end]) for start, end in zip([0, *ends][:-1], ends, strict=True)]


def curate(
    paper: Paper, computed: Sequence[Related], visible: Mapping[str, Paper], k: int = TOP_K
) -> tuple[Related, ...]:
    """Apply a curator's pins (first, in their order) and hides to the computed list."""
    pinned = [Related(slug, 1.0, ()) for slug in paper.pinned if slug in visible and slug != paper.slug]
    skip = {paper.slug, *paper.hidden, *(r.slug for r in pinned)}
    rest = [r for r in computed if r.slug not in skip]
    return tuple([*pinned, *rest][: max(k, len(pinned))])
