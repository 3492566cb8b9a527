"""Unit tests of the search stage: the compact index must score exactly like lunr's own, deterministically."""

from __future__ import annotations

import json
import re

from lunr import lunr

from sitegen import search

DOCS = [
    {
        "id": "0",
        "title": "To prune, or not to prune",
        "abstract": "Pruning pruning sparse nets.",
        "theme": "E",
        "tags": "",
        "arxiv": "2410.05434",
    },
    {
        "id": "1",
        "title": "Neural Radiance Fields",
        "abstract": "A neural radiance field renders views.",
        "theme": "V",
        "tags": "nerf 3d",
        "arxiv": "hep-th/9901001",
    },
    {"id": "2", "title": "Sparse attention", "abstract": "", "theme": "E", "tags": "attention", "arxiv": ""},
]


def decode(payload: dict) -> dict[str, list[dict[int, int]]]:
    return {name: [search.decode_field(v) for v in lists] for name, lists in payload["vectors"].items()}


def test_encoding_round_trips():
    numbers = {"a": 0, "b": 3, "c": 7}
    encoded = search.encode_field({"c": 1, "a": 2, "b": 1}, numbers)
    assert encoded == [0, -2, 3, 4]
    assert search.decode_field(encoded) == {0: 2, 3: 1, 7: 1}


def test_compact_index_holds_lunrs_exact_term_frequencies():
    analysis = search.analyse(DOCS, search.FULL_FIELDS)
    payload = search.compact_index(analysis, search.FULL_FIELDS, len(DOCS))
    assert payload["terms"] == sorted(payload["terms"])
    assert payload["fields"] == [["title", 10], ["abstract", 1], ["theme", 1], ["tags", 1], ["arxiv", 10]]
    decoded = decode(payload)
    for name, _ in search.FULL_FIELDS:
        for ref, frequencies in enumerate(decoded[name]):
            expected = analysis.field_term_frequencies[f"{name}/{ref}"]
            assert {payload["terms"][n]: tf for n, tf in frequencies.items()} == dict(expected)
    assert decoded["abstract"][0][payload["terms"].index("prune")] == 2  # "Pruning pruning" stems to one term


def test_scores_rebuilt_from_the_payload_equal_lunr_py_serialized_vectors():
    """search.js recomputes BM25 from the payload; this mirrors it in Python against lunr.py itself."""
    import math

    fields = [{"field_name": n, "boost": b} for n, b in search.FULL_FIELDS]
    reference = lunr("id", fields, DOCS).serialize()
    payload = search.compact_index(search.analyse(DOCS, search.FULL_FIELDS), search.FULL_FIELDS, len(DOCS))
    decoded, terms, n = decode(payload), payload["terms"], len(DOCS)
    with_term = [sum(t in d for docs in decoded.values() for d in docs) for t in range(len(terms))]
    index_of = {term: posting["_index"] for term, posting in reference["invertedIndex"]}
    expected = {ref: dict(zip(v[::2], v[1::2], strict=True)) for ref, v in reference["fieldVectors"]}
    for name, boost in search.FULL_FIELDS:
        average = sum(sum(d.values()) for d in decoded[name]) / n
        for ref, frequencies in enumerate(decoded[name]):
            length = sum(frequencies.values())
            got = {}
            for number, tf in frequencies.items():
                idf = math.log(1 + abs((n - with_term[number] + 0.5) / (with_term[number] + 0.5)))
                score = idf * (1.2 + 1) * tf / (1.2 * (1 - 0.75 + 0.75 * length / average) + tf) * boost
                got[index_of[terms[number]]] = round(score, 3)
            assert got == expected[f"{name}/{ref}"]


def test_search_files_are_deterministic_compact_scripts(tmp_path):
    first = search.as_script("full", {"b": [1, 2], "a": "é"})
    assert first == search.as_script("full", {"a": "é", "b": [1, 2]})
    assert first == '(self.sitegenSearch=self.sitegenSearch||{}).full={"a":"é","b":[1,2]};\n'.encode()
    body = re.fullmatch(rb"\(self\.sitegenSearch=self\.sitegenSearch\|\|\{\}\)\.full=(.*);\n", first).group(1)
    assert json.loads(body) == {"a": "é", "b": [1, 2]}


