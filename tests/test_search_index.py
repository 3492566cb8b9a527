"""Unit tests of the search stage and its text rules: terms, acronyms, postings, payloads, determinism."""

from __future__ import annotations

import json
import math
import re
from types import SimpleNamespace

from lunr.stemmer import stemmer
from lunr.token import Token

from sitegen import search
from sitegen.search_text import (
    Acronyms,
    field_terms,
    fold,
    light_stem,
    long_form,
    mine_acronyms,
    term,
    tokens,
)


def test_british_spellings_fold_into_american_ones_by_rule():
    pairs = {
        "optimisation": "optimization",
        "optimised": "optimized",
        "analysing": "analyzing",
        "colour": "color",
        "behaviours": "behaviors",
        "modelling": "modeling",
        "labelled": "labeled",
        "centre": "center",
        "fibres": "fibers",
        "dialogue": "dialog",
    }
    assert {word: fold(word) for word in pairs} == pairs
    # Words the rules must leave alone: short ones, and doubled l where no vowel comes before it.
    for word in ("four", "hour", "our", "telling", "spelling", "genre", "vogue", "wise"):
        assert fold(word) == word
    assert term("Optimisation") == term("optimization") and term("colours") == term("color")


def test_light_stem_is_porters_first_step_only():
    for word in ("pruning", "prune", "studies", "caresses", "agreed", "hopping", "filing", "models"):
        # Step 1 of Porter's stemmer agrees with the full stemmer on inflections.
        assert stemmer(Token(light_stem(word))).string == stemmer(Token(word)).string
    assert light_stem("pruning") == light_stem("prune") == "prune"
    assert light_stem("models") == "model"
    # Derivations stay apart (the full stemmer makes all of these "gener").
    assert len({light_stem(w) for w in ("generation", "general", "generalization", "generic")}) == 4


def test_stop_words_and_punctuation():
    assert term("the") is None and term("--") is None
    assert term("(LLMs)") == "llm" and term("Networks,") == "network"


def test_hyphenated_words_give_their_parts_and_the_joined_word():
    words, joined = tokens("Cheap fine-tuning of state-of-the-art nets")
    assert [t.term for t in words] == ["cheap", "fine", "tune", "state", "art", "net"]
    assert joined == [term("finetuning"), term("stateoftheart")]


def test_long_forms_follow_schwartz_and_hearst():
    assert long_form("LLM", "we study large language models") == "large language models"
    assert long_form("SAE", "we train a sparse autoencoder") == "sparse autoencoder"
    assert long_form("PINN", "a physics-informed neural network") == "physics-informed neural network"
    assert long_form("XYZ", "nothing here matches") is None


def test_acronyms_are_mined_from_the_texts_and_ambiguous_ones_are_dropped():
    texts = [
        "We study large language models (LLMs) at scale.",
        "Large language models (LLM) answer questions.",
        "A low-rank adaptation (LoRA) of weights.",
        "Contrastive learning (CL) helps.",
        "Continual learning (CL) forgets.",
        "This is not one (e.g.) and neither is (A) or (Fig) or (tensorflow).",
        "The base long short term memory (BRNN) is not a long form.",
    ]
    taught = mine_acronyms(texts)
    assert taught == {"LLM": ("large", "language", "model"), "LoRA": ("low", "rank", "adaptation")}


def test_each_form_of_an_acronym_pair_is_indexed_under_the_other():
    acronyms = Acronyms.of({"LLM": ("large", "language", "model")})
    short = field_terms("We train LLMs.", acronyms)
    assert {"large", "language", "model", "llm"} <= set(short)
    long = field_terms("Large language models are big.", acronyms)
    assert long["llm"] == 1
    # A lower-case word that is spelt like a short form is not one.
    assert "large" not in field_terms("an llm", acronyms)


def test_postings_round_trip():
    pairs = [(0, 1), (3, 2), (4, 1), (40, 7), (5000, 1), (5001, 300)]
    encoded = search.encode_postings(pairs)
    assert re.fullmatch(r"[0-9a-zA-Z_$]*", encoded)
    assert search.decode_postings(encoded) == pairs
    assert search.encode_postings([]) == ""


