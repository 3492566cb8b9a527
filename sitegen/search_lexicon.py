"""The lexicon's completions, for ``sitegen/search.py``: a prefix whose terms span several lexicon
shards has its most common completions listed in the first of them, so that the word being typed
fetches one shard whatever the size of the site (``static/search-query.js`` reads them).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Mapping, Sequence

COMPLETIONS = 12  # the most common completions listed for a prefix that spans shards (a screen's worth)


def spanning_prefixes(terms: Sequence[str], starts: Sequence[int]) -> set[str]:
    """The prefixes (of two letters or more: one is never completed) whose terms span a shard boundary."""
    found = set()
    for start in starts[1:]:
        before, after = terms[start - 1], terms[start]
        shared = next((i for i, (x, y) in enumerate(zip(before, after, strict=False)) if x != y), len(before))
        found.update(after[:n] for n in range(2, shared + 1))
    return found


def code_units(t: str) -> bytes:
    return t.encode("utf-16-be")


def shard_of(keys: Sequence[str], t: str) -> int:
    """The last shard whose key is not above ``t`` (as search-store.js finds it)."""
    return bisect.bisect_right([code_units(k) for k in keys], code_units(t)) - 1


def most_common(
    terms: Sequence[str], units: Sequence[bytes], counts: Mapping[str, int], prefix: str
) -> list[str]:
    """The COMPLETIONS commonest terms starting with ``prefix`` (ties in code-unit order), as the
    browser would rank them from all the prefix's terms."""
    lo = bisect.bisect_left(units, code_units(prefix))
    hi = bisect.bisect_left(units, code_units(prefix) + b"\xff\xff")
    return heapq.nsmallest(COMPLETIONS, terms[lo:hi], key=lambda t: (-counts[t], code_units(t)))
