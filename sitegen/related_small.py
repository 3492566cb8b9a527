"""Related papers for a small site, in pure Python: the same arithmetic as ``sitegen.related`` in the same
order, so the same lists bit for bit, without loading numpy and scipy (a quarter of a second, more than
the whole computation for a few hundred papers).

Each step mirrors one of the vectorised ones: weights from the same logarithms (math.log), each ranking by
the same packed integer key, the norm and every similarity summed in the same order as numpy's bincount
and scipy's sparse product (each paper's terms in term-number order, each term's postings by paper)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

Entry = tuple[int, int, float]  # (group, tie, weight) to rank: see ``order``
SLUG_MASK = (1 << 24) - 1  # a ranking key's low bits: the other paper's position (``related._SLUG_BITS``)


def order(entries: Sequence[Entry]) -> list[int]:
    """Indices of ``entries`` by group, then weight (largest first, at a fixed precision), then tie:
    exactly ``sitegen.related._order``'s packed keys, built from Python integers."""
    if not entries:
        return []
    groups, ties, weights = zip(*entries, strict=True)
    tie_bits = max(ties).bit_length()
    weight_bits = min(52, 63 - max(groups).bit_length() - tie_bits)
    if weight_bits < 24:
        return sorted(range(len(entries)), key=lambda i: (groups[i], -weights[i], ties[i]))
    top = (1 << weight_bits) - 1
    scale = top / (max(weights) or 1.0)
    shift = weight_bits + tie_bits
    keys = [(g << shift) | ((top - round(w * scale)) << tie_bits) | t for g, t, w in entries]
    return sorted(range(len(entries)), key=keys.__getitem__)


def leading(entries: Sequence[Entry], ranked: list[int], limit: int) -> list[int]:
    """The first ``limit`` of each group in ``ranked``."""
    kept, group, seen = [], None, 0
    for i in ranked:
        if entries[i][0] == group:
            seen += 1
        else:
            group, seen = entries[i][0], 1
        if seen <= limit:
            kept.append(i)
    return kept


def vectors(
    parts: list[tuple[tuple[int, ...], tuple[int, ...]]], rank: dict[int, int], common: float, keep: int
) -> list[dict[int, float]]:
    """Each paper's normalised TF-IDF vector over its strongest terms (term number -> weight)."""
    n = len(parts)
    df: dict[int, int] = defaultdict(int)
    for terms, _ in parts:
        for term in terms:
            df[term] += 1
    limit, logs = max(2, common * n), {}
    entries: list[Entry] = []
    terms_of: list[int] = []
    last = len(rank) - 1
    for paper, (terms, counts) in enumerate(parts):
        for term, count in zip(terms, counts, strict=True):
            if 1 < df[term] <= limit:
                if count not in logs:
                    logs[count] = math.log(count)
                weight = (1 + logs[count]) * math.log(n / df[term])
                if weight > 0:
                    entries.append((paper, last - rank[term], weight))
                    terms_of.append(term)
    strongest = leading(entries, order(entries), keep)
    squares: dict[int, float] = defaultdict(float)
    for i in strongest:
        squares[entries[i][0]] += entries[i][2] * entries[i][2]
    result: list[dict[int, float]] = [{} for _ in range(n)]
    for i in strongest:
        paper, _, weight = entries[i]
        result[paper][terms_of[i]] = weight / math.sqrt(squares[paper])
    return [dict(sorted(v.items())) for v in result]


def postings(vectors_: list[dict[int, float]], kept: int) -> dict[int, list[tuple[int, float]]]:
    """Each term's papers (paper, weight) by paper: only the ``kept`` it weighs most in."""
    entries = [(term, paper, w) for paper, vector in enumerate(vectors_) for term, w in vector.items()]
    chosen = leading(entries, order(entries), kept)
    result: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for i in sorted(chosen, key=lambda i: (entries[i][0], entries[i][1])):
        result[entries[i][0]].append((entries[i][1], entries[i][2]))
    return result


def similar(
    vectors_: list[dict[int, float]], posted: dict[int, list[tuple[int, float]]], k: int, rounding: int
) -> list[list[tuple[int, float]]]:
    """Each paper's ``k`` best others (paper, score), as ``related_papers`` ranks them."""
    unit, chosen = 10**rounding, []
    for paper, vector in enumerate(vectors_):
        sums: dict[int, float] = defaultdict(float)
        for term, weight in vector.items():
            for other, posting in posted.get(term, ()):
                sums[other] += weight * posting
        keys = sorted(
            -1 if other == paper else ((unit - min(round(total * unit), unit)) << 24) | other
            for other, total in sums.items()
            if total != 0
        )
        keys = [key for key in keys[: k + 1] if key >= 0][:k]
        chosen.append([(key & SLUG_MASK, round((unit - (key >> 24)) / unit * 10**4) / 10**4) for key in keys])
    return chosen


def shared_terms(
    vectors_: list[dict[int, float]], pairs: list[tuple[int, int]], rank: dict[int, int], shown: int
) -> list[list[int]]:
    """For each pair, the terms both papers weigh most (by product of weights; ties alphabetically)."""
    entries: list[Entry] = []
    terms: list[int] = []
    for pair, (left, right) in enumerate(pairs):
        other = vectors_[right]
        for term, weight in vectors_[left].items():
            if term in other:
                entries.append((pair, rank[term], weight * other[term]))
                terms.append(term)
    result: list[list[int]] = [[] for _ in pairs]
    for i in leading(entries, order(entries), shown):
        result[entries[i][0]].append(terms[i])
    return result
