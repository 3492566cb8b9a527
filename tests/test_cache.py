"""What a rebuild reuses: the differential test (random curator edits, rebuilt by the preview server's
long-lived builder, equal to a clean build after every step) and the memos it rests on."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from curator_edits import EDITS, make_project, random_edit
from test_rebuild import FakeClock, folders, pages

from sitegen.build import Builder, BuildMode, build
from sitegen.cache import Memo
from sitegen.config import load_config
from sitegen.errors import SitegenError
from sitegen.rebuild import RebuildLoop

# A longer run by hand:
#   SITEGEN_EDIT_SEEDS=100 SITEGEN_EDIT_STEPS=60 .venv/bin/python -m pytest tests/test_cache.py -k sequence
SEEDS = range(int(os.environ.get("SITEGEN_EDIT_SEEDS", "3")))
STEPS = int(os.environ.get("SITEGEN_EDIT_STEPS", "16"))


def differences(served: Path, clean: Path) -> list[str]:
    """The files that differ between two sites (missing on either side included), by path."""
    a, b = pages(served), pages(clean)
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


def serve_loop(root: Path, output: Path, clock: FakeClock) -> RebuildLoop:
    """The preview server's build loop, as `sitegen serve` makes it, without the HTTP part or the watcher."""
    loop = RebuildLoop(
        lambda: Builder(load_config(root)[0], BuildMode.PREVIEW), output, root / "sitegen.yaml", clock=clock
    )
    assert loop.rebuild().problems == ()
    return loop


@pytest.mark.parametrize("seed", SEEDS)
def test_any_sequence_of_edits_serves_what_a_clean_build_writes(tmp_path: Path, seed: int):
    edits_serve_clean_builds(tmp_path, seed, STEPS)


def edits_serve_clean_builds(tmp_path: Path, seed: int, steps: int) -> None:
    """``steps`` random curator edits, each rebuilt by the preview loop and compared with a clean build."""
    project = make_project(tmp_path / "project", seed)
    clock = FakeClock()
    loop = serve_loop(project.root, tmp_path / "served", clock)
    done = []
    for step in range(steps):
        name, paths = random_edit(project)
        done.append(name)
        for path in paths:
            loop.notice(str(path))
        clock.now += 1.0
        outcome = loop.step()
        assert outcome is not None and outcome.problems == (), (seed, done, outcome)
        clean = tmp_path / f"clean-{step}"
        build(load_config(project.root)[0], clean, use_cache=False)
        assert differences(loop.output, clean) == [], (seed, done)
        assert folders(loop.output) == folders(clean), (seed, step, done)
        shutil.rmtree(clean)


def test_the_edits_cover_every_kind_a_curator_makes():
    """The vocabulary the issue names: status, tags, notes, themes.yaml title, description and order,
    move, retitle, add, delete, exclude (a status), sitegen.yaml, templates and static files."""
    names = {edit.__name__ for edit in EDITS}
    assert {"set_status", "set_tags", "set_notes", "edit_theme", "reorder_themes", "move", "retitle"} <= names
    assert {"add", "delete", "edit_config", "edit_template", "edit_static"} <= names
    # What citations (papers.bib, the Cite block) and the "Listed in" days read.
    assert {"set_links", "set_published", "set_sources"} <= names


def test_a_template_reading_an_undeclared_name_fails_the_build(tmp_path: Path):
    project = make_project(tmp_path / "project", seed=1)
    tags = project.root / "templates" / "tags.html"
    tags.write_text(tags.read_text().replace("<h1>Tags</h1>", "<h1>{{ site.papers | length }}</h1>"))
    with pytest.raises(SitegenError) as failed:
        build(load_config(project.root)[0], tmp_path / "site")
    [problem] = failed.value.problems
    line = tags.read_text().split("\n").index("<h1>{{ site.papers | length }}</h1>") + 1
    assert str(problem).startswith(f"{tags}:{line}: template error: 'site' is undefined")


def test_memo_recomputes_only_for_a_different_input():
    memo: Memo[list[int]] = Memo()
    calls = []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    first = memo(("a", 1), compute)
    assert memo(("a", 1), compute) is first and len(calls) == 1
    assert memo(("a", 2), compute) == [2] and memo.get(("a", 1)) is None
