"""The search index kept between builds, so that an edit re-analyses only the papers it touched.

Analysing a paper's text into terms (``search.analyse``) is most of the cost of the search index. Each
paper's analysis is kept in the build cache's store under a key of exactly what it reads: the paper's
search document and the digest of the acronym table mined from all papers (a pair learned or lost
changes the terms of every paper that uses either form). The assembled index (``search.Inverted``) is
kept too, with the key of the paper at each number:

- when the papers are the same in number and the acronym table is unchanged, only the papers whose key
  changed are taken out of the kept index and put back in (``_replace``): their terms' postings are
  re-encoded, the other terms' are reused as they are;
- otherwise (a paper added or removed, which renumbers the papers after it, or another acronym table)
  the index is assembled anew from each paper's kept analysis, analysing only papers with a new key.

Both give exactly ``Inverted.of``'s result (``tests/test_search_state.py`` compares them after random
edits): a term's postings are the (paper, frequency) pairs of the papers that hold it, in paper order,
however they were arrived at.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sitegen.search import (
    FIELDS,
    Analysis,
    Document,
    Inverted,
    analyse,
    decode_postings,
    encode_postings,
)
from sitegen.search_text import Acronyms
from sitegen.store import Store

FORMAT = 1
# Replacing a paper in the kept index costs about what assembling this many papers from their kept
# analyses does (measured at 10,000 papers: common terms' postings are decoded and encoded again), so
# past that share of changed papers the index is assembled anew (the same result either way).
REPLACE_COST = 40


Assembled = tuple[list[Any] | None, list[str]] | None  # see ``KeptIndex.kept``


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be")


def acronyms_digest(acronyms: Acronyms) -> str:
    return hashlib.sha256(json.dumps(sorted(acronyms.by_short.items())).encode()).hexdigest()


def document_key(doc: Document, acronyms: str) -> str:
    """The key of one paper's analysis: its searchable text (each field after its length) and the
    acronym table's digest."""
    text = "".join(f"{len(doc[name])}:{doc[name]}" for name, _ in FIELDS)
    return hashlib.sha256(f"{acronyms}{text}".encode("utf-8", "surrogatepass")).hexdigest()


