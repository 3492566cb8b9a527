"""How the search stage reads text: words -> index terms, and acronyms mined from the papers themselves.

``static/search-engine.js`` mirrors every rule here for the words of a query (tests compare the two), so
a query and the text it should find always meet on the same terms:

- A word is lower-cased and trimmed of leading/trailing punctuation; lunr's English stop words are dropped.
- British spellings are folded into American ones by rule (``fold``): -ise/-isation/-yse, -our, doubled l
  before -ing/-ed/-er, -tre/-bre, -ogue. Both sides fold, so a rule that also rewrites a word with no
  variant ("noise" -> "noize") changes nothing a reader can see.
- The term is a light stem (``light_stem``: Porter's step 1, inflections only), so "pruning" meets
  "prune" and "models" meets "model", but "generation", "general" and "generalization" stay apart;
  search.js finds a word's Porter family at query time and ranks those matches below exact ones.
- A hyphenated word is indexed as its parts and as the joined word ("fine-tuning" -> fine, tune,
  finetune), so "finetuning", "fine-tuning" and "fine tuning" find each other.
- "large language models (LLMs)" anywhere in the papers teaches the pair (Schwartz & Hearst's rule:
  the letters of the short form, in order, within the words before it, the first at a word's start).
  A paper that uses the short form is also indexed under the long form's terms, and one that uses the
  long form under the short one, so either finds both.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from lunr.stop_word_filter import WORDS as STOP_WORDS

_TRIM = re.compile(r"^[\W_]+|[\W_]+$")
_FOLDS = (
    (re.compile(r"(?<=\w\w)is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w\w)ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=\w\w)our(s|ed|ing|ite|ites|able|ful|less|ist|ists)?$"), r"or\1"),
    (re.compile(r"(?<=[aeiouy][^aeiouy\W])([ae])ll(ing|ed|er|ers)$"), r"\1l\2"),
    (re.compile(r"(?<=\w\w)([bt])re(s?)$"), r"\1er\2"),
    (re.compile(r"(?<=\w\w)([bt])red$"), r"\1ered"),
    (re.compile(r"(?<=\w\w\w)ogue(s?)$"), r"og\1"),
)


# Whether any rule applies, in one pass: most words need none.
_ANY_FOLD = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _FOLDS))


def fold(word: str) -> str:
    """British to American spelling, by rule (no word list); at most one rule applies."""
    if not _ANY_FOLD.search(word):
        return word
    for pattern, replacement in _FOLDS:
        folded, count = pattern.subn(replacement, word)
        if count:
            return folded
    return word


# Porter's step 1 (1a plurals, 1b -ed/-ing, 1c y -> i), exactly as lunr's stemmer writes it.
_C = "[^aeiou][^aeiouy]*"
_V = "[aeiouy][aeiou]*"
_MGR0 = re.compile(f"^({_C})?{_V}{_C}")
_MEQ1_CVC = re.compile("^[^aeiou][^aeiouy]*[aeiouy][^aeiouwxy]$")
_HAS_VOWEL = re.compile(f"^({_C})?[aeiouy]")
_STEP1A = (re.compile("^(.+?)(ss|i)es$"), re.compile("^(.+?)([^s])s$"))
_EED = re.compile("^(.+?)eed$")
_ED_ING = re.compile("^(.+?)(ed|ing)$")
_STEP1C = re.compile("^(.+?[^aeiou])y$")


def light_stem(word: str) -> str:
    if len(word) < 3:
        return word
    y_first = word[0] == "y"
    if y_first:
        word = "Y" + word[1:]
    for pattern in _STEP1A:
        if pattern.match(word):
            word = pattern.sub(r"\1\2", word)
            break
    if m := _EED.match(word):
        if _MGR0.match(m.group(1)):
            word = word[:-1]
    elif (m := _ED_ING.match(word)) and _HAS_VOWEL.match(m.group(1)):
        word = m.group(1)
        if re.search("(at|bl|iz)$", word):
            word += "e"
        elif re.search(r"([^aeiouylsz])\1$", word):
            word = word[:-1]
        elif _MEQ1_CVC.match(word):
            word += "e"
    if m := _STEP1C.match(word):
        word = m.group(1) + "i"
    return "y" + word[1:] if y_first else word


@cache
def term(word: str) -> str | None:
    """One word (any case, with punctuation) -> its index term, or None for a stop word or no word."""
    trimmed = _TRIM.sub("", word.lower())
    if not trimmed or trimmed in STOP_WORDS:
        return None
    return light_stem(fold(trimmed))


@dataclass(frozen=True)
class Token:
    surface: str  # as written, trimmed (the case matters for acronyms)
    term: str


def tokens(text: str) -> tuple[list[Token], list[str]]:
    """A text's word tokens in order (stop words out), and the terms of its hyphenated words joined."""
    words: list[Token] = []
    joined: list[str] = []
    for chunk in text.split():
        found, whole = _chunk_tokens(chunk)
        words.extend(found)
        if whole:
            joined.append(whole)
    return words, joined


