"""Synthetic corpora for the benchmarks: the shipped papers grown to N (10,000, 50,000, 100,000), with
unique titles, slugs and ids, and a vocabulary that grows like a real one.

Each copy mixes the sentences of its source paper with a few of another paper's, and a share of its words
(title and abstract) is replaced by synthetic words from a Simon process: a word is new with a
probability that falls as the corpus grows, so the vocabulary follows Heaps' law (V = K * N^BETA for N
words written), and otherwise repeats a word already written, picked in proportion to its uses, which
gives Zipf's law for their frequencies. So 100,000 papers hold far more distinct words than 10,000, as a
real reading list would, rather than 20 copies of the shipped 6,600 words.

    .venv/bin/python bench/corpus.py --papers 100000 FOLDER    # a project to build with `sitegen build`
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

from sitegen.content import read_text
from sitegen.frontmatter import format_paper, split_front_matter
from sitegen.slugs import paper_id

REPO = Path(__file__).resolve().parent.parent
HEAPS_K = 20.0  # V = K * N^BETA; abstracts of real corpora show K in 10-100 and BETA in 0.4-0.6
HEAPS_BETA = 0.6
SYNTHETIC_SHARE = 0.25  # of a copy's words, those replaced by synthetic words
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]{4,}")
_ONSETS = ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")


def synthetic_word(number: int) -> str:
    """The ``number``-th synthetic word: pronounceable, distinct for every number, at least 2 syllables."""
    syllables = []
    number += len(_ONSETS) * len(_VOWELS)  # skip the one-syllable words
    while number:
        number, digit = divmod(number, len(_ONSETS) * len(_VOWELS))
        syllables.append(_ONSETS[digit // len(_VOWELS)] + _VOWELS[digit % len(_VOWELS)])
    return "".join(syllables) + "n"


class Vocabulary:
    """A Simon process over synthetic words: Heaps' law for how many, Zipf's law for how often."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.written: list[int] = []  # every synthetic word written so far, by number
        self.size = 0

    def word(self) -> str:
        n = len(self.written) + 1
        # The expected vocabulary after n words is K * n^BETA; its growth at n is the chance of a new word.
        chance = min(1.0, HEAPS_K * HEAPS_BETA * n ** (HEAPS_BETA - 1))
        if not self.written or self.rng.random() < chance:
            number, self.size = self.size, self.size + 1
        else:
            number = self.written[self.rng.randrange(len(self.written))]
        self.written.append(number)
        return synthetic_word(number)

    def rewrite(self, text: str) -> str:
        """``text`` with a share of its longer words replaced by synthetic ones."""
        share, rng = SYNTHETIC_SHARE, self.rng
        return _WORD.sub(lambda m: self.word() if rng.random() < share else m[0], text)


def make_project(target: Path) -> Path:
    """A project folder with the repository's config, themes, templates, static files and dumps."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, target / name)
    (target / "content").mkdir()
    shutil.copytree(REPO / "content" / "dumps", target / "content" / "dumps")
    shutil.copy(REPO / "content" / "themes.yaml", target / "content" / "themes.yaml")
    shutil.copy(REPO / "sitegen.yaml", target / "sitegen.yaml")
    (target / "node_modules").symlink_to(REPO / "node_modules")
    return target


def make_corpus(target: Path, papers: int | None = None) -> Path:
    """``target`` as a project holding the shipped papers, grown to ``papers`` when that is larger."""
    make_project(target)
    shutil.copytree(REPO / "content" / "papers", target / "content" / "papers")
    shipped = sorted((target / "content" / "papers").glob("*/*.md"))
    if not shipped:
        raise SystemExit("no papers under content/papers/: run `sitegen import` first")
    parsed = [split_front_matter(p, read_text(p)) for p in shipped]
    sentences = [_SENTENCE.split(p.body) for p in parsed]
    rng = random.Random(0)
    vocabulary = Vocabulary(rng)
    for n in range(len(shipped), papers or 0):
        source, donor = n % len(shipped), rng.randrange(len(shipped))
        data = dict(parsed[source].data)
        data["title"] = f"{vocabulary.word().title()} {n}: {vocabulary.rewrite(data['title'])}"
        data["id"] = paper_id(data["title"])
        own, other = sentences[source], sentences[donor]
        body = " ".join(rng.sample(own, k=max(1, len(own) - 2)) + rng.sample(other, k=min(2, len(other))))
        path = shipped[source]
        out = path.with_name(f"{path.stem[:70].rstrip('-')}-{n}.md")
        out.write_text(format_paper(data, vocabulary.rewrite(body)), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--papers", type=int, default=100_000)
    args = parser.parse_args()
    make_corpus(args.folder, args.papers)
    print(f"{args.papers} papers in {args.folder}; build them with: sitegen build --root {args.folder}")


if __name__ == "__main__":
    main()