def test_store_has_what_a_result_shows_and_nothing_more(tmp_path):
    from types import SimpleNamespace

    themes = (SimpleNamespace(slug="eff", title="Efficiency"), SimpleNamespace(slug="vis", title="Vision"))
    papers = (
        SimpleNamespace(slug="to-prune", theme="eff", tags=(), arxiv="2410.05434"),
        SimpleNamespace(slug="nerf", theme="vis", tags=("3d",), arxiv=None),
    )
    views = {
        "to-prune": SimpleNamespace(
            title_text="To prune", abstract_text="Pruning nets.", excerpt="Pruning nets."
        ),
        "nerf": SimpleNamespace(
            title_text="NeRF", abstract_text="Radiance fields.", excerpt="Radiance fields."
        ),
    }
    site = SimpleNamespace(themes=themes, papers=papers)
    docs = search.search_documents(site, views)
    assert (
        [d["id"] for d in docs] == ["0", "1"] and docs[1]["theme"] == "Vision vis" and docs[1]["tags"] == "3d"
    )
    analysis = search.analyse(docs, search.FULL_FIELDS)
    titles = search.titles_payload(site, docs, analysis)
    assert titles["terms"] == ["nerf", "prune"]  # only title terms
    assert titles["docs"] == [["To prune", "to-prune", 0], ["NeRF", "nerf", 1]]
    assert titles["themes"] == [["eff", "Efficiency"], ["vis", "Vision"]]
    assert set(titles) == {"format", "k1", "b", "fields", "terms", "vectors", "docs", "themes"}
    full = search.full_payload(docs, analysis)
    assert full["excerpts"] == ["Pruning nets.", "Radiance fields."] and set(full["vectors"]) == {
        "title",
        "abstract",
        "theme",
        "tags",
        "arxiv",
    }
    files = search.search_files(site, views)
    assert set(files) == {search.TITLES_FILE, search.FULL_FILE, search.TEXT_FILE}
    assert b'"text":["Pruning nets.","Radiance fields."]' in files[search.TEXT_FILE]
    assert files == search.search_files(site, views)  # same input, same bytes
    assert search.search_key(site, views) == search.search_key(site, dict(views))


def test_analysis_equals_lunr_builder_add_on_every_shipped_abstract():
    """The fast analysis must record exactly what lunr.py's Builder.add records, word for word."""
    from conftest import SEEDS
    from lunr import get_default_builder

    from sitegen.dumps import read_dump

    docs = [
        {
            "id": str(n),
            "title": e.title,
            "abstract": e.abstract,
            "theme": "t",
            "tags": "a-b c",
            "arxiv": e.arxiv or "",
        }
        for n, e in enumerate(e for path in SEEDS for e in read_dump(path).entries)
    ]
    builder = get_default_builder()
    builder.ref("id")
    for name, boost in search.FULL_FIELDS:
        builder.field(name, boost=boost)
    for doc in docs:
        builder.add(doc)
    analysis = search.analyse(docs, search.FULL_FIELDS)
    assert {k: dict(v) for k, v in analysis.field_term_frequencies.items()} == {
        k: dict(v) for k, v in builder.field_term_frequencies.items()
    }
    assert (analysis.k1, analysis.b) == (builder._k1, builder._b)


def test_an_arxiv_id_finds_its_paper():
    fields = [{"field_name": n, "boost": b} for n, b in search.FULL_FIELDS]
    index = lunr("id", fields, DOCS)
    assert [hit["ref"] for hit in index.search("2410.05434")] == ["0"]
    assert [hit["ref"] for hit in index.search("arxiv:2410.05434")] == ["0"]
    assert [hit["ref"] for hit in index.search("hep-th/9901001")] == ["1"]
