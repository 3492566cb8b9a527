"""The classifier: files a paper under the theme whose vocabulary best matches its title and abstract.

A weighted-keyword scorer, deliberately simple so a curator can read and tune it in ``themes.yaml``:

1. Title and abstract are normalised the same way as the keywords (``tokenise``): lowercase words,
   hyphens and punctuation as spaces, plural "s" dropped, British "-ise" spelled "-ize".
2. A theme's score is the sum over its keyword phrases found in the paper of
   ``weight * (TITLE_FACTOR if in the title) + weight * min(abstract count, ABSTRACT_CAP) * ABSTRACT_FACTOR``.
   The title says what a paper is about; the abstract mostly says what it was applied to or compared with,
   so title words count several times more and repeated abstract words are capped.
3. The best-scoring theme wins if it reaches its ``min_score``; otherwise the paper goes to ``unsorted``.
4. Deferral settles well-known conflicts in favour of the main contribution: a theme that names a
   substrate (language models, vision, architectures, graphs) lists the themes it ``defers_to``; if one of
   those is named in the title, scores at least ``defer_ratio`` of the winner's score and reaches its own
   ``min_score``, it wins (a pruned GNN is efficiency, an fMRI transformer is neuroscience).

Pure and deterministic (ties go to the theme declared first); no network, no model.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

from sitegen.themes import UNSORTED, Theme

TITLE_FACTOR = 4.0  # a phrase in the title counts this many abstract mentions
ABSTRACT_FACTOR = 1.0
ABSTRACT_CAP = 3  # abstract mentions beyond this add nothing: long abstracts repeat their setting

_WORD = re.compile(r"[a-z0-9]+")
_LATEX = re.compile(r"\$[^$]*\$|\\[a-zA-Z]+")  # math and commands carry no topic words
# "Code is available at https://github.com/..." closes many abstracts whatever their topic: it must not
# vote for code-intelligence. Sentences that carry a link or say so are dropped before scoring.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BOILERPLATE = re.compile(
    r"https?://|www\.|github|\bcode\b.*\bavailable\b|\bavailable\b.*\bcode\b", re.IGNORECASE
)
# A title that opens with a one-word acronym ("CODE: ...", "SHARP: ...") names the system, not the topic.
_TITLE_ACRONYM = re.compile(r"^\s*[A-Z][A-Z0-9+-]*[A-Z0-9+-]\s*:\s+(?=\S)")


def stem(word: str) -> str:
    """A light, predictable normalisation applied to keywords and text alike: plurals and British spelling.

    Not a real stemmer on purpose: curators write keywords as plain words and should be able to predict
    what they match ("networks" and "network" do; "coding" and "code" do not).
    """
    for british, american in (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("iser", "izer")):
        if word.endswith(british) and len(word) > len(british) + 2:
            return word[: -len(british)] + american
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenise(text: str) -> tuple[str, ...]:
    """Normalised words of a text: NFKC, casefolded, LaTeX dropped, split on anything not a letter/digit."""
    if not text.isascii():  # most abstracts are plain ASCII: skip the Unicode pass for them
        text = unicodedata.normalize("NFKC", text)
    text = _LATEX.sub(" ", text).casefold()
    return tuple(_stem_cached(word) for word in _WORD.findall(text))


_stem_cached = lru_cache(maxsize=65_536)(stem)  # the same few thousand words recur in every abstract


def _without_boilerplate(abstract: str) -> str:
    folded = abstract.casefold()
    # Plain substring tests first (fast, in C): most abstracts have no such sentence.
    if not (
        "http" in folded
        or "www." in folded
        or "github" in folded
        or ("code" in folded and "available" in folded)
    ):
        return abstract
    return " ".join(s for s in _SENTENCE_END.split(abstract) if not _BOILERPLATE.search(s))


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The lookup key of a keyword phrase: its normalised words; a prefix ("neuro*") keeps its "*".

    A prefix is kept as written, not normalised, so that "neuro*" cannot turn into a different prefix.
    """
    text = phrase.strip()
    if not text.endswith("*"):
        return tokenise(text)
    words = tokenise(text.rstrip("*"))
    raw = _WORD.findall(text.rstrip("*").casefold())
    return (*words[:-1], raw[-1] + "*") if words else ()


