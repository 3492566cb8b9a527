"""The persistent build cache, as a user meets it: `sitegen build` run again and again in separate
processes after curator edits equals a clean `sitegen build --no-cache` byte for byte, a one-paper edit
re-renders few pages, and a damaged, foreign or linked cache is never trusted."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_sitegen, snapshot
from curator_edits import add, define_acronym, delete, edit_abstract, make_project, random_edit

from sitegen.write import MARKER

# A longer run by hand:
#   SITEGEN_EDIT_SEEDS=20 SITEGEN_EDIT_STEPS=40 .venv/bin/python -m pytest tests/test_buildcache.py -k edits
SEEDS = range(int(os.environ.get("SITEGEN_EDIT_SEEDS", "2")))
STEPS = int(os.environ.get("SITEGEN_EDIT_STEPS", "8"))


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def site_files(output: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(output).items() if name != MARKER}


def cached_build(root: Path) -> int:
    """`sitegen build -v` with the cache; returns how many pages it rendered."""
    result = run_sitegen("build", "-v", cwd=root)
    if "is up to date" in result.stdout:  # an edit and its undoing: nothing to build
        return 0
    rendered, total = map(int, re.search(r"rendered +(\d+) of (\d+) pages", result.stdout).groups())
    assert 0 <= rendered <= total
    return rendered


def same_as_clean(root: Path, tmp_path: Path, done: object = None) -> None:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    run_sitegen("build", "--no-cache", "--output", clean, cwd=root)
    cached, expected = site_files(root / "site"), site_files(clean)
    assert sorted(n for n in cached.keys() | expected.keys() if cached.get(n) != expected.get(n)) == [], done
    assert folders(root / "site") == folders(clean), done  # none left empty by a deletion


@pytest.mark.parametrize("seed", SEEDS)
def test_cached_builds_after_any_edits_equal_a_clean_build(tmp_path: Path, seed: int):
    project = make_project(tmp_path / "project", seed + 100)
    cached_build(project.root)
    done = []
    for _ in range(STEPS):
        for _ in range(project.rng.randint(1, 3)):  # a commit often holds several edits
            done.append(random_edit(project)[0])
        cached_build(project.root)
        same_as_clean(project.root, tmp_path, done)


def test_a_one_paper_edit_rerenders_few_pages(tmp_path: Path):
    project = make_project(tmp_path / "project", seed=5, papers=60)
    first = cached_build(project.root)
    (project.root / "site" / MARKER).write_text("stale")  # no longer "up to date": the build runs again
    assert cached_build(project.root) == 0
    before = site_files(project.root / "site")
    written = {name: identity(project.root / "site" / name) for name in before}
    edit_abstract(project)
    rendered = cached_build(project.root)
    # Its page, its neighbours' pages, the lists and feeds that show it: a few of the site's pages.
    assert rendered >= 1 and rendered * 5 < first
    same_as_clean(project.root, tmp_path)
    # Only the files whose bytes changed were written again; the others are the very same files.
    after = site_files(project.root / "site")
    rewritten = {name for name in after if identity(project.root / "site" / name) != written.get(name)}
    assert rewritten == {name for name in after if after[name] != before.get(name)} != set()


def test_edits_to_what_every_paper_shares_equal_a_clean_build(tmp_path: Path):
    """The search index and related papers, kept in parts, after the edits that reach past one paper:
    an acronym defined (every paper's search terms), an abstract made another's twin (other papers'
    related lists), a paper deleted and one added (every later paper renumbered)."""
    project = make_project(tmp_path / "project", seed=12, papers=45)  # past REPLACE_COST: patched in place
    cached_build(project.root)
    define_acronym(project)
    cached_build(project.root)
    same_as_clean(project.root, tmp_path, "acronym")
    first, second = sorted(project.papers)[:2]
    project.papers[second]["body"] = project.papers[first]["body"]
    project.write_paper(second)
    cached_build(project.root)
    same_as_clean(project.root, tmp_path, "twin")
    delete(project)
    add(project)
    cached_build(project.root)
    same_as_clean(project.root, tmp_path, "delete and add")


def test_an_edit_that_keeps_size_and_time_is_still_seen(tmp_path: Path):
    """Files left alone for a while are trusted by their status instead of being read; one rewritten
    with the same size and its time put back differs in its status-change time."""
    project = make_project(tmp_path / "project", seed=9, papers=12)
    past = time.time_ns() - 10**10
    for path in (project.root / "content").rglob("*.md"):
        os.utime(path, ns=(past, past))
    cached_build(project.root)
    paper = sorted((project.root / "content" / "papers").rglob("*.md"))[3]
    text = paper.read_text(encoding="utf-8")
    last = text.rstrip()[-1]
    paper.write_text(text.rstrip()[:-1] + ("Q" if last != "Q" else "R") + text[len(text.rstrip()) :])
    os.utime(paper, ns=(past, past))
    assert cached_build(project.root) >= 1
    same_as_clean(project.root, tmp_path)


def identity(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def test_no_cache_neither_reads_nor_writes_the_cache(tmp_path: Path):
    project = make_project(tmp_path / "project", seed=6)
    result = run_sitegen("build", "--no-cache", "-v", cwd=project.root)
    assert not (project.root / ".sitegen-cache").exists()
    assert re.search(r"rendered +(\d+) of \1 pages", result.stdout)


def damage(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1 :])


@pytest.mark.parametrize("how", ["flipped", "truncated", "emptied", "foreign"])
def test_a_damaged_or_foreign_cache_is_rebuilt_not_trusted(tmp_path: Path, how: str):
    project = make_project(tmp_path / "project", seed=8)
    cached_build(project.root)
    add(project)
    store = project.root / ".sitegen-cache" / "build"
    files = sorted(p for p in store.rglob("*") if p.is_file())
    assert any(p.suffix == ".json" for p in files) and any(p.parent.parent.name == "files" for p in files)
    for path in files:
        if how == "flipped":
            damage(path)
        elif how == "truncated":
            path.write_bytes(path.read_bytes()[:-7])
        elif how == "emptied":
            path.write_bytes(b"")
        elif path.suffix == ".json":  # written by another version of sitegen, its libraries or Python
            header, _, body = path.read_bytes().partition(b"\n")
            words = header.split(b" ")
            words[-2] = b"0" * len(words[-2])
            path.write_bytes(b" ".join(words) + b"\n" + body)
    cached_build(project.root)
    same_as_clean(project.root, tmp_path)


def test_a_cache_from_another_machine_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A cache folder committed in a pull request was sealed with a key this machine does not have: its
    tables could name any bytes for any page, so none is used."""
    project = make_project(tmp_path / "project", seed=13)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "their-home"))
    cached_build(project.root)
    (project.root / "site" / MARKER).write_text("stale")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "my-home"))
    result = run_sitegen("build", "-v", cwd=project.root)
    rendered, total = map(int, re.search(r"rendered +(\d+) of (\d+) pages", result.stdout).groups())
    assert rendered == total
    # and no compiled template code kept beside it, to be loaded by a later build
    assert sorted(p.name for p in (project.root / ".sitegen-cache").iterdir()) == ["build"]
    same_as_clean(project.root, tmp_path)


