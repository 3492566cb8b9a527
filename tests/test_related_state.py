"""Related papers from the term counts kept between builds (sitegen/related_state.py): after any sequence
of edits, the very lists (scores and shared terms too) of the clean computation."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen import related
from sitegen.frontmatter import Paper
from sitegen.related import related_papers
from sitegen.related_state import related_kept
from sitegen.store import Store, safe_folder

WORDS = (  # noqa: SIM905 - a sentence reads better than quoted words
    "sparse attention diffusion graph spiking pruning latent token vision speech robust memory neural "
    "operator contrastive federated causal recurrent adaptive mixture expert kernel manifold retrieval "
    "tokenizer quantization distillation benchmark alignment reward planner"
).split()


def text(rng: random.Random, size: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(size))


def paper(rng: random.Random, number: int) -> Paper:
    return Paper(
        id=f"p{number}",
        slug=f"paper-{number}",
        theme="vision",
        title=text(rng, rng.randint(1, 5)),
        abstract=text(rng, rng.randint(0, 30)),
    )


def edit(rng: random.Random, papers: list[Paper], made: int) -> None:
    kind = rng.choice(("abstract", "abstract", "title", "add", "delete", "word"))
    number = rng.randrange(len(papers))
    if kind == "abstract":
        papers[number] = replace(papers[number], abstract=text(rng, rng.randint(0, 30)))
    elif kind == "title":
        papers[number] = replace(papers[number], title=papers[number].title + " " + rng.choice(WORDS))
    elif kind == "add":
        papers.append(paper(rng, made))
    elif kind == "delete" and len(papers) > 3:
        del papers[number]
    else:  # a word never seen before: a new term, first seen in this paper
        papers[number] = replace(papers[number], abstract=f"{papers[number].abstract} zeugma{made}")


@pytest.mark.parametrize("numpy", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_kept_counts_give_the_clean_lists_after_any_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, numpy: bool
):
    if numpy:  # the vectorised computation, on a site small enough for a test
        monkeypatch.setattr(related, "NUMPY_FROM", 0)
    folder = tmp_path / "store"
    folder.mkdir()
    safe_folder(folder, "files")
    store = Store(folder, "salt", bytes(32))
    rng = random.Random(seed)
    papers = [paper(rng, n) for n in range(40)]
    entry = None
    for made in range(100, 120):
        edit(rng, papers, made)
        found, entry = related_kept(papers, related.TOP_K, store, entry)
        assert entry is not None
        assert found == related_papers(papers, related.TOP_K)


def test_counts_are_read_only_for_edited_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "store"
    folder.mkdir()
    safe_folder(folder, "files")
    store = Store(folder, "salt", bytes(32))
    rng = random.Random(5)
    papers = [paper(rng, n) for n in range(30)]
    _, entry = related_kept(papers, related.TOP_K, store, None)
    counted: list[str] = []
    real = related.term_counts

    def spy(title: str, abstract: str) -> object:
        counted.append(title)
        return real(title, abstract)

    monkeypatch.setattr(related, "term_counts", spy)
    papers[7] = replace(papers[7], title="an edited title")
    found, _ = related_kept(papers, related.TOP_K, store, entry)
    assert counted == ["an edited title"]
    monkeypatch.undo()
    assert found == related_papers(papers, related.TOP_K)
