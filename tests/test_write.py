"""The write stage: the site folder exists at every moment, killed builds leave nothing behind for long,
and the build stamp does not depend on where the project is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_sitegen, snapshot
from test_build import add_paper

from sitegen import write
from sitegen.write import MARKER, write_site


def test_the_site_folder_exists_at_every_moment_of_the_swap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    output = tmp_path / "site"
    write_site(output, [("index.html", b"old")])
    replace = os.replace

    def watched(source, destination):
        replace(source, destination)
        assert output.is_dir(), f"no site folder after moving {source} to {destination}"

    monkeypatch.setattr(os, "replace", watched)
    write_site(output, [("index.html", b"new")])
    assert (output / "index.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_two_rename_fallback_keeps_the_old_site_when_the_second_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    output = tmp_path / "site"
    write_site(output, [("index.html", b"old")])
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    replace, calls = os.replace, []

    def failing(source, destination):
        calls.append(source)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(destination))
        replace(source, destination)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(write.SitegenError, match="previous site kept"):
        write_site(output, [("index.html", b"new")])
    assert (output / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


def test_staging_folders_of_killed_builds_are_swept(project: Path):
    add_paper(project, "vision", "alpha-paper", "Alpha Paper")
    dead, live = dead_pid(), os.getpid()
    for name in (f".site.new-{dead}", f".site.old-{dead}", f".site.new-{live}", f".other.new-{dead}"):
        (project / name).mkdir()
        (project / name / MARKER).write_text("half a site")
    run_sitegen("build", cwd=project)
    left = sorted(p.name for p in project.iterdir() if p.name.startswith("."))
    assert left == [".other.new-" + str(dead), f".site.new-{live}", ".sitegen-cache"]


def test_the_build_stamp_does_not_depend_on_how_the_root_is_written(project: Path):
    add_paper(project, "vision", "alpha-paper", "Alpha Paper")
    run_sitegen("build", "--root", project.name, cwd=project.parent)
    before = snapshot(project / "site")
    result = run_sitegen("build", "--root", project.resolve(), cwd="/")
    assert "up to date" in result.stdout
    assert snapshot(project / "site") == before