class KeptIndex:
    """``search.search_files``'s assembler with a store: ``previous`` is the entry of the last build's
    kept index (None: none). After a call, ``entry`` names the index kept for the next build and
    ``used`` the store files it needs (analyses and the index itself)."""

    def __init__(self, store: Store, previous: Any) -> None:
        self.store = store
        self.previous = previous
        self.entry: list[Any] | None = None
        self.used: list[str] = []

    def __call__(self, docs: Sequence[Document], acronyms: Acronyms) -> Inverted:
        digest = acronyms_digest(acronyms)
        keys = [document_key(doc, digest) for doc in docs]
        kept = self._load()
        analyses: dict[str, Analysis] = {}
        inverted, entries = None, None
        if kept is not None and kept["acronyms"] == digest and len(kept["papers"]) == len(keys):
            changed = [n for n, (old, new) in enumerate(zip(kept["papers"], keys, strict=True)) if old != new]
            if changed and len(changed) * REPLACE_COST > len(keys):
                pass  # cheaper assembled anew, below
            else:
                inverted, entries = self._replaced(kept, changed, docs, keys, acronyms, analyses)
        if inverted is None:
            inverted, entries = self._assembled(kept, docs, keys, acronyms, analyses)
        self._keep(inverted, digest, keys, entries, analyses)
        return inverted

    def _load(self) -> dict[str, Any] | None:
        data = self.store.read(self.previous) if self.previous else None
        try:
            kept = json.loads(data) if data else None
            return kept if isinstance(kept, dict) and kept.get("format") == FORMAT else None
        except ValueError:
            return None

    def _analysis(self, entry: Any) -> Analysis | None:
        data = self.store.read(entry)
        try:
            found = json.loads(data) if data else None
            return {name: [(str(t), int(tf)) for t, tf in found[name]] for name, _ in FIELDS}
        except (ValueError, TypeError, KeyError):
            return None

    def _replaced(
        self,
        kept: dict[str, Any],
        changed: list[int],
        docs: Sequence[Document],
        keys: list[str],
        acronyms: Acronyms,
        analyses: dict[str, Analysis],
    ) -> tuple[Inverted | None, list[Any]]:
        """The kept index with the papers at ``changed`` taken out and put back in as they are now."""
        try:
            inverted = Inverted(kept["terms"], kept["postings"], kept["counts"], kept["lengths"])
            entries = list(kept["analyses"])
            for number in changed:
                old = self._analysis(entries[number])
                if old is None:
                    return None, []
                new = analyses[keys[number]] = analyse(docs[number], acronyms)
                _replace(inverted, number, old, new)
                entries[number] = None
            return inverted, entries
        except (KeyError, TypeError, ValueError, IndexError):
            return None, []

    def _assembled(
        self,
        kept: dict[str, Any] | None,
        docs: Sequence[Document],
        keys: list[str],
        acronyms: Acronyms,
        analyses: dict[str, Analysis],
    ) -> tuple[Inverted, list[Any]]:
        """The index assembled anew, from the kept analysis of every paper whose key is unchanged."""
        known: dict[str, Any] = {}
        if kept is not None:
            known = dict(zip(kept.get("papers", ()), kept.get("analyses", ()), strict=False))
        found, entries = [], []
        for doc, key in zip(docs, keys, strict=True):
            entry = known.get(key)
            analysis = self._analysis(entry) if entry else None
            if analysis is None:
                entry, analysis = None, analyses.setdefault(key, analyse(doc, acronyms))
            found.append(analysis)
            entries.append(entry)
        return Inverted.assembled(found), entries

    def _keep(
        self,
        inverted: Inverted,
        digest: str,
        keys: list[str],
        entries: list[Any],
        analyses: dict[str, Analysis],
    ) -> None:
        """Put the new analyses and the index in the store (nothing is kept when it cannot write)."""
        try:
            for number, key in enumerate(keys):
                if entries[number] is None:
                    entries[number] = self.store.put(_text(analyses[key]))
            state = {
                "format": FORMAT,
                "acronyms": digest,
                "papers": keys,
                "analyses": entries,
                "terms": inverted.terms,
                "postings": inverted.postings,
                "counts": inverted.counts,
                "lengths": inverted.lengths,
            }
            self.entry = self.store.put(_text(state))
        except OSError:
            self.entry, self.used = None, []
            return
        self.used = [self.entry[0], *(entry[0] for entry in entries)]

    def kept(self) -> Assembled:
        """What the build cache records (this object stays in the process that assembled)."""
        return self.entry, self.used


def _text(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def _replace(inverted: Inverted, number: int, old: Analysis, new: Analysis) -> None:
    """Paper ``number``'s terms in ``inverted`` (in place) changed from ``old`` to ``new``."""
    held_before = {t for name, _ in FIELDS for t, _ in old[name]}
    held_after = {t for name, _ in FIELDS for t, _ in new[name]}
    for name, _ in FIELDS:
        before, after = dict(old[name]), dict(new[name])
        by_term = inverted.postings[name]
        for t in before.keys() | after.keys():
            if before.get(t) == after.get(t):
                continue
            pairs = [pair for pair in decode_postings(by_term.get(t, "")) if pair[0] != number]
            if t in after:
                bisect.insort(pairs, (number, after[t]))
            if pairs:
                by_term[t] = encode_postings(pairs)
            else:
                by_term.pop(t, None)
        inverted.lengths[name][number] = sum(after.values())
    counts, terms = inverted.counts, inverted.terms
    for t in held_before - held_after:
        counts[t] -= 1
        if not counts[t]:
            del counts[t]
            del terms[bisect.bisect_left(terms, _utf16(t), key=_utf16)]
    for t in held_after - held_before:
        if t not in counts:
            bisect.insort(terms, t, key=_utf16)
        counts[t] = counts.get(t, 0) + 1
