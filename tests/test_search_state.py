"""The search index kept between builds (sitegen/search_state.py): after any sequence of edits it equals
the index made from scratch, and an edit re-analyses only the papers it changed."""

from __future__ import annotations

import random
from dataclasses import asdict
from pathlib import Path

import pytest

from sitegen import search, search_state
from sitegen.search_state import KeptIndex
from sitegen.store import Store, safe_folder

WORDS = (  # noqa: SIM905 - a sentence reads better than quoted words
    "sparse attention diffusion graph spiking pruning latent token vision speech robust memory neural "
    "operator contrastive federated causal recurrent adaptive mixture expert kernel manifold fine-tuning "
    "colour modelling organise naïve état"
).split()
# Acronym definitions: adding or removing one changes the acronym table, so every paper's key.
DEFINITIONS = ("graph neural networks (GNNs)", "mixture of experts (MoE)", "spiking neural nets (SNNs)")
SHORTS = ("GNNs", "MoE", "SNN")


def sentence(rng: random.Random, size: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(size))


def document(rng: random.Random, number: int) -> search.Document:
    abstract = sentence(rng, rng.randint(0, 40))
    if rng.random() < 0.3:
        abstract += f" {rng.choice(DEFINITIONS)} and {rng.choice(SHORTS)}."
    return {
        "title": f"{sentence(rng, rng.randint(1, 6))} {number}",
        "abstract": abstract,
        "theme": rng.choice(("Vision vision", "Language language")),
        "tags": " ".join(rng.sample(("rl", "survey", "C++", "benchmark"), rng.randint(0, 2))),
        "arxiv": rng.choice(("", f"2401.{number:05d}")),
    }


def edit(rng: random.Random, docs: list[search.Document]) -> None:
    """One curator edit to the documents (in place)."""
    kind = rng.choice(("abstract", "abstract", "title", "tags", "add", "delete", "acronym", "several"))
    number = rng.randrange(len(docs))
    if kind == "abstract":
        docs[number]["abstract"] = sentence(rng, rng.randint(0, 40))
    elif kind == "title":
        docs[number]["title"] += f" {rng.choice(WORDS)}"
    elif kind == "tags":
        docs[number]["tags"] = rng.choice(("", "rl", "survey rl", "new-tag"))
    elif kind == "add":
        docs.insert(number, document(rng, 1000 + rng.randrange(1000)))
    elif kind == "delete" and len(docs) > 2:
        del docs[number]
    elif kind == "acronym":
        docs[number]["abstract"] += f" {rng.choice(DEFINITIONS)}"
    else:
        for n in rng.sample(range(len(docs)), 3):
            docs[n]["abstract"] = sentence(rng, rng.randint(0, 20))


def store(tmp_path: Path) -> Store:
    folder = tmp_path / "store"
    folder.mkdir(exist_ok=True)
    safe_folder(folder, "files")
    return Store(folder, "salt", bytes(32))


def built(store: Store, previous: object, docs: list[search.Document]) -> tuple[search.Inverted, KeptIndex]:
    kept = KeptIndex(store, previous)
    return kept(docs, search.acronyms_of(docs)), kept


@pytest.mark.parametrize("seed", range(4))
def test_the_kept_index_after_any_edits_equals_one_made_anew(tmp_path: Path, seed: int):
    rng = random.Random(seed)
    docs = [document(rng, n) for n in range(60)]
    kept = store(tmp_path)
    previous = None
    for _ in range(25):
        edit(rng, docs)
        inverted, assembler = built(kept, previous, docs)
        assert asdict(inverted) == asdict(search.Inverted.of(docs, search.acronyms_of(docs)))
        previous = assembler.entry
        assert previous is not None


def test_an_edit_analyses_only_the_papers_it_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(7)
    docs = [document(rng, n) for n in range(100)]
    kept = store(tmp_path)
    analysed: list[str] = []

    def counted(doc: search.Document, acronyms: object) -> search.Analysis:
        analysed.append(doc["title"])
        return search.analyse(doc, acronyms)  # type: ignore[arg-type]

    monkeypatch.setattr(search_state, "analyse", counted)
    _, first = built(kept, None, docs)
    assert len(analysed) == len(docs)
    docs[40]["abstract"] = "an abstract rewritten with new words: zymurgy and quokka"
    docs[41]["tags"] = "a-tag-never-used"
    analysed.clear()
    inverted, second = built(kept, first.entry, docs)
    assert sorted(analysed) == sorted([docs[40]["title"], docs[41]["title"]])
    assert "zymurgi" in inverted.terms and inverted.counts["quokka"] == 1
    # A paper added renumbers those after it: the index is assembled anew, from the kept analyses.
    docs.insert(10, document(rng, 500))
    analysed.clear()
    inverted, _ = built(kept, second.entry, docs)
    assert analysed == [docs[10]["title"]]
    assert asdict(inverted) == asdict(search.Inverted.of(docs, search.acronyms_of(docs)))


def test_a_damaged_kept_index_is_made_anew(tmp_path: Path):
    rng = random.Random(3)
    docs = [document(rng, n) for n in range(50)]
    kept = store(tmp_path)
    _, first = built(kept, None, docs)
    assert first.entry is not None
    for digest in first.used:
        path = kept.file(digest)
        path.write_bytes(path.read_bytes()[:-3] + b"!!!")
    docs[3]["abstract"] = "changed"
    inverted, _ = built(kept, first.entry, docs)
    assert asdict(inverted) == asdict(search.Inverted.of(docs, search.acronyms_of(docs)))
