"""A curator's pull request, as CI judges it: adds, an imported dump, a re-filed, an excluded, a tagged and a
noted paper. Content is judged by `sitegen check --strict` and the build, never by counts in the tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from conftest import REPO, make_project, run_sitegen

from sitegen.content import read_text
from sitegen.frontmatter import split_front_matter

PROSE = (
    "We describe the method step by step, compare it with the usual baselines on public benchmarks and "
    "report where it helps, where it does not and what it costs to run on ordinary hardware. "
)
DUMP_TITLES = (
    "Folding Maps for Sparse Mixture Routing",
    "A Ledger of Failed Training Runs",
    "Tide Tables for Adaptive Learning Rates",
    "Slow Glass: Long Exposure Video Denoising",
    "Parcel Post Scheduling for Speculative Decoding",
)


def front(path: Path) -> dict:
    return split_front_matter(path, read_text(path)).data


def edit_front(path: Path, **fields) -> None:
    """Change front matter fields the way a curator's editor would: the rest of the file untouched."""
    text = path.read_text(encoding="utf-8")
    for key, value in fields.items():
        rendered = yaml.safe_dump({key: value}, allow_unicode=True, width=10_000).rstrip("\n")
        lines = text.split("\n")
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith(("- ", "  ")):
            end += 1
        text = "\n".join([*lines[:start], rendered, *lines[end:]])
    path.write_text(text, encoding="utf-8")


def curator_pull_request(root: Path) -> dict[str, Path]:
    """Make the pull request of a new curator with the real CLI; returns the files it touched by role."""
    themes = [t["slug"] for t in yaml.safe_load((root / "content" / "themes.yaml").read_text())["themes"]]
    added = run_sitegen(
        "add", "--title", "Weather Vanes for Gradient Noise", "--abstract", PROSE * 3, "--theme", themes[0],
        "--tag", "optimisation", cwd=root,
    )  # fmt: skip
    snippet = f"Reading Lists That Curate Themselves\n\n{PROSE * 3}\n"
    by_snippet = run_sitegen("add", cwd=root, input=snippet)
    dump = root / "content" / "dumps" / "2026-12-01-curator.txt"
    dump.write_text(
        "Dec 1\n\n" + "".join(f"{t}\n\n{t}. {PROSE * 3}\n\n" for t in DUMP_TITLES), encoding="utf-8"
    )
    imported = run_sitegen("import", cwd=root)
    assert f"{len(DUMP_TITLES)} new" in imported.stdout, imported.stdout
    new = {
        front(p)["title"]: p
        for p in (root / "content" / "papers").glob("*/*.md")
        if any(s["file"] == dump.name for s in front(p).get("sources") or [])
    }
    assert sorted(new) == sorted(DUMP_TITLES)
    for path in new.values():  # the curator reviews what import filed with low confidence and agrees
        if "classified" in front(path):
            path.write_text(re.sub(r"\nclassified:\n(  .*\n)+", "\n", path.read_text()), encoding="utf-8")
    moved, dropped, tagged = new[DUMP_TITLES[0]], new[DUMP_TITLES[1]], new[DUMP_TITLES[2]]
    target = next(t for t in themes if t != moved.parent.name)
    refiled = root / "content" / "papers" / target / moved.name
    refiled.parent.mkdir(exist_ok=True)
    moved.rename(refiled)  # git mv
    edit_front(dropped, status="excluded")
    edit_front(tagged, tags=["learning-rate", "optimisation"], status="must-read")
    edit_front(
        tagged, notes=f"Pairs with [the routing paper](../{refiled.stem}/) and the [home page](../../)."
    )
    return {
        "added": root / added.stdout.strip(),
        "snippet": root / by_snippet.stdout.strip(),
        "refiled": refiled,
        "excluded": dropped,
        "tagged": tagged,
    }


def problems(result) -> list[str]:
    return result.stdout.strip().split("\n")[:-1]  # the last line is the summary


def test_the_pull_request_on_the_frozen_corpus_passes_check_and_build(corpus_project: Path, tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(corpus_project, root, symlinks=True)
    touched = curator_pull_request(root)
    result = run_sitegen("check", "--strict", cwd=root, check=False)
    assert result.returncode == 0 and result.stdout.strip().endswith(": no problems"), result.stdout
    run_sitegen("build", "--strict", cwd=root)
    site = root / "site"
    for role in ("added", "snippet", "refiled", "tagged"):
        assert (site / "papers" / touched[role].stem / "index.html").is_file(), role
    assert not (site / "papers" / touched["excluded"].stem).exists()
    refiled_theme = (site / "themes" / touched["refiled"].parent.name / "index.html").read_text()
    assert f"../../papers/{touched['refiled'].stem}/" in refiled_theme
    assert (site / "tags" / "learning-rate" / "index.html").is_file()
    tagged = (site / "papers" / touched["tagged"].stem / "index.html").read_text()
    assert f'href="../{touched["refiled"].stem}/"' in tagged


def test_the_pull_request_adds_no_problem_to_the_repository_content(tmp_path: Path):
    """Whatever content/ holds today, the pull request above changes nothing `check` or `build` says."""
    root = make_project(tmp_path / "project")
    shutil.rmtree(root / "content")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "sitegen.yaml", root / "sitegen.yaml")
    before = run_sitegen("check", "--strict", cwd=root, check=False)
    curator_pull_request(root)
    after = run_sitegen("check", "--strict", cwd=root, check=False)
    assert problems(after) == problems(before) and after.returncode == before.returncode, after.stdout
    build = run_sitegen("build", "--strict", cwd=root, check=False)
    assert build.returncode == before.returncode, build.stderr
