"""Impact-ordered postings in tiers, for ``sitegen/search.py``: what a query downloads grows with the
results it shows, not with the number of papers.

Each (term, paper) pair gets its *impact* at build time: its BM25 score summed over the fields, boosts
included, with lunr's formula and parameters (k1, b, per-field idf and lengths, as lunr's Builder),
rounded to a level on a scale of IMPACT_STEP (1%). A term's papers are sorted by impact, highest first,
and cut into tiers: the first ``first`` papers, then each tier GROWTH times the one before. The first
tier sits with the term in its prefix shard; later tiers are in ``tiers/<n>.js`` pieces fetched only
when a query needs them. Since the papers not yet fetched of a term have at most the impact of its
last fetched paper, the browser can prove when no unseen paper can reach the results on screen (the
threshold argument of WAND / block-max indexes) and stops there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lunr import get_default_builder

# lunr's BM25 parameters (lunr.js 2.3.9 uses the same).
K1, B = get_default_builder()._k1, get_default_builder()._b
IMPACT_STEP = 1.01  # neighbouring levels differ by 1%: finer than BM25 means anything
IMPACT_FLOOR = 1e-7  # level 0; a term in every one of a million papers still scores above it
GROWTH = 4  # each later tier holds this many times the papers of the one before

Pairs = Sequence[tuple[int, int]]  # (paper number, term frequency), in paper order


def level(score: float) -> int:
    return max(0, round(math.log(score / IMPACT_FLOOR) / math.log(IMPACT_STEP)))


@dataclass(frozen=True)
class Fields:
    """What BM25 weighs a term's frequency against: each field's boost, each paper's length in it and
    their average, and the number of papers."""

    boosts: Mapping[str, int]
    lengths: Mapping[str, Sequence[int]]
    averages: Mapping[str, float]
    count: int

    @classmethod
    def of(cls, boosts: Mapping[str, int], lengths: Mapping[str, Sequence[int]]) -> Fields:
        count = len(next(iter(lengths.values()), ()))
        return cls(boosts, lengths, {f: sum(n) / max(1, count) for f, n in lengths.items()}, count)


def impacts(by_field: Mapping[str, Pairs], fields: Fields) -> list[tuple[int, int]]:
    """A term's (level, paper) pairs, the highest impact first (ties by paper number)."""
    score: dict[int, float] = {}
    count = fields.count
    for name, pairs in by_field.items():
        if not pairs:
            continue
        field_lengths, average = fields.lengths[name], fields.averages[name]
        idf = math.log(1 + abs((count - len(pairs) + 0.5) / (len(pairs) + 0.5)))
        for number, tf in pairs:
            norm = K1 * (1 - B + B * field_lengths[number] / average)
            gained = idf * (K1 + 1) * tf / (norm + tf) * fields.boosts[name]
            score[number] = score.get(number, 0.0) + gained
    return sorted(((level(s), number) for number, s in score.items()), key=lambda p: (-p[0], p[1]))


def tier_spans(total: int, first: int) -> list[tuple[int, int]]:
    """Where each tier of a term with ``total`` papers starts and ends."""
    spans, start, size = [], 0, first
    while start < total:
        spans.append((start, min(total, start + size)))
        start, size = start + size, size * GROWTH
    return spans or [(0, 0)]


def encode_tier(pairs: Sequence[tuple[int, int]], before: tuple[int, int] | None, number) -> str:
    """(level, paper) pairs, continuing from the pair ``before`` them (None for a first tier): per pair
    the drop in level since the previous pair, then the gap since its paper (same level: papers ascend)
    or the paper itself (a lower level). ``number`` writes one number (search.py's base-32 digits)."""
    out = []
    previous_level, previous_paper = before if before else (None, -1)
    for lvl, paper in pairs:
        drop = lvl if previous_level is None else previous_level - lvl
        out.append(number(drop))
        same = previous_level is not None and drop == 0
        out.append(number(paper - previous_paper - 1 if same else paper))
        previous_level, previous_paper = lvl, paper
    return "".join(out)


def decode_tier(values: Sequence[int], before: tuple[int, int] | None) -> list[tuple[int, int]]:
    """Inverse of ``encode_tier`` over its decoded numbers (used by tests; mirrored in search-store.js)."""
    pairs, (previous_level, previous_paper) = [], before if before else (None, -1)
    for i in range(0, len(values), 2):
        drop, paper = values[i], values[i + 1]
        lvl = drop if previous_level is None else previous_level - drop
        paper = previous_paper + 1 + paper if previous_level is not None and drop == 0 else paper
        pairs.append((lvl, paper))
        previous_level, previous_paper = lvl, paper
    return pairs


@dataclass(frozen=True)
class Tiered:
    """A term's impact-ordered postings, encoded: the first tier, and each later tier."""

    first: str
    later: tuple[str, ...]


def tiered(ordered: Sequence[tuple[int, int]], first: int, number) -> Tiered:
    spans = tier_spans(len(ordered), first)
    encoded = [encode_tier(ordered[a:b], ordered[a - 1] if a else None, number) for a, b in spans]
    return Tiered(encoded[0], tuple(encoded[1:]))


def pack_later(
    terms: Sequence[str], postings: Mapping[str, Tiered], budget: int
) -> list[list[tuple[str, int]]]:
    """The later tiers in pieces of up to ``budget`` bytes: tier by tier, neighbouring terms together
    (the completions of a prefix deepen together); a tier over the budget is a piece of its own."""
    pieces: list[list[tuple[str, int]]] = []
    size = budget + 1
    deepest = max((len(postings[t].later) for t in terms), default=0)
    for depth in range(deepest):
        for t in terms:
            later = postings[t].later
            if depth >= len(later):
                continue
            chunk = len(later[depth]) + len(t) + 8
            if size + chunk > budget:
                pieces.append([])
                size = 0
            pieces[-1].append((t, depth))
            size += chunk
    return pieces
