"""The theme taxonomy (content/themes.yaml) and the keyword classifier that files papers under it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SEEDS

from sitegen.classify import classifier, classify, phrase_key, scores
from sitegen.content import normalise_title
from sitegen.dumps import read_dump
from sitegen.errors import SitegenError
from sitegen.themes import UNSORTED, Theme, load_themes

THEMES_FILE = REPO / "content" / "themes.yaml"
LABELLED = Path(__file__).parent / "fixtures" / "labelled.yaml"
SLUGS = (
    "brain-neuroscience",
    "interpretability",
    "learning-theory",
    "language-models",
    "architectures",
    "neural-fields-3d",
    "vision",
    "speech-audio",
    "efficiency",
    "graph-learning",
    "scientific-ml",
    "code-intelligence",
    "retrieval-recsys",
    "rl-agents-robotics",
    "continual-meta",
    "neural-compression",
)


@pytest.fixture(scope="module")
def themes() -> tuple[Theme, ...]:
    return load_themes(THEMES_FILE)


def shipped_papers() -> list[tuple[str, str]]:
    """(title, abstract) of every unique paper in the shipped dumps, first listing wins, as import does."""
    papers: dict[str, tuple[str, str]] = {}
    for path in SEEDS:
        for entry in read_dump(path).entries:
            papers.setdefault(normalise_title(entry.title), (entry.title, entry.abstract))
    return list(papers.values())


# --- the shipped taxonomy ---------------------------------------------------------------------------


def test_shipped_file_declares_the_16_themes_in_order(themes):
    assert tuple(t.slug for t in themes) == SLUGS
    assert themes[0].title == "Brain & Neuroscience"
    assert all(t.title and t.description.endswith(".") and t.keywords for t in themes)


def test_shipped_keywords_do_not_collide_after_normalisation(themes):
    # Two spellings of one phrase in one theme would silently count twice ("robotic", "robotics").
    for theme in themes:
        phrases = Counter(phrase_key(phrase) for phrase, _ in theme.keywords)
        assert [p for p, n in phrases.items() if n > 1] == [], theme.slug


# --- classifier quality ------------------------------------------------------------------------------


def test_agrees_with_the_hand_labelled_sample(themes):
    labelled = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    assert len(labelled) >= 80
    assert {item["theme"] for item in labelled} == set(SLUGS)  # every theme is represented
    agreed = sum(classify(item["title"], item["abstract"], themes) == item["theme"] for item in labelled)
    agreement = agreed / len(labelled)
    assert agreement >= 0.85, f"agreement {agreement:.3f} ({agreed}/{len(labelled)})"


def test_every_theme_gets_papers_and_few_are_unsorted(themes):
    papers = shipped_papers()
    assert len(papers) == 447
    counts = Counter(classify(title, abstract, themes) for title, abstract in papers)
    assert {slug: counts[slug] for slug in SLUGS if counts[slug] < 5} == {}
    assert counts[UNSORTED] <= 0.03 * len(papers)


def test_a_paper_with_no_theme_vocabulary_is_unsorted(themes):
    title = "On the Migration Routes of Arctic Terns"
    abstract = "We followed forty birds for a year and report where they went, when, and how far they flew."
    assert classify(title, abstract, themes) == UNSORTED
    assert classify("", "", themes) == UNSORTED


def test_main_contribution_wins_over_the_substrate(themes):
    # A transformer that decodes fMRI is neuroscience, however much of the abstract is about attention.
    fmri = (
        "Decoding Visual Stimuli from fMRI with a Transformer",
        "We propose a transformer architecture with multi-head self-attention and learned positional "
        "encodings. The attention layers and the transformer encoder are pretrained on sequences, and the "
        "transformer decoder reconstructs the image a subject saw from fMRI recordings of the visual cortex.",
    )
    # Pruning a graph neural network is efficiency, though graphs fill the abstract.
    gnn = (
        "Pruning Graph Neural Networks for Fast Inference",
        "Graph neural networks (GNNs) learn from graphs by message passing between nodes. We prune GNN "
        "weights and graph edges jointly, keeping node classification and link prediction accuracy on "
        "large graphs while GNN inference runs three times faster.",
    )
    # Compressing a radiance field is a compression paper; rendering a scene with one is 3D.
    nerf_codec = (
        "Learned Compression of Neural Radiance Fields",
        "Neural radiance fields (NeRF) render novel views of 3D scenes but need large grids. We compress "
        "them with a learned entropy model and a rate-distortion objective, cutting the bitrate tenfold.",
    )
    nerf = (
        "Fast Neural Radiance Fields for Dynamic Scenes",
        "We render novel views of dynamic 3D scenes with a neural radiance field and a deformable mesh.",
    )
    assert classify(*fmri, themes) == "brain-neuroscience"
    assert classify(*gnn, themes) == "efficiency"
    assert classify(*nerf_codec, themes) == "neural-compression"
    assert classify(*nerf, themes) == "neural-fields-3d"


def test_title_words_count_more_than_abstract_words(themes):
    abstract = "We evaluate on speech recognition and on image classification benchmarks."
    assert classify("Speech Recognition with Less Data", abstract, themes) == "speech-audio"
    assert classify("Image Classification with Less Data", abstract, themes) == "vision"


def test_code_availability_sentences_do_not_vote(themes):
    abstract = (
        "We propose a diffusion model for image super-resolution that restores fine textures. "
        "Code is available at https://github.com/example/sr. Our code and models are publicly available."
    )
    assert scores("A Diffusion Model for Image Super-Resolution", abstract, themes)["code-intelligence"] == 0
    assert classify("CODE: Better Image Super-Resolution", abstract, themes) == "vision"  # an acronym title


def test_classify_is_deterministic_and_accepts_any_sequence(themes):
    title, abstract = (
        "Sparse Autoencoders Find Interpretable Features",
        "We probe neurons of a language model.",
    )
    assert classify(title, abstract, themes) == classify(title, abstract, list(themes)) == "interpretability"
    assert classifier(themes) is classifier(list(themes))  # compiled once per theme set


def test_ties_go_to_the_theme_declared_first():
    first = Theme("alpha", "Alpha", "A.", keywords=(("widget", 5.0),))
    second = Theme("beta", "Beta", "B.", keywords=(("widget", 5.0),))
    assert classify("Widget", "", (first, second)) == "alpha"
    assert classify("Widget", "", (second, first)) == "beta"


def test_keywords_normalise_plurals_spelling_hyphens_and_prefixes():
    theme = Theme(
        "t",
        "T",
        "T.",
        keywords=(("text-to-speech", 2.0), ("generalisation", 2.0), ("neuro*", 2.0)),
        min_score=1,
    )
    assert scores("Text to Speech", "", [theme])["t"] == 8  # one title phrase: weight x 4
    assert (
        scores("", "Generalization and neuroscience, neurons, neural", [theme])["t"] == 2 + 2 * 2
    )  # "neural" is not "neuro*"
    assert classify("", "Neurons everywhere", [theme]) == "t"


# --- load_themes errors name the file and the line ---------------------------------------------------

VALID = """\
themes:
  - slug: alpha
    title: Alpha
    description: The first theme.
    keywords:
      widget: 3
  - slug: beta
    title: Beta
    description: The second theme.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(SitegenError) as info:
        load_themes(path)
    return [str(p) for p in info.value.problems]


