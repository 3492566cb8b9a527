"""The theme taxonomy, the keyword classifier and the learned classifier that files new papers.

Everything here reads frozen fixtures (tests/fixtures/classify/), never content/: shipped_themes.yaml is
a copy of the taxonomy the keyword tests were written against, tree.yaml a small labelled tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import make_project, run_sitegen

from sitegen.classify import classifier, classify, phrase_key, scores
from sitegen.errors import SitegenError
from sitegen.importer import new_paper_file
from sitegen.journal import apply_plan
from sitegen.learn import Labelled, ThemeModel, tree_examples
from sitegen.themes import UNSORTED, Theme, load_themes, review_threshold

FIXTURES = Path(__file__).parent / "fixtures"
THEMES_FILE = FIXTURES / "classify" / "shipped_themes.yaml"
LABELLED = FIXTURES / "labelled.yaml"
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


# --- the frozen taxonomy ----------------------------------------------------------------------------


def test_frozen_file_declares_the_16_themes_in_order(themes):
    assert tuple(t.slug for t in themes) == SLUGS
    assert themes[0].title == "Brain & Neuroscience"
    assert all(t.title and t.description.endswith(".") and t.keywords for t in themes)
    assert review_threshold(THEMES_FILE) == 0.3


def test_keywords_do_not_collide_after_normalisation(themes):
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
    assert message.startswith(f"{path}:8: not valid YAML (the [ opened here is never closed")


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


# --- the learned classifier: trained on the tree curators filed -------------------------------------

SMALL_THEMES = FIXTURES / "classify" / "themes.yaml"
TREE = yaml.safe_load((FIXTURES / "classify" / "tree.yaml").read_text(encoding="utf-8"))
# A paper whose words (lip, mouth, silent) only the tree's lip-reading paper has; no theme keyword.
LIP_READING = (
    "Silent Mouth Reading from Lip Shapes",
    "Lip shapes and mouth movements in silent clips say which words a person formed. Reading the lip "
    "and mouth shapes frame by frame recovers the sentence without hearing it. The lip reader needs no "
    "sound at all, only the silent clip of a mouth, and it reads long sentences as well as short ones.",
)
# A paper that is as much about images as about audio.
AMBIGUOUS = (
    "Describing Photographs Aloud for Blind Users",
    "We turn photographs into spoken descriptions: a captioning model writes a sentence about the objects "
    "in the photograph, and a voice reads it aloud. Blind users asked for shorter sentences that name the "
    "objects first, and preferred a calm voice that reads the description aloud at their own pace. We "
    "release the photographs, the descriptions and the recordings of each description read aloud.",
)


def write_tree(root: Path, moved: dict[str, str] | None = None) -> Path:
    """A project whose papers are the frozen tree (``moved``: title -> the folder a curator moved it to)."""
    project = make_project(root)
    (project / "content" / "themes.yaml").write_bytes(SMALL_THEMES.read_bytes())
    papers = project / "content" / "papers"
    changes = []
    for item in TREE:
        theme = (moved or {}).get(item["title"], item["theme"])
        changes.append(new_paper_file(papers, item["title"], item["abstract"], theme, "2026-01-01"))
    apply_plan_of(changes, papers)
    return project


def apply_plan_of(changes, papers: Path) -> None:
    from sitegen.importer import ImportPlan

    apply_plan(ImportPlan(0, len(changes), len(changes), tuple(changes), 0, ()), papers)


def write_dump(project: Path, *papers: tuple[str, str]) -> Path:
    dump = project / "content" / "dumps" / "new.txt"
    dump.write_text("".join(f"{title}\n\n{abstract}\n\n" for title, abstract in papers), encoding="utf-8")
    return dump


def filed(project: Path) -> dict[str, str]:
    """Folder of every paper file, by file name."""
    return {p.name: p.parent.name for p in (project / "content" / "papers").glob("*/*.md")}


def test_a_curator_move_changes_where_similar_papers_go(tmp_path):
    before = write_tree(tmp_path / "before")
    write_dump(before, LIP_READING)
    run_sitegen("import", cwd=before)
    assert filed(before)["silent-mouth-reading-from-lip-shapes.md"] == "vision"

    # The curator decides lip reading is speech (a `git mv`); the next import learns from that.
    after = write_tree(tmp_path / "after", moved={TREE[3]["title"]: "speech"})
    write_dump(after, LIP_READING)
    run_sitegen("import", cwd=after)
    assert filed(after)["silent-mouth-reading-from-lip-shapes.md"] == "speech"
    # ... and a later import never moves the curator's file back.
    assert filed(after)["lip-movements-as-a-signal-for-reading-mouths-in-silent-clips.md"] == "speech"


def test_same_tree_same_assignments_whatever_the_order_of_papers():
    themes = load_themes(SMALL_THEMES)
    examples = [Labelled(i["title"], i["abstract"], i["theme"]) for i in TREE]
    forward = ThemeModel(themes, examples)
    backward = ThemeModel(themes, examples[::-1])
    for title, abstract in (LIP_READING, AMBIGUOUS, ("Text and Speech", "We read text aloud as speech.")):
        assert forward.choose(title, abstract) == backward.choose(title, abstract)


def test_a_paper_without_words_is_unsorted():
    model = ThemeModel(
        load_themes(SMALL_THEMES), [Labelled(i["title"], i["abstract"], i["theme"]) for i in TREE]
    )
    for title, abstract in (("", ""), ("$x$", "---"), ("On Arctic Terns", "They fly far.")):
        assert model.choose(title, abstract).theme == UNSORTED


def test_a_paper_with_little_to_go_on_is_filed_for_review_not_unsorted():
    # No theme keyword and only two words the tree knows: a weak lead, but a lead. The paper is filed
    # under its best theme with a low confidence (import lists it for a curator), not parked in unsorted.
    model = ThemeModel(
        load_themes(SMALL_THEMES), [Labelled(i["title"], i["abstract"], i["theme"]) for i in TREE]
    )
    abstract = "Long sentences, short ones: we recover what a person formed."
    choice = model.choose("Sentences Formed in Silence", abstract)
    assert choice.theme == choice.ranked[0][0] != UNSORTED
    assert choice.confidence < review_threshold(SMALL_THEMES)
    assert choice.evidence


DEFERRING_THEMES = """\
themes:
  - slug: agents
    title: Agents
    description: Acting in the world.
    defers_to: [language]
    keywords: {agent: 5}
  - slug: language
    title: Language
    description: Language models.
    keywords: {language model: 2}
