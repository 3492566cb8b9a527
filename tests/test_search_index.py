"""Unit tests of the search stage and its text rules: terms, acronyms, postings, payloads, determinism."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

from lunr.stemmer import stemmer
from lunr.token import Token

from sitegen import search, search_tiers
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


def payload(data: bytes) -> dict:
    body = re.fullmatch(rb'\(self\.sitegenSearch=self\.sitegenSearch\|\|\{\}\)\["\w+"\]=(.*);\n', data)
    return json.loads(body.group(1))


def test_the_inverted_index_holds_every_field_term_frequency_and_length():
    acronyms = search.acronyms_of(DOCS)
    inverted = search.Inverted.of(DOCS, acronyms)
    assert inverted.terms == sorted(inverted.terms)
    for name, _ in search.FIELDS:
        got = [dict() for _ in DOCS]
        for t, encoded in inverted.postings[name].items():
            for number, tf in search.decode_postings(encoded):
                got[number][t] = tf
        assert got == [dict(field_terms(doc[name], acronyms)) for doc in DOCS]
        assert inverted.lengths[name] == [sum(g.values()) for g in got]
    assert dict(field_terms(DOCS[0]["abstract"], acronyms))["prune"] == 2  # "Pruning pruning"
    assert inverted.counts["prune"] == 1 and inverted.counts["sparse"] == 2  # papers, over every field


def test_every_terms_papers_are_tiered_in_impact_order():
    acronyms = search.acronyms_of(DOCS)
    inverted = search.Inverted.of(DOCS, acronyms)
    tiered = search.tiered_postings(inverted, first_tier=1)
    assert set(tiered) == set(inverted.terms)
    for t, tiers in tiered.items():
        pairs: list[tuple[int, int]] = []
        for encoded in (tiers.first, *tiers.later):
            pairs += search_tiers.decode_tier(search.decode_numbers(encoded), pairs[-1] if pairs else None)
        assert len(pairs) == inverted.counts[t]
        assert pairs == sorted(pairs, key=lambda p: (-p[0], p[1]))  # highest impact first
    # A title hit (boosted) outranks an abstract hit.
    first = search_tiers.decode_tier(search.decode_numbers(tiered["sparse"].first), None)
    assert [paper for _, paper in first] == [2]


def test_prefixes_are_split_until_their_shard_fits_the_budget():
    terms = ["a", "ba", "bb", "bc", "bca", "bcb", "c"]
    starts = search.prefix_shards(terms, [1, 1, 1, 5, 1, 1, 1], budget=4)
    # "b" is split by its next letter, "bc" by the one after; small neighbours are joined again.
    assert starts == [0, 3, 4]  # "a" "ba" "bb" | "bc" (too big for company) | "bca" "bcb" "c"
    assert search.shard_keys(terms, starts) == ["", "bc", "bca"]
    assert search.prefix_shards(terms, [1] * 7, budget=100) == [0]
    assert search.prefix_shards([], [], budget=4) == [0]
    # Each term lives in the last shard whose key is not above it.
    for i, t in enumerate(terms):
        keys = search.shard_keys(terms, starts)
        assert max(n for n, k in enumerate(keys) if k <= t) == max(n for n, s in enumerate(starts) if s <= i)


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


def test_search_files_are_deterministic_scripts_in_pieces():
    site, views = site_and_views()
    docs = search.search_documents(site, views)
    assert docs[1]["theme"] == "Vision vis" and docs[1]["tags"] == "3d"
    assert [d["arxiv"] for d in docs] == ["2410.05434", ""]
    files = search.search_files(site, views)
    assert set(files) == {
        search.CATALOG_FILE,
        "search/lexicon/0.js",
        "search/postings/0.js",
        "search/docs/0.js",
        "search/text/0.js",
        "search/text/1.js",  # the long abstract fills a chunk of its own
    }
    assert files == search.search_files(site, views)  # same input, same bytes
    catalog = payload(files[search.CATALOG_FILE])
    assert catalog["themes"] == [["eff", "Efficiency"], ["vis", "Vision"]]
    assert search.decode_numbers(catalog["themeRuns"]) == [0, 1, 1, 1]  # theme 0 once, then theme 1 once
    assert "lengths" not in catalog  # nothing per paper: the impacts were worked out here
    assert catalog["lexicon"] == catalog["postings"] == [""]
    assert set(catalog["versions"]) == {"lexicon", "postings", "tiers", "docs", "text"}
    assert payload(files["search/docs/0.js"]) == [["To prune"], ["NeRF"]]  # slugs the titles give: left out
    assert payload(files["search/text/1.js"]) == ["Radiance fields."]
    postings = payload(files["search/postings/0.js"])
    prune = postings["terms"].index("prune")
    assert search.decode_numbers(postings["postings"][prune])[1::2] == [0]  # paper 0 only
    assert postings["later"][prune] == ""  # no later tier
    assert search.search_key(site, views) == search.search_key(site, dict(views))


def test_a_version_changes_with_its_pieces_only():
    site, views = site_and_views()
    before = payload(search.search_files(site, views)[search.CATALOG_FILE])["versions"]
    views["nerf"] = SimpleNamespace(title_text="NeRF", abstract_text="Radiance fields, relit.")
    after = payload(search.search_files(site, views)[search.CATALOG_FILE])["versions"]
    assert before["docs"] == after["docs"] and before["text"] != after["text"]


def test_data_can_never_close_a_script_element():
    assert b"</script>" not in search.as_script("full", {"a": "</script><script>alert(1)</script>"})