def test_a_valid_file_loads_in_file_order(tmp_path):
    themes = load_themes(write(tmp_path, VALID))
    assert [t.slug for t in themes] == ["alpha", "beta"]
    assert themes[0].keywords == (("widget", 3.0),)
    assert themes[1].keywords == ()


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    assert problems(path) == [f"{path}: themes file not found"]


def test_invalid_yaml(tmp_path):
    path = write(tmp_path, VALID.replace("    title: Beta", "    title: [Beta"))
    (message,) = problems(path)
    assert message.startswith(f"{path}:9: not valid YAML (")


def test_duplicate_slug(tmp_path):
    path = write(tmp_path, VALID.replace("slug: beta", "slug: alpha"))
    assert problems(path) == [f"{path}:7: duplicate theme slug 'alpha' (first declared on line 2)"]


def test_missing_title(tmp_path):
    path = write(tmp_path, VALID.replace("    title: Beta\n", ""))
    assert problems(path) == [f"{path}:7: theme is missing 'title' (a string)"]


def test_unknown_key(tmp_path):
    path = write(tmp_path, VALID.replace("    title: Beta\n", "    title: Beta\n    colour: red\n"))
    (message,) = problems(path)
    assert message.startswith(f"{path}:9: unknown key 'colour' in a theme (known keys: slug, title,")


def test_non_numeric_weight(tmp_path):
    path = write(tmp_path, VALID.replace("widget: 3", "widget: lots"))
    assert problems(path) == [f"{path}:6: the weight of keyword 'widget' must be a number, not 'lots'"]


def test_every_problem_is_reported_at_once(tmp_path):
    text = VALID.replace("widget: 3", "widget: '3'").replace("slug: beta", "slug: Beta")
    assert problems(write(tmp_path, text)) == [
        f"{tmp_path / 'themes.yaml'}:6: the weight of keyword 'widget' must be a number, not '3'",
        f"{tmp_path / 'themes.yaml'}:7: slug 'Beta' must be lowercase words joined by hyphens",
    ]


def test_structure_errors(tmp_path):
    path = write(tmp_path, "- slug: alpha\n")
    assert problems(path) == [f"{path}:1: must be a mapping with a top-level 'themes:' list"]
    path = write(
        tmp_path, "themes:\n  - slug: alpha\n    title: A\n    description: D\n    defers_to: [zeta]\n"
    )
    assert problems(path) == [f"{path}:2: theme 'alpha' defers to unknown theme 'zeta'"]


def test_a_word_matching_prefixes_of_several_lengths_counts_once_per_prefix():
    theme = Theme("t", "T", "T.", keywords=(("neuro*", 1.0), ("neuroscience*", 1.0)), min_score=1)
    assert scores("", "neuroscience", [theme])["t"] == 2  # each prefix once, neither twice
    assert scores("", "neuro", [theme])["t"] == 1
