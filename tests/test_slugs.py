"""sitegen.slugs: ids and slugs depend only on the title, read math as text and never collide."""

from __future__ import annotations

from sitegen.slugs import SLUG_MAX, is_valid_slug, normalise_title, paper_id, slugify, unique_slug


def test_case_spacing_and_punctuation_make_the_same_paper():
    assert normalise_title("Sparse  Routing: A Study!") == normalise_title("sparse routing a study")
    assert paper_id("Sparse Routing: A Study") == paper_id("SPARSE routing -- a study")
    assert paper_id("Sparse Routing") != paper_id("Dense Routing")


def test_slugs_spell_greek_read_math_as_text_and_stop_at_a_word():
    assert slugify("PanGu-π: Enhancing") == "pangu-pi-enhancing"
    assert unique_slug(r"Attention in $\mathcal{O}(n)$ Time", "0123456789ab", ()) == "attention-in-o-n-time"
    long = slugify("word " * 40)
    assert len(long) <= SLUG_MAX and long.endswith("word") and is_valid_slug(long)


def test_a_taken_or_empty_slug_gets_the_ids_suffix():
    assert unique_slug("Same Title", "0123456789ab", {"same-title"}) == "same-title-01234567"
    assert unique_slug("!!!", "0123456789ab", ()) == "paper-01234567"
    assert not is_valid_slug("Upper-Case") and not is_valid_slug("a--b") and not is_valid_slug("x" * 81)
