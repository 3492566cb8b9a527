from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import visible_papers
from test_build import ABSTRACT, add_paper, run_sitegen

import sitegen.related
from sitegen.config import load_config
from sitegen.frontmatter import Paper
from sitegen.model import load_site
from sitegen.related import Vocabulary, curate, related_papers

ATOM = "{http://www.w3.org/2005/Atom}"
TEXTS = {
    "spiking-a": ("Spiking neural networks for event cameras", "Spiking neurons process event streams " * 20),
    "spiking-b": (
        "Training spiking neural networks with surrogate gradients",
        "Spiking neurons surrogate " * 20,
    ),
    "pruning-a": (
        "Magnitude pruning of sparse transformers",
        "We prune weights of sparse transformers " * 20,
    ),
    "pruning-b": ("Structured pruning for sparse networks", "Pruning weights gives sparse networks " * 20),
    "graphs-a": ("Link prediction with graph neural networks", "Graph link prediction message passing " * 20),
    "graphs-b": (
        "Graph pre-training for link prediction",
        "Pre-training graph encoders for link tasks " * 20,
    ),
}


def paper(slug: str, **fields) -> Paper:
    title, abstract = TEXTS[slug]
    return Paper(id=slug, slug=slug, theme="t", title=title, abstract=abstract, **fields)


def test_related_pairs_the_similar_papers_and_never_the_paper_itself():
    papers = [paper(s) for s in TEXTS]
    related = related_papers(papers, k=3)
    assert related == related_papers(papers[::-1], k=3)  # deterministic, whatever the order
    for slug, items in related.items():
        assert slug not in [r.slug for r in items]
        assert len(items) <= 3
    assert related["spiking-a"][0].slug == "spiking-b" and "spiking" in related["spiking-a"][0].terms
    assert related["pruning-a"][0].slug == "pruning-b"
    assert related["graphs-b"][0].slug == "graphs-a" and {"link", "prediction"} <= set(
        related["graphs-b"][0].terms
    )


def synthetic_papers(count: int, seed: int) -> list[Paper]:
    """Papers written from a small skewed vocabulary: many shared words, many equal weights to tie on."""
    rng = random.Random(seed)
    words = [f"{a}{b}{c}word" for a in "bdfklmnprst" for b in "aeiou" for c in "bdfklmnprst"]
    weights = [1 / (rank + 1) for rank in range(len(words))]

    def text(length: int) -> str:
        return " ".join(rng.choices(words, weights, k=length))

    return [
        Paper(
            id=f"p{n}", slug=f"paper-{n:04d}", theme="t", title=text(6), abstract=text(rng.randrange(5, 80))
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [2, 3, 17, 250])
def test_small_sites_relate_papers_in_pure_python_with_the_same_lists(
    count: int, monkeypatch: pytest.MonkeyPatch
):
    """Without numpy and scipy, the same related lists and shared terms, bit for bit (scores too)."""
    papers = synthetic_papers(count, seed=count)
    monkeypatch.setattr(sitegen.related, "NUMPY_FROM", count + 1)
    small = related_papers(papers, 7)
    monkeypatch.setattr(sitegen.related, "NUMPY_FROM", 0)
    assert small == related_papers(papers, 7)
    assert count < 3 or any(small.values())


def test_papers_ranked_in_blocks_get_the_lists_of_one_whole_matrix(monkeypatch: pytest.MonkeyPatch):
    """A large site ranks its candidates a block of papers at a time (memory stays flat per paper): the
    lists are the same, bit for bit, whatever the blocks."""
    papers = synthetic_papers(250, seed=5)
    monkeypatch.setattr(sitegen.related, "NUMPY_FROM", 0)
    whole = related_papers(papers, 7)
    for budget in (1, 97, 5000):  # one paper a block, uneven blocks, a few blocks
        monkeypatch.setattr(sitegen.related, "PAIRS_AT_ONCE", budget)
        assert related_papers(papers, 7) == whole, budget
    assert sum(map(len, whole.values())) > 250


@pytest.fixture(params=["numpy", "pure Python"])
def either_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitegen.related, "NUMPY_FROM", 0 if request.param == "numpy" else 10**9)


@pytest.mark.usefixtures("either_path")
def test_a_vocabulary_kept_between_edits_gives_what_a_fresh_one_gives(corpus_project: Path):
    """The preview server keeps one Vocabulary, so words an edit brings in are numbered after the rest,
    out of alphabetical order: a result must never depend on that. Two new words are moved into place
    one by one, three hundred make it rank every term again."""
    papers = list(load_site(load_config(corpus_project)[0]).papers)
    kept = Vocabulary()
    related_papers(papers, 5, kept)
    for words in ("aardvarkian quokkaform", " ".join(f"mid{i:03d}word" for i in range(300))):
        for n in (3, 30, 300):  # in more than one paper, so that they weigh something
            papers[n] = replace(papers[n], abstract=f"{papers[n].abstract} {words}")
        assert related_papers(papers, 5, kept) == related_papers(papers, 5)


def test_vocabulary_ranks_terms_alphabetically_however_they_arrive():
    vocabulary = Vocabulary()
    seen: list[str] = []
    # 300 words at first (ranked all at once), then a few at a time (each moved into place).
    for batch in (300, 1, 2, 5, 1, 250, 3):
        for _ in range(batch):
            word = f"w{(len(seen) * 7919) % 1009:04d}{len(seen)}"
            seen.append(word)
            vocabulary.terms.append(word)
        alphabetical = sorted(seen)
        assert vocabulary.rank().tolist() == [alphabetical.index(w) for w in seen]