"""


def test_words_that_speak_for_several_themes_alike_leave_a_paper_unsorted():
    # Every theme's paper says the same thing: the words are known, but they decide nothing.
    same = "We study a problem that matters and report what we found."
    tree = [Labelled(f"Paper {slug}", same, slug) for slug in ("vision", "speech", "language")]
    model = ThemeModel(load_themes(SMALL_THEMES), tree)
    choice = model.choose("A Problem That Matters", same)
    assert choice.evidence and choice.theme == UNSORTED


def test_the_keyword_prior_keeps_the_order_a_deferral_declares(tmp_path):
    # "agents" scores highest on the keywords but yields to "language" (named in the title). The tree
    # knows none of the paper's words, and "agents" is the smaller theme, so its prior weighs more per
    # unit of share: without the deferral's order in the prior, the small theme would win.
    (tmp_path / "themes.yaml").write_text(DEFERRING_THEMES, encoding="utf-8")
    themes = load_themes(tmp_path / "themes.yaml")
    tree = [Labelled("Robot arms", "Grasping cups.", "agents")]
    tree += [Labelled(f"Parsing {n}", f"Syntax of clause {n}.", "language") for n in range(20)]
    model = ThemeModel(themes, tree)
    title, abstract = "Language Model Agent", "A language model that writes."
    assert classify(title, abstract, themes) == "language"
    choice = model.choose(title, abstract)
    assert choice.theme == "language"
    assert choice.keywords[0][0] == "language"


def test_import_twice_from_the_same_tree_writes_the_same_files(tmp_path):
    projects = [write_tree(tmp_path / name) for name in ("one", "two")]
    for project in projects:
        write_dump(project, LIP_READING, AMBIGUOUS)
        run_sitegen("import", cwd=project)
    one, two = (sorted(p.relative_to(q) for p in (q / "content" / "papers").rglob("*.md")) for q in projects)
    assert one == two
    assert all((projects[0] / p).read_bytes() == (projects[1] / p).read_bytes() for p in one)


def test_tree_examples_are_labelled_by_folder_and_skip_unsorted(tmp_path):
    project = write_tree(tmp_path / "p")
    papers = project / "content" / "papers"
    stray = new_paper_file(papers, "Unfiled Thing", "Nobody knows yet.", UNSORTED, "2026-01-01")
    apply_plan_of([stray], papers)
    examples = tree_examples(papers, load_themes(SMALL_THEMES))
    assert len(examples) == len(TREE)
    assert {e.title: e.theme for e in examples}[TREE[3]["title"]] == "vision"


def test_low_confidence_is_listed_by_import_and_noticed_by_check(tmp_path):
    project = write_tree(tmp_path / "p")
    write_dump(project, AMBIGUOUS, LIP_READING)
    result = run_sitegen("import", cwd=project)
    assert "1 filed with low confidence" in result.stdout
    (path,) = [p for p in (project / "content" / "papers").glob("*/describing-photographs-*.md")]
    theme, other = path.parent.name, ({"vision", "speech"} - {path.parent.name}).pop()
    assert f"filed under {theme} with low confidence" in result.stdout
    assert f"maybe {other}" in result.stdout
    assert "classified:" in path.read_text(encoding="utf-8")
    assert "classified:" not in next(project.glob("content/papers/*/silent-mouth-*.md")).read_text()

    check = run_sitegen("check", "--format", "github", cwd=project)
    notices = [line for line in check.stdout.splitlines() if line.startswith("::notice")]
    assert len(notices) == 1
    assert f"file=content/papers/{theme}/{path.name}" in notices[0]
    assert f"filed under {theme} with low confidence" in notices[0] and f"maybe {other}" in notices[0]
    assert "1 notice" in check.stdout and check.returncode == 0
    assert run_sitegen("check", "--strict", cwd=project).returncode == 0  # a notice never fails a run

    # The curator moves it: the recorded theme no longer matches its folder, so no notice.
    moved = path.parent.parent / other / path.name
    path.rename(moved)
    assert "notice" not in run_sitegen("check", cwd=project).stdout


def test_classify_command_shows_themes_scores_and_words(tmp_path):
    project = write_tree(tmp_path / "p")
    result = run_sitegen("classify", LIP_READING[0], "--abstract", LIP_READING[1], cwd=project)
    first, second = result.stdout.splitlines()[:2]
    assert first.startswith("vision (confidence ")
    assert second.strip().endswith("vision")
    assert "words that weighed most for vision: " in result.stdout
    assert "lip" in result.stdout and "mouth" in result.stdout
    assert f"trained on {len(TREE)} papers" in result.stdout


def test_import_and_classify_make_no_network_access(tmp_path):
    project = write_tree(tmp_path / "p")
    write_dump(project, LIP_READING, AMBIGUOUS)
    blocked = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('network access attempted')\n"
        "socket.socket.connect = socket.socket.connect_ex = socket.socket.sendto = refuse\n"
        "socket.create_connection = socket.getaddrinfo = refuse\n"
        "from sitegen.cli import main\n"
        "sys.argv = ['sitegen', *sys.argv[1:]]\n"
        "main()\n"
    )
    script = tmp_path / "offline.py"
    script.write_text(blocked, encoding="utf-8")
    for args in (("classify", AMBIGUOUS[0], "--abstract", AMBIGUOUS[1]), ("import",)):
        result = subprocess.run(
            [sys.executable, str(script), *args],
            cwd=project,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "network access attempted" not in result.stderr
    assert "silent-mouth-reading-from-lip-shapes.md" in filed(project)


def test_review_below_must_be_a_confidence(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("review_below: 2\nthemes: []\n", encoding="utf-8")
    with pytest.raises(SitegenError) as info:
        review_threshold(path)
    assert (
        str(info.value.problems[0])
        == f"{path}:1: 'review_below' must be a confidence between 0 and 1, not '2'"
    )


def test_add_tells_the_curator_at_the_keyboard_and_records_nothing(tmp_path):
    project = write_tree(tmp_path / "p")
    result = run_sitegen("add", "--title", AMBIGUOUS[0], "--abstract", AMBIGUOUS[1], cwd=project)
    path = project / result.stdout.strip()
    assert "with low confidence" in result.stderr and "pass --theme to choose" in result.stderr
    assert "classified" not in path.read_text(encoding="utf-8")