@lru_cache(maxsize=1 << 16)  # words recur (Zipf): most chunks of a big site are analysed once
def _chunk_tokens(chunk: str) -> tuple[tuple[Token, ...], str | None]:
    """One whitespace-separated chunk's tokens, and its hyphenated parts' joined term."""
    parts = [p for p in chunk.split("-") if _TRIM.sub("", p)]
    found = tuple(Token(_TRIM.sub("", part), t) for part in parts if (t := term(part)))
    return found, (term("".join(parts)) if len(parts) > 1 else None)


# ---------- acronyms ----------

_SHORT = re.compile(r"\(([A-Za-z][A-Za-z0-9]{1,9})\)")
MIN_CAPITALS = 2  # "LLMs", "NeRF", "LoRA": an acronym is written with at least two capitals


@lru_cache(maxsize=1 << 16)
def _base(short: str) -> str:
    """ "LLMs" -> "LLM", "NeRFs" -> "NeRF": the plural of a short form is the same short form."""
    plural = short.endswith("s") and sum(ch.isupper() for ch in short[:-1]) >= MIN_CAPITALS
    return short[:-1] if plural else short


def long_form(short: str, before: str) -> str | None:
    """Schwartz & Hearst: the shortest tail of ``before`` whose characters contain the short form's
    letters in order, the first of them at the start of a word; None when there is none."""
    s, end = len(short) - 1, len(before) - 1
    i = end
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (before[i].lower() != c or (s == 0 and i > 0 and before[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    return before[before.rfind(" ", 0, i + 1) + 1 :].strip()


def definitions(text: str) -> Iterable[tuple[str, tuple[str, ...]]]:
    """(short form, long form's terms) for each "long form (SF)" in a text."""
    for m in _SHORT.finditer(text):
        short = _base(m.group(1))
        if sum(ch.isupper() for ch in short) < MIN_CAPITALS:
            continue
        window = min(len(short) + 5, 2 * len(short))
        before = " ".join(text[: m.start()].split()[-window:])
        found = long_form(short, before)
        if not found:
            continue
        words = tokens(found)[0]
        terms = tuple(tk.term for tk in words)
        # Every word of the long form starts with one of the short form's letters ("base long short
        # term memory (BRNN)" is a misreading, "physics-informed neural networks (PINNs)" is not).
        letters = set(short.lower())
        if terms and terms != (term(short),) and all(tk.surface[0].lower() in letters for tk in words):
            yield short, terms


def mine_acronyms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Short form -> long form terms, for every short form whose most frequent long form is the one used
    in more than half of its definitions (an ambiguous short form teaches nothing)."""
    seen: dict[str, Counter[tuple[str, ...]]] = {}
    for text in texts:
        for short, terms in definitions(text):
            seen.setdefault(short, Counter())[terms] += 1
    taught = {}
    for short, forms in sorted(seen.items()):
        (best, count), total = min(forms.items(), key=lambda f: (-f[1], f[0])), sum(forms.values())
        if 2 * count > total:
            taught[short] = best
    return taught


@dataclass(frozen=True)
class Acronyms:
    """The mined pairs, indexed for use on each text."""

    by_short: Mapping[str, tuple[str, ...]]
    by_first: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]  # first long term -> (long, short term)

    @classmethod
    def of(cls, pairs: Mapping[str, tuple[str, ...]]) -> Acronyms:
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for short, terms in sorted(pairs.items()):
            by_first.setdefault(terms[0], []).append((terms, term(short) or short.lower()))
        return cls(dict(pairs), {first: tuple(forms) for first, forms in by_first.items()})


def field_terms(text: str, acronyms: Acronyms) -> Counter[str]:
    """A field's terms with their frequencies: its words, its hyphenated words joined, and the other form
    of each acronym pair it uses (once per pair)."""
    words, joined = tokens(text)
    terms = Counter(tk.term for tk in words)
    terms.update(joined)
    sequence = [tk.term for tk in words]
    added: set[str] = set()
    for tk in words:
        long = acronyms.by_short.get(_base(tk.surface))
        if long and tk.surface not in added and not _contains(sequence, long):
            added.add(tk.surface)
            terms.update(long)
    for i, first in enumerate(sequence):
        for long, short_term in acronyms.by_first.get(first, ()):
            if short_term not in terms and tuple(sequence[i : i + len(long)]) == long:
                terms[short_term] += 1
    return terms


def _contains(sequence: Sequence[str], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(tuple(sequence[i : i + n]) == part for i in range(len(sequence) - n + 1))
