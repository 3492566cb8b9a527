"""The learned classifier: files a new paper the way curators filed the papers already on the list.

The committed tree is a labelled corpus: every paper's folder is its theme (excluded papers too: where a
curator put a paper says what it is about, whether or not the site shows it), and a ``git mv`` is a
correction the next training run learns from. Training runs at import time on the tree as it is:

1. Features: TF-IDF over title and abstract: the keyword classifier's normalised words (plurals, British
   spelling) without stopwords, and pairs of adjacent words; title words weighted; sublinear term
   frequency; each vector scaled to unit length.
2. Model: nearest centroids. Each theme is the mean of its papers' vectors; a paper's learned log-odds
   for a theme are ``SHARPNESS`` times its cosine similarity to that mean. Training is one pass over
   the papers (10,000 in seconds), taken in a fixed order, with no random start and no iteration, so
   the same tree always gives the same model; every theme counts alike however many papers it holds,
   and a word's part in a decision can be read off (``Choice.evidence``). Tried on the held-out sets
   and not kept (README, bench/classify.py): logistic regression, a class-balanced ridge classifier
   (alone or blended), complement naive Bayes, weighting the abstract's first or "we" sentences,
   theme descriptions as training documents, self-training on the imported batch. The tree holds few
   papers of the LLM era, and no model family learns from it what it does not show.
3. Prior: the ``themes.yaml`` keywords (``sitegen.classify``) add log-odds: each theme's keyword score
   relative to the best one's, plus one for the keyword classifier's own pick; when that pick is a
   deferral, it and the theme that yielded trade scores first. Relative, so one keyword said twenty
   times weighs no more than said once. The prior is worth ``KEYWORD_WEIGHT`` log-odds to a
   theme with no paper and fades as curators file more: ``KEYWORD_PAPERS / (KEYWORD_PAPERS + n)``.
4. The answer is a probability per theme (softmax). The best one's probability is the paper's
   confidence. A paper is filed under its best theme however low that is (import lists it and check
   notices it below ``review_below``, so a curator decides); only a paper that no theme's keywords
   claim and whose words are unknown or speak for several themes alike goes to ``unsorted``.
   (A confidence cut-off for unsorted was tried: it sent LLM-era papers whose best theme was right to
   unsorted, since 16 themes spread the probability thin; bench/classify.py.)

numpy is imported inside the functions that use it: a build never trains, nor loads numpy for it here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.classify import classifier, tokenise
from sitegen.content import paper_files, read_text
from sitegen.frontmatter import ContentProblem, split_front_matter
from sitegen.related import STOPWORDS
from sitegen.themes import UNSORTED, Theme

if TYPE_CHECKING:
    import numpy as np

SHARPNESS = 20.0  # log-odds per unit of cosine similarity to a theme's centroid
KEYWORD_PAPERS = 10.0  # the keyword prior weighs like this many papers of its theme
KEYWORD_WEIGHT = 2.0  # log-odds the keyword prior adds to its best theme while that theme has no paper
TITLE_FACTOR = 3  # a title word counts as this many abstract words: the title states the contribution
PICK_BONUS = 1.0  # the keyword classifier's own pick (after its deferrals) counts as one more best score
EVIDENCE_SHOWN = 6


@dataclass(frozen=True)
class Labelled:
    """One training (or evaluation) paper: its text and the theme a curator filed it under."""

    title: str
    abstract: str
    theme: str


@dataclass(frozen=True)
class Choice:
    """The classifier's answer for one paper, with what it rests on."""

    theme: str  # a theme slug or UNSORTED
    confidence: float  # the probability of the best theme, 0..1
    ranked: tuple[tuple[str, float], ...]  # (theme, probability), most likely first
    evidence: tuple[tuple[str, float], ...]  # (word, weight) that pushed most towards the best theme
    keywords: tuple[tuple[str, float], ...]  # (theme, keyword score) of the themes.yaml prior

    @property
    def runner_up(self) -> str:
        return self.ranked[1][0] if len(self.ranked) > 1 else UNSORTED


def tree_examples(papers_dir: Path, themes: Sequence[Theme]) -> list[Labelled]:
    """Every paper filed under a theme folder, labelled with that folder, in path order.

    Files that cannot be read are left out here: ``sitegen check`` (and the importer) report them.
    """
    known = {t.slug for t in themes}
    examples = []
    for path in paper_files(papers_dir):
        if path.parent.name not in known:
            continue
        try:
            parsed = split_front_matter(path, read_text(path))
        except ContentProblem:
            continue
        title = parsed.data.get("title")
        if isinstance(title, str):
            examples.append(Labelled(title, parsed.body, path.parent.name))
    return examples


