"""Impact-ordered tiers (sitegen/search_tiers.py): lunr's BM25 worked out at build time, on a 1% scale,
cut into growing tiers that each continue the one before."""

from __future__ import annotations

import math
import random

from lunr import get_default_builder

from sitegen import search, search_tiers


def test_an_impact_is_lunrs_bm25_summed_over_the_fields_within_one_percent():
    builder = get_default_builder()
    assert (builder._k1, builder._b) == (search_tiers.K1, search_tiers.B)
    # Paper 0 has the term twice in a 4-term abstract; paper 1 once in its title (boost 10).
    lengths = {"title": [3, 2, 5], "abstract": [4, 8, 6]}
    by_field = {"title": [(1, 1)], "abstract": [(0, 2)]}
    ordered = search_tiers.impacts(by_field, search_tiers.Fields.of({"title": 10, "abstract": 1}, lengths))
    assert [paper for _, paper in ordered] == [1, 0]  # the title hit first

    def bm25(tf, length, average, holders, boost):
        idf = math.log(1 + abs((3 - holders + 0.5) / (holders + 0.5)))
        k1, b = builder._k1, builder._b
        return boost * idf * (k1 + 1) * tf / (k1 * (1 - b + b * length / average) + tf)

    expected = {1: bm25(1, 2, 10 / 3, 1, 10), 0: bm25(2, 4, 6, 1, 1)}
    for level, paper in ordered:
        decoded = search_tiers.IMPACT_FLOOR * search_tiers.IMPACT_STEP**level
        assert abs(decoded / expected[paper] - 1) <= 0.005 + 1e-12


def test_tiers_grow_and_each_continues_the_one_before():
    assert search_tiers.tier_spans(0, 4) == [(0, 0)]
    assert search_tiers.tier_spans(3, 4) == [(0, 3)]
    g = search_tiers.GROWTH
    assert search_tiers.tier_spans(4 + 4 * g + 1, 4) == [(0, 4), (4, 4 + 4 * g), (4 + 4 * g, 5 + 4 * g)]
    rng = random.Random(7)
    papers = rng.sample(range(100_000), 300)
    ordered = sorted(((rng.randrange(2500), p) for p in papers), key=lambda p: (-p[0], p[1]))
    tiered = search_tiers.tiered(ordered, 5, search._number)
    assert len(tiered.later) == len(search_tiers.tier_spans(300, 5)) - 1
    pairs: list[tuple[int, int]] = []
    for encoded in (tiered.first, *tiered.later):
        pairs += search_tiers.decode_tier(search.decode_numbers(encoded), pairs[-1] if pairs else None)
    assert pairs == ordered


def test_later_tiers_are_packed_tier_by_tier_within_the_budget():
    postings = {
        "a": search_tiers.Tiered("x", ("1" * 10, "2" * 40)),
        "b": search_tiers.Tiered("x", ("3" * 10,)),
        "c": search_tiers.Tiered("x", ()),
    }
    pieces = search_tiers.pack_later(["a", "b", "c"], postings, budget=40)
    assert pieces == [[("a", 0), ("b", 0)], [("a", 1)]]  # the second tier of "a" is over budget: alone