class Classifier:
    """Keyword tables compiled once per theme set, so filing a paper is a walk over its words.

    ``_table`` maps a phrase (a tuple of words; a prefix keyword's last word keeps its "*") to the
    (theme index, weight) pairs it scores; ``_partial`` holds every proper beginning of a phrase, so the
    walk extends a run of words only while it can still become a phrase.
    """

    def __init__(self, themes: Sequence[Theme]) -> None:
        self.themes = tuple(themes)
        self._index = {theme.slug: i for i, theme in enumerate(self.themes)}
        table: dict[tuple[str, ...], list[tuple[int, float]]] = {}
        for i, theme in enumerate(self.themes):
            for phrase, weight in theme.keywords:
                key = phrase_key(phrase)
                if key:
                    table.setdefault(key, []).append((i, weight))
        self._table = {k: tuple(v) for k, v in table.items()}
        self._partial = frozenset(k[:n] for k in table for n in range(1, len(k)))
        self._starters = frozenset(k[0] for k in self._partial)
        # Prefix keywords ("neuro*") are matched through the words they cover, found once per distinct word.
        self._prefix_words = frozenset(w[:-1] for k in table for w in k if w.endswith("*"))
        self._prefix_lengths = sorted({len(p) for p in self._prefix_words})
        self._forms: dict[str, tuple[str, ...]] = {}

    def _word_forms(self, word: str) -> tuple[str, ...]:
        """The word itself and every prefix keyword ("neuro*") it matches."""
        forms = self._forms.get(word)
        if forms is None:
            prefixes = self._prefix_words
            forms = (
                word,
                *(word[:n] + "*" for n in self._prefix_lengths if word[:n] in prefixes and n <= len(word)),
            )
            if len(self._forms) < 200_000:  # bounded: a long-running process must not grow without limit
                self._forms[word] = forms
        return forms

    def _matches(self, words: Sequence[str]) -> dict[tuple[str, ...], int]:
        """Every keyword phrase that occurs in ``words``, with how often it occurs."""
        table, partial, cache = self._table, self._partial, self._forms

        found: dict[tuple[str, ...], int] = {}
        # One-word phrases: count distinct words once (Counter runs in C), then look each up.
        for word, count in Counter(words).items():
            forms = cache.get(word) or self._word_forms(word)  # cache hit inlined: this runs per word
            for form in forms:
                key = (form,)
                if key in table:  # several words can share a prefix key ("neuro*"): add, do not overwrite
                    found[key] = found.get(key, 0) + count
        # Longer phrases start only at the few words that begin one (a prefix "*" is only ever last).
        starters, total = self._starters, len(words)
        for start in [i for i, word in enumerate(words) if word in starters]:
            runs, end = [(words[start],)], start + 1
            while runs and end < total:
                longer = []
                for run in runs:
                    if run in partial:
                        forms = cache.get(words[end]) or self._word_forms(words[end])
                        for form in forms:
                            key = (*run, form)
                            longer.append(key)
                            if key in table:
                                found[key] = found.get(key, 0) + 1
                runs, end = longer, end + 1
        return found

    def _title_and_abstract(self, title: str, abstract: str) -> tuple[list[float], list[float]]:
        """Per theme, in theme order: the title's part of the score and the abstract's."""
        in_title = [0.0] * len(self.themes)
        in_abstract = [0.0] * len(self.themes)
        table = self._table
        for phrase in self._matches(tokenise(_TITLE_ACRONYM.sub("", title))):
            for i, weight in table[phrase]:
                in_title[i] += weight * TITLE_FACTOR  # once per phrase: a title never needs to repeat itself
        for phrase, count in self._matches(tokenise(_without_boilerplate(abstract))).items():
            for i, weight in table[phrase]:
                in_abstract[i] += weight * min(count, ABSTRACT_CAP) * ABSTRACT_FACTOR
        return in_title, in_abstract

    def scores(self, title: str, abstract: str) -> list[float]:
        """One score per theme, in theme order."""
        in_title, in_abstract = self._title_and_abstract(title, abstract)
        return [a + b for a, b in zip(in_title, in_abstract, strict=True)]

    def classify(self, title: str, abstract: str) -> str:
        in_title, in_abstract = self._title_and_abstract(title, abstract)
        totals = [a + b for a, b in zip(in_title, in_abstract, strict=True)]
        if not totals:
            return UNSORTED
        best = max(range(len(totals)), key=lambda i: (totals[i], -i))  # ties: the theme declared first
        theme = self.themes[best]
        if totals[best] < theme.min_score:
            return UNSORTED
        # Deferral: a substrate theme gives way to a contribution theme that is close enough and that the
        # title itself names (a paper whose abstract merely mentions pruning is not about pruning).
        # The first listed theme that qualifies wins.
        for other in theme.defers_to:
            j = self._index.get(other)
            if (
                j is not None
                and in_title[j] > 0
                and totals[j] >= theme.defer_ratio * totals[best]
                and totals[j] >= self.themes[j].min_score
            ):
                return other
        return theme.slug


@lru_cache(maxsize=8)
def _compiled(themes: tuple[Theme, ...]) -> Classifier:
    # Themes are frozen and hashable, so the same theme set compiles once however many papers are filed.
    return Classifier(themes)


_last: list[Classifier] = []  # the most recently used classifier, found without hashing every keyword


def classifier(themes: Sequence[Theme]) -> Classifier:
    """The compiled classifier for a theme set. Importing thousands of papers passes the same themes each
    time: recognise them by identity (cheap) before falling back to the hash-keyed cache."""
    last = _last[0] if _last else None
    same_length = last is not None and len(last.themes) == len(themes)
    if same_length and all(a is b for a, b in zip(last.themes, themes, strict=True)):  # type: ignore[union-attr]
        return last
    compiled = _compiled(tuple(themes))
    _last[:] = [compiled]
    return compiled


def classify(title: str, abstract: str, themes: Sequence[Theme]) -> str:
    """Return the slug of the best theme, or UNSORTED. Pure, deterministic, no network, no model download."""
    return classifier(themes).classify(title, abstract)


def scores(title: str, abstract: str, themes: Sequence[Theme]) -> Mapping[str, float]:
    """Each theme's score for a paper, for curators asking "why was this filed there?"."""
    compiled = classifier(themes)
    return dict(zip((t.slug for t in compiled.themes), compiled.scores(title, abstract), strict=True))