class ThemeModel:
    """Learned weights plus the keyword prior for one theme set; ``choose`` files one paper."""

    def __init__(
        self,
        themes: Sequence[Theme],
        examples: Sequence[Labelled],
        keyword_papers: float = KEYWORD_PAPERS,
    ) -> None:
        import numpy as np

        self.themes = tuple(themes)
        self.slugs = tuple(t.slug for t in self.themes)
        position = {slug: i for i, slug in enumerate(self.slugs)}
        # A fixed order, whatever order the files were listed in: sums of floats depend on their order.
        ordered = sorted(
            (e for e in examples if e.theme in position), key=lambda e: (e.theme, e.title, e.abstract)
        )
        labels = [position[e.theme] for e in ordered]
        texts = [(e.title, e.abstract) for e in ordered]
        counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=len(self.slugs))
        self.papers = {slug: int(n) for slug, n in zip(self.slugs, counts, strict=True)}
        self._keywords = classifier(self.themes)
        self._prior = KEYWORD_WEIGHT * keyword_papers / (keyword_papers + counts)
        counted = [term_counts(title, abstract) for title, abstract in texts]
        self._names, self._idf = _vocabulary(counted)
        self._columns = {term: col for col, term in enumerate(self._names)}
        self._weights = np.zeros((len(self.slugs), len(self._names)))
        if labels:
            vectors = [self._vector(c) for c in counted]
            self._weights = SHARPNESS * _centroids(vectors, np.asarray(labels), self._weights.shape)

    def _vector(self, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """A paper's unit-length TF-IDF vector over the known terms, as (columns, values)."""
        import numpy as np

        known = [(self._columns[t], n) for t, n in counts.items() if t in self._columns]
        columns = np.fromiter((col for col, _ in known), np.int64, len(known))
        values = np.fromiter((1.0 + math.log(n) for _, n in known), np.float64, len(known))
        values *= self._idf[columns]
        norm = float(np.sqrt(values @ values))
        return columns, values / norm if norm else values

    def keyword_evidence(self, title: str, abstract: str) -> tuple[np.ndarray, str]:
        """Per theme, the keyword prior's log-odds (each theme's score relative to the best one's, plus
        the keyword classifier's own pick with its deferrals), and that pick. Relative, so that a paper
        repeating one keyword twenty times weighs no more than a paper saying it once. When the best
        scorer deferred to the pick (``defers_to``: an LLM agent is a language-models paper), the two
        trade shares: a curator ranked the pick above it, and the prior keeps that order."""
        import numpy as np

        scores = np.maximum(np.asarray(self._keywords.scores(title, abstract)), 0.0)
        pick = self._keywords.classify(title, abstract)
        share = scores / scores.max() if scores.max() > 0 else scores
        if pick in self.slugs:
            chosen, top = self.slugs.index(pick), int(np.argmax(scores))  # ties: declared first, as classify
            share[[chosen, top]] = share[[top, chosen]]
            share[chosen] += PICK_BONUS
        return self._prior * share, pick

    def choose(self, title: str, abstract: str) -> Choice:
        import numpy as np

        columns, values = self._vector(term_counts(title, abstract))
        learned = self._weights[:, columns] @ values
        keyword, pick = self.keyword_evidence(title, abstract)
        logits = learned + keyword
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        # Rounded before ranking, so float noise never decides an order; ties go to the theme declared first.
        rounded = [round(float(p), 6) for p in probabilities]
        order = sorted(range(len(self.slugs)), key=lambda i: (-rounded[i], i))
        best = order[0]
        # Unsorted: no theme's keywords reach its min_score, and the paper's words either were never seen
        # in training or speak for several themes alike (a tie at the top): there is nothing to decide by.
        undecided = not len(columns) or (len(order) > 1 and rounded[best] == rounded[order[1]])
        unknown = pick == UNSORTED and undecided
        return Choice(
            theme=UNSORTED if unknown else self.slugs[best],
            confidence=rounded[best],
            ranked=tuple((self.slugs[i], rounded[i]) for i in order),
            evidence=self._evidence(columns, values, best),
            keywords=tuple((self.slugs[i], round(float(keyword[i]), 2)) for i in order if keyword[i]),
        )

    def _evidence(self, columns: np.ndarray, values: np.ndarray, theme: int) -> tuple[tuple[str, float], ...]:
        """The words of the paper that pushed most towards ``theme`` (learned weight x feature value)."""
        pushes = values * self._weights[theme, columns]
        ranked = sorted(
            ((self._names[col], round(float(push), 4)) for col, push in zip(columns, pushes, strict=True)),
            key=lambda item: (-item[1], item[0]),
        )
        return tuple(item for item in ranked[:EVIDENCE_SHOWN] if item[1] > 0)


def term_counts(title: str, abstract: str) -> Counter[str]:
    """A paper's terms: the keyword classifier's normalised words (plurals, British spelling) without
    stopwords, and pairs of adjacent ones ("language model" says more than "language" and "model");
    title terms count TITLE_FACTOR times."""
    counts: Counter[str] = Counter()
    for text, weight in ((abstract, 1), (title, TITLE_FACTOR)):
        words = [w if w not in STOPWORDS and len(w) > 1 else "" for w in tokenise(text)]
        for word in words:
            if word:
                counts[word] += weight
        for first, second in pairwise(words):
            if first and second:
                counts[f"{first} {second}"] += weight
    return counts


def _vocabulary(counted: Sequence[Counter[str]]) -> tuple[list[str], np.ndarray]:
    """The known terms, alphabetical (so the order of files never matters), with their inverse document
    frequency: every word of a filed paper, and word pairs seen in at least two papers (a pair in one
    paper only is a phrase of that paper, not vocabulary)."""
    import numpy as np

    df: Counter[str] = Counter()
    for counts in counted:
        df.update(counts.keys())
    names = sorted(t for t, n in df.items() if n >= 2 or " " not in t)
    frequency = np.fromiter((df[t] for t in names), np.float64, len(names))
    return names, np.log((1.0 + len(counted)) / (1.0 + frequency)) + 1.0


def _centroids(
    vectors: Sequence[tuple[np.ndarray, np.ndarray]], labels: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Each theme's mean paper vector, scaled to unit length (a theme with no paper stays all zero)."""
    import numpy as np

    sums = np.zeros(shape)
    for (columns, values), label in zip(vectors, labels, strict=True):
        sums[label, columns] += values
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return sums / norms


CLASSIFIED = "classified"  # the front matter field recording a low-confidence filing, for review


class Filer:
    """What import and add call for each new paper: trains on the tree at first use (a re-import that
    brings no new paper never loads numpy), then files papers and says which need a reviewer's look."""

    def __init__(self, papers_dir: Path, themes: Sequence[Theme], review_below: float) -> None:
        self.papers_dir, self.themes, self.review_below = papers_dir, tuple(themes), review_below
        self._model: ThemeModel | None = None
        self.filed: list[tuple[str, Choice]] = []  # (title, choice) of every paper filed, for `import -v`

    @property
    def model(self) -> ThemeModel:
        if self._model is None:
            self._model = ThemeModel(self.themes, tree_examples(self.papers_dir, self.themes))
        return self._model

    def file(self, title: str, abstract: str) -> tuple[Choice, dict[str, object] | None]:
        """The choice, and the ``classified`` record to write when its confidence is below the threshold."""
        choice = self.model.choose(title, abstract)
        self.filed.append((title, choice))
        if choice.theme == UNSORTED or choice.confidence >= self.review_below:
            return choice, None
        return choice, {
            "theme": choice.theme,
            "confidence": round(choice.confidence, 2),
            "maybe": choice.runner_up,
        }


def explain(choice: Choice, shown: int = 3) -> list[str]:
    """Lines telling a curator why a paper was filed where it was: top themes, keywords, weighty words."""
    lines = [f"{choice.theme} (confidence {choice.confidence:.2f})"]
    for slug, probability in choice.ranked[:shown]:
        lines.append(f"  {probability:6.1%}  {slug}")
    if choice.keywords:
        prior = ", ".join(f"{slug} +{weight:g}" for slug, weight in choice.keywords[:shown])
        lines.append(f"  keyword prior (log-odds): {prior}")
    if choice.evidence:
        words = ", ".join(f"{word} {weight:.2f}" for word, weight in choice.evidence)
        lines.append(f"  words that weighed most for {choice.ranked[0][0]}: {words}")
    return lines
