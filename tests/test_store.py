"""The persistent store's parts: canonical digests of page inputs, tables that are never trusted, and
folders that are never followed through a link."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from curator_edits import make_project
from markupsafe import Markup

from sitegen.build import Builder, BuildMode, Timings
from sitegen.cache import PaperViews
from sitegen.config import load_config
from sitegen.errors import Problem
from sitegen.frontmatter import Paper, Source
from sitegen.pages import site_pages
from sitegen.store import Digests, Store, Uncacheable, decode, encode, machine_key, safe_folder, whole

KEY = bytes(range(32))
PAPER = Paper(
    id="x1",
    slug="a-paper",
    theme="vision",
    title="A $\\alpha$ paper",
    abstract="Text é.",
    sources=(Source("2026-11-01.txt", "Nov 1"),),
    tags=("rl", "C++"),
    path=Path("content/papers/vision/a-paper.md"),
    field_lines=(("title", 2),),
)


def test_digests_tell_apart_what_renders_differently():
    digest = Digests("salt")
    values = [
        "<b>",
        Markup("<b>"),
        ("a", 1),
        ["a", 1],
        ("a", "1"),
        1,
        1.0,
        True,
        None,
        "",
        {"a": 1},
        frozenset({"a"}),
        Path("a"),
        PAPER,
    ]
    digests = [digest(v) for v in values]
    assert len(set(digests)) == len(values)
    assert Digests("other salt")(PAPER) != digest(PAPER)
    assert digest((PAPER, PAPER)) == Digests("salt")((PAPER, PAPER))  # the memo changes nothing


def test_a_digest_is_the_same_in_every_process():
    """Not Python's hash(), which changes from one process to the next."""
    code = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "from test_store import PAPER\nfrom sitegen.store import Digests\n"
        "print(Digests('s')((PAPER, frozenset({'a', 'b', 'c'}), {'k': PAPER.title})))"
    )
    here = Path(__file__).parent
    seen = {
        subprocess.run(
            [sys.executable, "-c", code, str(here), str(here.parent)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2, 3)
    }
    assert seen == {Digests("s")((PAPER, frozenset({"a", "b", "c"}), {"k": PAPER.title})) + "\n"}


def test_an_unknown_type_is_an_error_not_a_repr():
    class Thing:
        pass

    @dataclass  # not frozen: it could change after its digest was taken
    class Loose:
        value: int

    for value in (Thing(), (1, Thing()), Loose(1), {1, 2}, b"bytes"):
        with pytest.raises(Uncacheable):
            Digests("s")(value)


def test_every_page_context_has_a_digest(tmp_path: Path):
    project = make_project(tmp_path / "project", seed=3, papers=20)
    config = load_config(project.root)[0]
    site = Builder(config, BuildMode.CHECK).render(Timings()).site
    digest = Digests("s")
    keys = {digest(page.context) for page in site_pages(site, PaperViews()(site.papers), {})}
    assert len(keys) > len(site.papers)


def test_model_objects_come_back_from_a_table_equal():
    problem = Problem(Path("x.md"), "bad", 3, 4, "warning")
    for value in (PAPER, problem, (PAPER, [problem], {"a": 1.5})):
        tree = encode(value, whole)
        assert decode(tree) == value


def test_a_table_names_only_known_classes():
    with pytest.raises((KeyError, ValueError)):
        decode(["c", "os.system", "echo hi"])
    with pytest.raises(ValueError):
        decode(["c", f"{Source.__module__}.Source", "only", "too", "many"])


def test_tables_from_another_version_or_damaged_are_empty(tmp_path: Path):
    store = Store(safe_folder(tmp_path, "build"), "version one", KEY)
    store.save("pages", {"k": [1, 2]})
    assert Store(store.folder, "version one", KEY).table("pages") == {"k": [1, 2]}
    assert Store(store.folder, "version two", KEY).table("pages") == {}
    assert Store(store.folder, "version one", bytes(32)).table("pages") == {}  # another machine's
    (table,) = (p for p in store.folder.glob("pages.*.json") if b"[1,2]" in p.read_bytes())
    data = table.read_bytes()
    for damaged in (data[:-3], data.replace(b"[1,2]", b"[1,3]"), b"", b"\xff" * 40):
        table.write_bytes(damaged)
        assert Store(store.folder, "version one", KEY).table("pages") == {}


def test_a_table_is_kept_in_parts_and_only_changed_parts_are_written(tmp_path: Path):
    store = Store(safe_folder(tmp_path, "build"), "v", KEY)
    entries = {f"key {n}": [n] for n in range(200)}
    store.save("pages", entries)
    parts = {p: p.stat().st_mtime_ns for p in store.folder.glob("pages.*.json")}
    assert len(parts) > 1
    reopened = Store(store.folder, "v", KEY)
    assert reopened.table("pages") == entries
    for path in parts:
        os.utime(path, ns=(1, 1))
    reopened.save("pages", {**entries, "key 7": ["edited"]})
    rewritten = [p for p in parts if p.stat().st_mtime_ns != 1]
    assert len(rewritten) == 1 and b"edited" in rewritten[0].read_bytes()
    assert Store(store.folder, "v", KEY).table("pages")["key 7"] == ["edited"]


def test_kept_files_are_checked_before_they_are_reused(tmp_path: Path):
    store = Store(safe_folder(tmp_path, "build"), "v", KEY)
    entry = store.put(b"page bytes")
    assert store.read(entry) == b"page bytes"
    path = store.file(entry[0])
    path.write_bytes(b"PAGE BYTES")  # same size, other bytes, a newer time
    assert store.get(entry) is None
    path.unlink()
    assert store.get(entry) is None and store.get(["junk"]) is None


def test_no_folder_is_followed_through_a_link(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / ".sitegen-cache").symlink_to(outside)
    assert Store.open(tmp_path / "project" / ".sitegen-cache") is None
    cache = tmp_path / "other" / ".sitegen-cache"
    safe_folder(tmp_path, "other", ".sitegen-cache", "build")
    (cache / "build" / "files").symlink_to(outside)
    assert Store.open(cache) is None
    assert list(outside.iterdir()) == []


def test_the_key_is_made_once_privately_outside_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    key = machine_key()
    path = tmp_path / "home" / ".cache" / "sitegen" / "build-cache.key"
    assert len(key) == 32 and path.read_bytes() == key and machine_key() == key
    assert os.stat(path).st_mode & 0o077 == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["build-cache.key"]
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")  # never read or made through a link
    with pytest.raises(OSError):
        machine_key()