DOCS = [
    {
        "title": "To prune, or not to prune",
        "abstract": "Pruning pruning sparse nets.",
        "theme": "E",
        "tags": "",
        "arxiv": "2410.05434",
    },
    {
        "title": "Neural Radiance Fields",
        "abstract": "Neural radiance fields (NeRFs) render views.",
        "theme": "V",
        "tags": "nerf 3d",
        "arxiv": "",
    },
    {"title": "Sparse attention", "abstract": "", "theme": "E", "tags": "attention", "arxiv": ""},
]


def test_payload_holds_every_field_term_frequency_and_length():
    acronyms = search.acronyms_of(DOCS)
    payload = search.index_payload(DOCS, search.BODY_FIELDS, acronyms)
    assert payload["terms"] == sorted(payload["terms"]) and payload["count"] == 3
    for name, _ in search.BODY_FIELDS:
        got = [dict() for _ in DOCS]
        for t, encoded in zip(payload["terms"], payload["postings"][name], strict=True):
            for number, tf in search.decode_postings(encoded):
                got[number][t] = tf
        assert got == [dict(field_terms(doc[name], acronyms)) for doc in DOCS]
        assert search.decode_numbers(payload["lengths"][name]) == [sum(g.values()) for g in got]
    assert dict(field_terms(DOCS[0]["abstract"], acronyms))["prune"] == 2  # "Pruning pruning"


def test_bm25_inputs_match_lunrs_builder():
    """search-engine.js scores with lunr's k1 and b; the payload carries them."""
    from lunr import get_default_builder

    payload = search.index_payload(DOCS, search.TITLE_FIELDS, search.acronyms_of(DOCS))
    builder = get_default_builder()
    assert (payload["k1"], payload["b"]) == (builder._k1, builder._b)
    assert math.isclose(payload["k1"], 1.2) and math.isclose(payload["b"], 0.75)


def site_and_views():
    themes = (SimpleNamespace(slug="eff", title="Efficiency"), SimpleNamespace(slug="vis", title="Vision"))
    papers = (
        SimpleNamespace(slug="to-prune", theme="eff", tags=(), arxiv="2410.05434"),
        SimpleNamespace(slug="nerf", theme="vis", tags=("3d",), arxiv=None),
    )
    views = {
        "to-prune": SimpleNamespace(title_text="To prune", abstract_text="Pruning nets. " * 400),
        "nerf": SimpleNamespace(title_text="NeRF", abstract_text="Radiance fields."),
    }
    return SimpleNamespace(themes=themes, papers=papers), views


def test_search_files_are_deterministic_scripts_with_text_in_chunks():
    site, views = site_and_views()
    docs = search.search_documents(site, views)
    assert docs[1]["theme"] == "Vision vis" and docs[1]["tags"] == "3d"
    assert [d["arxiv"] for d in docs] == ["2410.05434", ""]
    files = search.search_files(site, views)
    assert set(files) == {search.TITLES_FILE, search.FULL_FILE, "search/text/0.js", "search/text/1.js"}
    assert files == search.search_files(site, views)  # same input, same bytes
    body = re.fullmatch(
        rb'\(self\.sitegenSearch=self\.sitegenSearch\|\|\{\}\)\["titles"\]=(.*);\n', files[search.TITLES_FILE]
    )
    titles = json.loads(body.group(1))
    assert titles["docs"] == [["To prune", "to-prune", 0], ["NeRF", "nerf", 1]]
    assert titles["themes"] == [["eff", "Efficiency"], ["vis", "Vision"]]
    assert [f for f, _ in titles["fields"]] == ["title"]
    assert b'"chunks":[0,1]' in files[search.FULL_FILE]  # the long abstract fills a chunk of its own
    assert b'"first":1,"text":["Radiance fields."]' in files["search/text/1.js"]
    assert search.search_key(site, views) == search.search_key(site, dict(views))


def test_data_can_never_close_a_script_element():
    assert b"</script>" not in search.as_script("full", {"a": "</script><script>alert(1)</script>"})
