"""Synthetic corpora for the benchmarks: the shipped papers grown to N, with unique titles, slugs and ids.

Copies are not verbatim: each copy's abstract mixes the sentences of its source paper with a few of another
paper's, and its title gains a distinct first word, so that search and related-paper figures reflect a
varied corpus rather than 20 identical twins of every paper.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from sitegen.content import format_paper, paper_id, read_text, split_front_matter

REPO = Path(__file__).resolve().parent.parent

WORDS = [
    "amber",
    "basil",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "maple",
    "nimbus",
    "onyx",
]
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


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
    rng = random.Random(0)
    for n in range(len(shipped), papers or 0):
        source, donor = n % len(shipped), rng.randrange(len(shipped))
        data = dict(parsed[source].data)
        data["title"] = f"{rng.choice(WORDS).title()} {n}: {data['title']}"
        data["id"] = paper_id(data["title"])
        own = _SENTENCE.split(parsed[source].body)
        other = _SENTENCE.split(parsed[donor].body)
        body = " ".join(rng.sample(own, k=max(1, len(own) - 2)) + rng.sample(other, k=min(2, len(other))))
        path = shipped[source]
        out = path.with_name(f"{path.stem[:70].rstrip('-')}-{n}.md")
        out.write_text(format_paper(data, body), encoding="utf-8")
    return target
