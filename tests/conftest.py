"""Layered fixtures: a project folder (content, config, templates) -> an imported one -> a built site."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Fixtures shared by the test modules of `sitegen check` and its reports.
pytest_plugins = ["checked_project"]
# Tests never read the repository's content/ (curators change it in every pull request): a corpus is built
# into tmp_path from these frozen fixtures. Templates, static files and node_modules are code, not content.
FIXTURES = REPO / "tests" / "fixtures"
FROZEN = FIXTURES / "project"  # sitegen.yaml and content/themes.yaml as they were when the seeds were filed
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))  # five Daily Papers dumps: 516 entries of 447 papers
CURATED = FIXTURES / "curated" / "papers"  # a few hand-curated papers: statuses, tags, notes, an excluded one


def run_sitegen(*args: str | Path, cwd: Path, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would, in ``cwd``."""
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
        **kwargs,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"sitegen {args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def make_project(root: Path, dumps: list[Path] | None = None) -> Path:
    """A project folder with the frozen themes and config, the repository's templates and static files and
    the given dumps."""
    (root / "content" / "dumps").mkdir(parents=True)
    shutil.copy(FROZEN / "content" / "themes.yaml", root / "content" / "themes.yaml")
    shutil.copy(FROZEN / "sitegen.yaml", root / "sitegen.yaml")
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    if (REPO / "node_modules").exists():
        (root / "node_modules").symlink_to(REPO / "node_modules")
    for dump in dumps or []:
        shutil.copy(dump, root / "content" / "dumps" / dump.name)
    return root


@pytest.fixture(scope="session", autouse=True)
def user_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where builds keep this user's cache key (see ``sitegen.store.machine_key``): never the real home."""
    folder = tmp_path_factory.mktemp("user-cache")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project: themes, config, templates, no dumps and no papers."""
    return make_project(tmp_path / "project")


def make_corpus(root: Path) -> Path:
    """The frozen corpus in ``root``: the seed dumps imported with the frozen themes, then curated papers."""
    make_project(root, SEEDS)
    run_sitegen("import", "--added", "2026-11-23", cwd=root)
    shutil.copytree(CURATED, root / "content" / "papers", dirs_exist_ok=True)
    return root


@pytest.fixture(scope="session")
def corpus_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen corpus (see ``make_corpus``), shared by the session: read-only by convention."""
    return make_corpus(tmp_path_factory.mktemp("corpus") / "project")


def visible_papers(root: Path) -> list[Path]:
    """The paper files of a project that the site shows (not excluded)."""
    papers = sorted((root / "content" / "papers").glob("*/*.md"))
    return [p for p in papers if "\nstatus: excluded\n" not in p.read_text(encoding="utf-8")]


def reader_project(root: Path) -> Path:
    """A project holding the small frozen corpus of tests/fixtures/reader (six papers, three themes)."""
    make_project(root)
    shutil.copytree(FIXTURES / "reader" / "papers", root / "content" / "papers")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes, for comparing whole trees."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- Browser fixtures (search, accessibility): Debian's Chromium driven by Playwright ---------------------

# Debian's chromium by default (`.ci/run`); GitHub's ubuntu-latest, where the chromium package is a snap
# wrapper, sets SITEGEN_CHROMIUM to its preinstalled Chrome.
CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; fails (never skips) without it, since CI must run these."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium (apt-get install chromium) "
            "or SITEGEN_CHROMIUM set to a Chrome or Chromium executable"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output readable
        pass