def test_pins_come_first_and_hides_are_dropped():
    papers = [paper(s) for s in TEXTS]
    computed = related_papers(papers, k=5)["spiking-a"]
    curated = paper("spiking-a", pinned=("graphs-a", "no-such-paper", "spiking-a"), hidden=("spiking-b",))
    visible = {p.slug: p for p in papers}
    result = curate(curated, computed, visible, k=3)
    assert result[0].slug == "graphs-a"
    assert "spiking-b" not in [r.slug for r in result] and "spiking-a" not in [r.slug for r in result]
    expected = ["graphs-a", *(r.slug for r in computed if r.slug not in ("spiking-b", "graphs-a"))][:3]
    assert [r.slug for r in result] == expected


@pytest.fixture
def curated(project: Path) -> Path:
    for slug, (title, abstract) in TEXTS.items():
        theme = "brain-neuroscience" if slug.startswith("spiking") else "efficiency"
        add_paper(project, theme, slug, title, abstract, tags=["Survey"] if slug.endswith("a") else [])
    add_paper(
        project,
        "efficiency",
        "pinned-one",
        "Something else entirely",
        ABSTRACT,
        status="must-read",
        tags=["Survey", "hardware"],
        related={"pin": ["graphs-b"], "hide": ["pruning-a"]},
    )
    run_sitegen("build", "--base-url", "https://example.org/", cwd=project)
    return project / "site"


def test_paper_page_lists_related_with_shared_terms(curated: Path):
    page = (curated / "papers" / "spiking-a" / "index.html").read_text()
    section = page.split('id="related-heading"')[1].split("</section>")[0]
    links = re.findall(r'href="\.\./\.\./papers/([a-z0-9-]+)/"', section)
    assert links[0] == "spiking-b" and "spiking-a" not in links
    assert "shares: " in section and "spiking" in section
    pinned = (curated / "papers" / "pinned-one" / "index.html").read_text().split('id="related-heading"')[1]
    links = re.findall(r'href="\.\./\.\./papers/([a-z0-9-]+)/"', pinned.split("</section>")[0])
    assert links[0] == "graphs-b" and "pruning-a" not in links


def test_tag_and_status_pages_and_theme_filters(curated: Path):
    tag_page = (curated / "tags" / "survey" / "index.html").read_text()
    assert (
        tag_page.count('class="paper-card"') == 4 and "Tagged survey" in tag_page
    )  # one lower-case spelling
    assert 'href="../tags/survey/"' in (curated / "tags" / "index.html").read_text()
    status_page = (curated / "status" / "must-read" / "index.html").read_text()
    assert status_page.count('class="paper-card"') == 1
    theme = (curated / "themes" / "efficiency" / "index.html").read_text()
    assert 'href="status/must-read/"' in theme and 'href="tags/hardware/"' in theme
    filtered = (curated / "themes" / "efficiency" / "tags" / "survey" / "index.html").read_text()
    assert filtered.count('class="paper-card"') == 3  # pruning-a, graphs-a, pinned-one; not spiking-a
    assert (curated / "themes" / "efficiency" / "status" / "must-read" / "index.html").is_file()


def test_every_theme_has_a_valid_atom_feed_linked_from_its_page(curated: Path):
    for theme in ("brain-neuroscience", "efficiency"):
        feed = ET.parse(curated / "themes" / theme / "feed.xml").getroot()
        assert feed.tag == f"{ATOM}feed"
        assert feed.find(f"{ATOM}id").text == f"https://example.org/themes/{theme}/"
        entries = feed.findall(f"{ATOM}entry")
        assert entries and all(e.find(f"{ATOM}category").get("term") == theme for e in entries)
        page = (curated / "themes" / theme / "index.html").read_text()
        assert '<link rel="alternate" type="application/atom+xml"' in page and 'href="feed.xml"' in page


def test_home_chart_and_listing_counts_match_the_content(corpus_project: Path, built_home: str):
    papers = visible_papers(corpus_project)
    counts = {theme: sum(p.parent.name == theme for p in papers) for theme in {p.parent.name for p in papers}}
    chart = built_home.split('<figure class="chart"')[1].split("</figure>")[0]
    assert 'aria-labelledby="chart-title"' in chart and 'id="chart-title"' in chart
    bars = re.findall(r'<a href="themes/([a-z0-9-]+)/">.*?<span class="bar-value">(\d+)</span>', chart)
    assert {slug: int(value) for slug, value in bars if value != "0"} == counts
    table = built_home.split('class="sources-table"')[1].split("</table>")[0]
    rows = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">[^<]+</time></td><td>(\d+)</td>', table)
    # Five seed dumps, one without a date line: four days, newest first, the year from the papers' `added`.
    assert [day for day, _ in rows] == ["2026-07-29", "2026-06-26", "2026-05-22", "2026-03-12"]
    for day, count in rows:
        month_day = f"  date: {date.fromisoformat(day).strftime('%b')} {date.fromisoformat(day).day}\n"
        assert int(count) == sum(month_day in p.read_text() for p in papers)


@pytest.fixture(scope="module")
def built_home(corpus_project: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("home") / "site"
    run_sitegen("build", "--output", out, cwd=corpus_project)
    return (out / "index.html").read_text()
