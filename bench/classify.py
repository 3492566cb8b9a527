"""How well the theme classifier agrees with curators, measured on papers it was not trained on.

    .venv/bin/python bench/classify.py [--folds 5] [--papers content/papers] [--sets a.yaml,b.yaml]
                                       [--scale 10000]

1. Cross-validation on the shipped tree: the papers are dealt into folds within each theme (path order,
   every k-th paper), the model is trained on all folds but one and files the papers of that one.
2. Each labelled set (YAML list of {title, abstract, theme, also: [alternates]}): the model is trained on
   the whole tree minus the set's own papers (tests/fixtures/labelled.yaml is drawn from the tree).
   "agreement" counts the primary theme or an alternate; "primary" the primary theme only.

Three classifiers are compared: the themes.yaml keywords alone (sitegen.classify), the learned model
alone, and the two combined (what `sitegen import` uses); for the combined one, how often the papers it
would flag for review (confidence below ``review_below``) agree with the curator, next to the others.
With --scale N, it also times training on a tree grown to N papers (bench/corpus.py) and filing 1,000
papers with it. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.classify import classify  # noqa: E402
from sitegen.learn import Labelled, ThemeModel, tree_examples  # noqa: E402
from sitegen.slugs import normalise_title  # noqa: E402
from sitegen.themes import UNSORTED, Theme, load_themes, review_threshold  # noqa: E402

SETS = (
    REPO / "tests" / "fixtures" / "labelled.yaml",
    REPO / "bench" / "labelled_frontier.yaml",
    REPO / "bench" / "labelled_frontier2.yaml",
    REPO / "bench" / "labelled_frontier3.yaml",
)
Filer = Callable[[str, str], str]


def filers(themes: Sequence[Theme], train: Sequence[Labelled]) -> dict[str, Filer]:
    learned = ThemeModel(themes, train, keyword_papers=0.0)
    combined = ThemeModel(themes, train)
    return {
        "keywords": lambda t, a: classify(t, a, themes),
        "learned": lambda t, a: learned.choose(t, a).theme,
        "combined": lambda t, a: combined.choose(t, a).theme,
    }


def score(filer: Filer, items: Sequence[dict]) -> tuple[int, int, int]:
    """(agreeing with primary or an alternate, agreeing with the primary, unsorted)."""
    agree = primary = unsorted = 0
    for item in items:
        theme = filer(item["title"], item["abstract"])
        primary += theme == item["theme"]
        agree += theme == item["theme"] or theme in item.get("also", ())
        unsorted += theme == UNSORTED
    return agree, primary, unsorted


def review_split(model: ThemeModel, items: Sequence[dict], below: float) -> str:
    """Whether the confidence means something: agreement of the papers import would flag for review
    (confidence below ``review_below``) next to that of the papers it files without a flag."""
    groups: dict[bool, list[bool]] = {True: [], False: []}
    for item in items:
        choice = model.choose(item["title"], item["abstract"])
        agrees = choice.theme == item["theme"] or choice.theme in item.get("also", ())
        groups[choice.theme != UNSORTED and choice.confidence < below].append(agrees)
    flagged, kept = groups[True], groups[False]
    return (
        f"{len(flagged)} flagged below {below:g}: {sum(flagged) / max(len(flagged), 1):.0%} agree; "
        f"{len(kept)} not: {sum(kept) / max(len(kept), 1):.0%}"
    )


def cross_validate(themes: Sequence[Theme], examples: Sequence[Labelled], folds: int) -> dict[str, list]:
    seen: Counter[str] = Counter()
    fold_of = []
    for example in examples:
        fold_of.append(seen[example.theme] % folds)
        seen[example.theme] += 1
    totals: dict[str, list] = {}
    confusions: dict[str, Counter] = {}
    for fold in range(folds):
        train = [e for e, f in zip(examples, fold_of, strict=True) if f != fold]
        test = [e for e, f in zip(examples, fold_of, strict=True) if f == fold]
        items = [{"title": e.title, "abstract": e.abstract, "theme": e.theme} for e in test]
        for name, filer in filers(themes, train).items():
            agree, _, unsorted = score(filer, items)
            total = totals.setdefault(name, [0, 0, 0])
            total[0] += agree
            total[1] += unsorted
            total[2] += len(items)
            confusion = confusions.setdefault(name, Counter())
            for item in items:
                theme = filer(item["title"], item["abstract"])
                if theme != item["theme"]:
                    confusion[(item["theme"], theme)] += 1
    for name, confusion in confusions.items():
        totals[name].append(confusion.most_common(5))
    return totals


def time_training(papers: int, themes_file: Path) -> None:
    from corpus import make_corpus

    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as temp:
        root = make_corpus(Path(temp) / "project", papers)
        themes = load_themes(themes_file)
        clocks = [(time.perf_counter(), time.process_time())]
        examples = tree_examples(root / "content" / "papers", themes)
        clocks.append((time.perf_counter(), time.process_time()))
        model = ThemeModel(themes, examples)
        clocks.append((time.perf_counter(), time.process_time()))
        for example in examples[:1000]:
            model.choose(example.title, example.abstract)
        clocks.append((time.perf_counter(), time.process_time()))
    # CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
    steps = [
        f"{name} {b[0] - a[0]:.2f} s ({b[1] - a[1]:.2f} s CPU)"
        for name, a, b in zip(("reading", "training", "filing 1,000"), clocks, clocks[1:], strict=False)
    ]
    print(f"{len(examples)} papers: " + ", ".join(steps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--papers", type=Path, default=REPO / "content" / "papers")
    parser.add_argument("--themes", type=Path, default=REPO / "content" / "themes.yaml")
    parser.add_argument("--sets", default=",".join(str(p) for p in SETS))
    parser.add_argument("--scale", type=int, default=0, help="also time training on this many papers")
    args = parser.parse_args()
    if args.scale:
        time_training(args.scale, args.themes)
    themes, below = load_themes(args.themes), review_threshold(args.themes)
    examples = tree_examples(args.papers, themes)
    print(f"{len(examples)} papers in {len({e.theme for e in examples})} themes, {args.folds}-fold CV\n")
    started = time.perf_counter()
    print(f"{'classifier':<10} {'set':<28} {'agreement':>10} {'primary':>8} {'unsorted':>9}")
    for name, (agree, unsorted, total, worst) in cross_validate(themes, examples, args.folds).items():
        print(f"{name:<10} {'cross-validation':<28} {agree / total:>10.1%} {'':>8} {unsorted / total:>9.1%}")
        print(f"{'':<10} most common misses: {', '.join(f'{a}->{b} x{n}' for (a, b), n in worst)}")
    for path in (Path(p) for p in args.sets.split(",") if p):
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        held = {normalise_title(item["title"]) for item in items}
        train = [e for e in examples if normalise_title(e.title) not in held]
        for name, filer in filers(themes, train).items():
            agree, primary, unsorted = score(filer, items)
            n = len(items)
            print(f"{name:<10} {path.name:<28} {agree / n:>10.1%} {primary / n:>8.1%} {unsorted / n:>9.1%}")
        print(f"{'':<10} review: {review_split(ThemeModel(themes, train), items, below)}")
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