def test_a_damaged_kept_page_is_rendered_again(tmp_path: Path):
    """A kept page's bytes changed in place (a tool editing the linked site, say): checked, not trusted."""
    project = make_project(tmp_path / "project", seed=9)
    cached_build(project.root)
    page = project.root / "site" / "index.html"
    os.chmod(page, 0o644)
    with open(page, "r+b") as file:  # in place: the same inode as the kept copy, when linked
        file.write(b"<!-- tampered -->")
    (project.root / "site" / MARKER).write_text("stale")
    assert cached_build(project.root) >= 1
    same_as_clean(project.root, tmp_path)


def test_a_linked_cache_folder_is_not_used(tmp_path: Path):
    project = make_project(tmp_path / "project", seed=10)
    outside = tmp_path / "outside"
    outside.mkdir()
    (project.root / ".sitegen-cache").symlink_to(outside, target_is_directory=True)
    result = run_sitegen("build", "-v", cwd=project.root)
    assert ".sitegen-cache: warning: cannot be used safely" in result.stderr
    assert list(outside.iterdir()) == []
    same_as_clean(project.root, tmp_path)


def test_links_inside_the_cache_are_not_followed(tmp_path: Path):
    project = make_project(tmp_path / "project", seed=11)
    cached_build(project.root)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.json"
    secret.write_text("{}")
    store = project.root / ".sitegen-cache" / "build"
    for table in store.glob("pages.*.json"):  # a table that is a link: neither read nor written through
        table.unlink()
        table.symlink_to(secret)
    group = next((store / "files").iterdir())
    shutil.rmtree(group)
    group.symlink_to(outside, target_is_directory=True)
    edit_abstract(project)
    cached_build(project.root)
    assert secret.read_text() == "{}" and sorted(p.name for p in outside.iterdir()) == ["secret.json"]
    same_as_clean(project.root, tmp_path)


def test_a_failed_build_leaves_the_site_updated_in_place_whole(tmp_path: Path):
    """After a first build the next ones update the site in place; one that fails writes nothing."""
    project = make_project(tmp_path / "project", seed=12)
    cached_build(project.root)
    edit_abstract(project)
    cached_build(project.root)  # in place
    before = snapshot(project.root / "site")
    edit_abstract(project)
    tags = project.root / "templates" / "tags.html"
    tags.write_text(tags.read_text().replace("<h1>Tags</h1>", "<h1>{{ nothing_declared }}</h1>"))
    failed = run_sitegen("build", cwd=project.root, check=False)
    assert failed.returncode == 1 and "tags.html" in failed.stderr
    assert snapshot(project.root / "site") == before


def test_a_site_copied_from_elsewhere_is_replaced_whole(tmp_path: Path):
    """Only the very folder the cache's last build wrote is updated in place: a copy (restored, or
    committed) may hold anything, so it is rebuilt beside and swapped in."""
    project = make_project(tmp_path / "project", seed=13)
    cached_build(project.root)
    site = project.root / "site"
    shutil.copytree(site, tmp_path / "copy")
    shutil.rmtree(site)
    shutil.copytree(tmp_path / "copy", site)
    (site / "stray.html").write_text("not built")
    edit_abstract(project)
    cached_build(project.root)
    assert not (site / "stray.html").exists()
    same_as_clean(project.root, tmp_path)


@pytest.mark.parametrize(("name", "job"), [("pages.yml", "build"), ("ci.yml", "preview")])
def test_workflows_keep_the_cache_between_runs(name: str, job: str):
    """Restored by a key from the inputs' hashes (any older one as a fallback), never from the checkout."""
    steps = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())["jobs"][job]["steps"]
    runs = [step.get("run", "") for step in steps]
    [cache] = [n for n, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache@")]
    build = next(n for n, run in enumerate(runs) if "sitegen build" in run)
    assert cache < build and "rm -rf .sitegen-cache" in runs[cache - 1]
    settings = steps[cache]["with"]
    assert settings["path"].split() == [".sitegen-cache", "~/.cache/sitegen"]  # the tables and their key
    assert settings["restore-keys"].strip()
    for folder in ("content/", "templates/", "static/", "sitegen/", "sitegen.yaml"):
        assert folder in settings["key"], folder
    if name == "pages.yml":
        assert any("sitegen check --strict" in run for run in runs[:build])
