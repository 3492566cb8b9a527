"""Import's apply step is all-or-nothing across kills and full disks: a run stopped at any step leaves the
papers as before or, after the next run, as one uninterrupted import leaves them; no temp file stays."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_sitegen, snapshot
from test_build import ABSTRACT, add_paper

TITLES = ["Sparse Routing for Long Documents", "Curating Reading Lists", "Graphs of Citations at Scale"]
DUMP = "Jul 30\n\n" + "".join(f"{title}\n\n{ABSTRACT} {title}\n\n" for title in [*TITLES, "Alpha Paper"])

# Runs the real command line with one file-system step made to fail at its ``count``-th call: the run dies
# just before it (kill -9 has the same effect on files), or the disk fills up half-way (the file is created,
# then the write fails).
FAULT = """
import os, pathlib, sys
step, count, effect = sys.argv[1], int(sys.argv[2]), sys.argv[3]
owner = os if step == "replace" else pathlib.Path
original, calls = getattr(owner, step), []
def faulty(*args, **kwargs):
    calls.append(args)
    if len(calls) == count:
        if effect == "die":
            os._exit(9)
        original(args[0], "")
        raise OSError(28, "No space left on device", str(args[0]))
    return original(*args, **kwargs)
setattr(owner, step, faulty)
from sitegen.cli import main
sys.argv = ["sitegen", "import", "--added", "2026-11-20"]
main()
"""


@pytest.fixture
def before(project: Path) -> Path:
    """A project with one paper (which the dump updates) and a dump of three new ones."""
    add_paper(project, "vision", "alpha-paper", "Alpha Paper")
    (project / "content" / "dumps" / "b.txt").write_text(DUMP)
    return project


@pytest.fixture
def after(before: Path, tmp_path: Path) -> dict[str, bytes]:
    """The papers one uninterrupted import leaves."""
    clean = shutil.copytree(before, tmp_path / "clean", symlinks=True)
    run_sitegen("import", "--added", "2026-11-20", cwd=clean)
    return snapshot(clean / "content" / "papers")


def faulty_import(root: Path, step: str, count: int, effect: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", FAULT, step, str(count), effect],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )


# Four files change: four staged writes, then five renames (the journal's and each file's), then the
# journal's removal (the second unlink: the first removes any stale staged journal before planning).
STEPS = [("write_text", n, False) for n in range(1, 5)] + [("replace", 1, False)]
STEPS += [("replace", n, True) for n in range(2, 6)] + [("unlink", 2, True)]


@pytest.mark.parametrize("step, count, journal", STEPS)
def test_an_import_killed_at_any_step_is_finished_or_undone_by_the_next(before, after, step, count, journal):
    papers = before / "content" / "papers"
    original = snapshot(papers)
    killed = faulty_import(before, step, count, "die")
    assert killed.returncode == 9, killed.stderr
    assert (papers / ".sitegen-import-journal").exists() == journal
    if not journal:  # stopped before the journal: the papers are untouched
        assert {k: v for k, v in snapshot(papers).items() if ".sitegen-tmp" not in k} == original
    else:  # a build refuses the half-updated papers until the import is finished
        result = run_sitegen("build", cwd=before, check=False)
        assert result.returncode == 1 and "run `sitegen import` to finish it" in result.stderr
    run_sitegen("import", "--added", "2026-11-20", cwd=before)
    assert snapshot(papers) == after


@pytest.mark.parametrize("count", [1, 3])
def test_a_full_disk_changes_nothing_and_leaves_no_temp_file(before, count):
    papers = before / "content" / "papers"
    original = snapshot(papers)
    result = faulty_import(before, "write_text", count, "fail")
    assert result.returncode == 1 and "No space left on device" in result.stderr
    assert "nothing changed" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(papers) == original
