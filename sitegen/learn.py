"""The learned classifier: files a new paper the way curators filed the papers already on the list.

The committed tree is a labelled corpus: every paper's folder is its theme (excluded papers too: where a
curator put a paper says what it is about, whether or not the site shows it), and a ``git mv`` is a
correction the next training run learns from. Training runs at import time on the tree as it is:

1. Features: TF-IDF over title and abstract (``sitegen.related.term_counts``: stopwords out, title words
   weighted), sublinear term frequency, each vector scaled to unit length.
2. Model: nearest centroids. Each theme is the mean of its papers' vectors; a paper's learned log-odds
   for a theme are ``SHARPNESS`` times its cosine similarity to that mean. Training is one sparse
   product (10,000 papers in about a second), has no random start and no iteration, so the same tree
   always gives the same model; every theme counts alike however many papers it holds, and a word's
   part in a decision can be read off (``Choice.evidence``). Logistic regression fitted by L-BFGS was
   tried: no better on held-out papers (bench/classify.py), and ten times slower to train.
3. Prior: the ``themes.yaml`` keywords (``sitegen.classify``) add log-odds: each theme's keyword score
   relative to the best one's, plus one for the keyword classifier's own pick. Relative, so one keyword
   said twenty times weighs no more than said once. The prior is worth ``KEYWORD_WEIGHT`` log-odds to a
   theme with no paper and fades as curators file more: ``KEYWORD_PAPERS / (KEYWORD_PAPERS + n)``.
4. The answer is a probability per theme (softmax). The best one's probability is the paper's
   confidence; a paper that no theme's keywords claim and that the model is unsure of goes to
   ``unsorted``.

numpy and scipy are imported inside the functions that use them: a build never trains or loads them here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.classify import classifier
from sitegen.content import ContentProblem, paper_files, read_text, split_front_matter
from sitegen.related import term_counts
from sitegen.themes import UNSORTED, Theme

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse

SHARPNESS = 20.0  # log-odds per unit of cosine similarity to a theme's centroid
KEYWORD_PAPERS = 10.0  # the keyword prior weighs like this many papers of its theme
KEYWORD_WEIGHT = 2.0  # log-odds the keyword prior adds to its best theme while that theme has no paper
UNSURE = 0.5  # below this confidence, a paper no theme's keywords claim goes to unsorted
MIN_DF = 1  # every word a curator's filed paper uses counts: one paper can teach a new word
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
        learned: bool = True,
    ) -> None:
        import numpy as np

        self.themes = tuple(themes)
        self.slugs = tuple(t.slug for t in self.themes)
        position = {slug: i for i, slug in enumerate(self.slugs)}
        labels = [position[e.theme] for e in examples if e.theme in position]
        texts = [(e.title, e.abstract) for e in examples if e.theme in position]
        counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=len(self.slugs))
        self.papers = {slug: int(n) for slug, n in zip(self.slugs, counts, strict=True)}
        self._keywords = classifier(self.themes)
        self._prior = KEYWORD_WEIGHT * keyword_papers / (keyword_papers + counts)
        self._terms, self._idf = _vocabulary(texts)
        self._weights = np.zeros((len(self.slugs), len(self._terms)))
        if learned and labels:
            centroids = _centroids(self._features(texts), np.asarray(labels), len(self.slugs))
            self._weights = SHARPNESS * centroids

    def _features(self, texts: Sequence[tuple[str, str]]) -> scipy.sparse.csr_matrix:
        import numpy as np
        import scipy.sparse

        rows, cols, values = [], [], []
        for row, (title, abstract) in enumerate(texts):
            for term, count in term_counts(title, abstract).items():
                col = self._terms.get(term)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
                    values.append((1.0 + math.log(count)) * self._idf[col])
        matrix = scipy.sparse.csr_matrix(
            (np.asarray(values), (np.asarray(rows, np.int64), np.asarray(cols, np.int64))),
            shape=(len(texts), len(self._terms)),
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return scipy.sparse.diags(1.0 / norms) @ matrix

    def keyword_evidence(self, title: str, abstract: str) -> tuple[np.ndarray, str]:
        """Per theme, the keyword prior's log-odds (each theme's score relative to the best one's, plus
        the keyword classifier's own pick with its deferrals), and that pick. Relative, so that a paper
        repeating one keyword twenty times weighs no more than a paper saying it once."""
        import numpy as np

        scores = np.maximum(np.asarray(self._keywords.scores(title, abstract)), 0.0)
        pick = self._keywords.classify(title, abstract)
        share = scores / scores.max() if scores.max() > 0 else scores
        if pick in self.slugs:
            share[self.slugs.index(pick)] += 1.0
        return self._prior * share, pick

    def choose(self, title: str, abstract: str) -> Choice:
        import numpy as np

        vector = self._features([(title, abstract)])
        learned = np.asarray(vector @ self._weights.T).ravel()
        keyword, pick = self.keyword_evidence(title, abstract)
        logits = learned + keyword
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        # Rounded before ranking, so float noise never decides an order; ties go to the theme declared first.
        rounded = [round(float(p), 6) for p in probabilities]
        order = sorted(range(len(self.slugs)), key=lambda i: (-rounded[i], i))
        best = order[0]
        # Unsorted: no theme's keywords reach its min_score and the model leans on nothing it knows well.
        unsure = pick == UNSORTED and rounded[best] < UNSURE
        return Choice(
            theme=UNSORTED if unsure else self.slugs[best],
            confidence=rounded[best],
            ranked=tuple((self.slugs[i], rounded[i]) for i in order),
            evidence=self._evidence(vector, best),
            keywords=tuple((self.slugs[i], round(float(keyword[i]), 2)) for i in order if keyword[i]),
        )

    def _evidence(self, vector: scipy.sparse.csr_matrix, theme: int) -> tuple[tuple[str, float], ...]:
        """The words of the paper that pushed most towards ``theme`` (learned weight x feature value)."""
        names = self._names()
        pushes = [
            (names[col], round(float(value * self._weights[theme, col]), 4))
            for col, value in zip(vector.indices, vector.data, strict=True)
        ]
        pushes.sort(key=lambda item: (-item[1], item[0]))
        return tuple(item for item in pushes[:EVIDENCE_SHOWN] if item[1] > 0)

    def _names(self) -> list[str]:
        names = [""] * len(self._terms)
        for term, col in self._terms.items():
            names[col] = term
        return names


def _vocabulary(texts: Sequence[tuple[str, str]]) -> tuple[dict[str, int], list[float]]:
    """Terms in at least MIN_DF papers, numbered alphabetically (so the order of files never matters),
    with their inverse document frequency."""
    df: dict[str, int] = {}
    for text in texts:
        for term in term_counts(*text):
            df[term] = df.get(term, 0) + 1
    terms = sorted(t for t, n in df.items() if n >= MIN_DF)
    total = len(texts)
    return {t: i for i, t in enumerate(terms)}, [math.log((1 + total) / (1 + df[t])) + 1.0 for t in terms]


def _centroids(features: scipy.sparse.csr_matrix, labels: np.ndarray, classes: int) -> np.ndarray:
    """Each theme's mean paper vector, scaled to unit length (a theme with no paper stays all zero)."""
    import numpy as np
    import scipy.sparse

    membership = scipy.sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(classes, len(labels))
    )
    sums = np.asarray((membership @ features).todense())
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
