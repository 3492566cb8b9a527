"""The command line itself: help a first-time curator can read, and the project found from any subfolder."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, run_sitegen

from sitegen.cli import cli


def test_every_subcommand_has_an_uncut_summary_and_an_example(tmp_path: Path):
    listing = run_sitegen("--help", cwd=tmp_path).stdout
    assert "..." not in listing.split("Commands:")[1]
    for name, command in cli.commands.items():
        summary = command.get_short_help_str(limit=10_000)
        assert re.search(rf"^  {name} +{re.escape(summary)}$", listing, re.M), (name, listing)
        assert len(summary) <= 60 and summary.endswith("."), name
        page = run_sitegen(name, "--help", cwd=tmp_path).stdout
        assert re.search(rf"^Examples?:\n    sitegen {name}\b", page.replace("\n  Ex", "\nEx"), re.M), page


def test_make_serve_takes_a_port():
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^serve:.*\n\t\$\(BIN\)/sitegen serve --port \$\(PORT\)$", makefile, re.M)
    assert re.search(r"^PORT \?= 8000$", makefile, re.M)


def test_a_subfolder_finds_the_project_above_it(corpus_project: Path):
    inside = corpus_project / "content" / "papers" / "vision"
    result = run_sitegen("check", cwd=inside, check=False)
    assert result.stdout.strip().split("\n")[-1].startswith("Checked ")
    assert result.stdout == run_sitegen("check", cwd=corpus_project, check=False).stdout.replace(
        "content/papers/", "../../../content/papers/"
    )


def test_outside_a_project_it_says_to_cd_and_root_must_exist(tmp_path: Path):
    outside = run_sitegen("check", cwd=tmp_path, check=False)
    assert outside.returncode == 2 and "cd to the project folder or pass --root" in outside.stderr
    missing = run_sitegen("build", "--root", tmp_path / "nope", cwd=tmp_path, check=False)
    assert (
        missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    )
