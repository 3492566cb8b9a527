"""Quality gates on the shipped site: axe-core in Chromium (light and dark), the Nu HTML checker over
every page, and the link check at the domain root and under a sub-path. Nothing is skipped: a missing
browser, Java runtime or npm package fails with a message saying what to install."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_sitegen, serve_folder
from sitecheck import broken_links

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAPER = "papers/pangu-pi-enhancing-language-model-architectures-via-nonlinearity-compensation/"
# (name, path, CSS selector that must be on the page before the audit runs)
PAGES = [
    ("home", "", ".theme-grid"),
    ("theme", "themes/efficiency/", ".paper-card"),
    ("paper", PAPER, ".paper-title math"),
    ("search", "search/?q=pruning", "#search-list .search-hit-link"),
]


def need(path: Path, install: str) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: {install}")
    return path


@pytest.fixture(scope="module")
def sites(corpus_project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The frozen corpus built through the real CLI, at the domain root and under /reading-list/."""
    out = tmp_path_factory.mktemp("quality")
    run_sitegen("build", "--output", out / "root", cwd=corpus_project)
    run_sitegen("build", "--output", out / "sub", "--base-url", "/reading-list/", cwd=corpus_project)
    return {"root": out / "root", "sub": out / "sub"}


@pytest.fixture(scope="module")
def served(sites: dict[str, Path]):
    with serve_folder(sites["root"]) as url:
        yield url


def axe_violations(page, url: str, ready: str) -> list[str]:
    page.goto(url)
    page.wait_for_selector(ready, state="attached", timeout=15_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(
            " ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
            for n in v["nodes"][:5]
        )
        for v in result["violations"]
    ]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation(browser, served: str, scheme: str, width: int):
    need(AXE, "run `npm ci` (axe-core is a devDependency in package.json)")
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        found = {name: axe_violations(page, served + path, ready) for name, path, ready in PAGES}
    finally:
        context.close()
    report = "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)
    assert not report, f"axe violations ({scheme}, {width} px):\n{report}"
    assert errors == []


def test_search_results_do_not_shift_the_layout(browser, served: str):
    """Results appear below a reserved area: nothing above them moves (cumulative layout shift ~ 0)."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(
            "window.__cls = 0; new PerformanceObserver(list => { for (const e of list.getEntries())"
            " if (!e.hadRecentInput) window.__cls += e.value; })"
            ".observe({type: 'layout-shift', buffered: true});"
        )
        page.goto(served + "search/?q=pruning")
        page.wait_for_selector("#search-list .search-hit-link")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__cls") < 0.02
    finally:
        context.close()


def nu_errors(folder: Path) -> list[str]:
    """The Nu HTML checker's errors over every page in ``folder`` (and one if it exits unhappy)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "java is missing: the Nu HTML checker needs a Java runtime (apt-get install default-jre-headless)"
        )
    need(VNU, "run `npm ci` (vnu-jar is a devDependency in package.json)")
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = [
        f"{m.get('url', '?').rsplit('/site', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in report["messages"]
        if m["type"] != "info"
    ]
    return errors if result.returncode == 0 or errors else [f"vnu exited with {result.returncode}"]


def test_nu_html_checker_finds_no_error(sites: dict[str, Path]):
    pages = list(sites["root"].rglob("*.html"))
    assert len(pages) > 450
    errors = nu_errors(sites["root"])
    assert errors == [], f"{len(errors)} errors, first ones:\n" + "\n".join(errors[:20])


@pytest.mark.parametrize(("build", "base_path"), [("root", "/"), ("sub", "/reading-list/")])
def test_no_broken_link(sites: dict[str, Path], build: str, base_path: str):
    site = sites[build]
    assert len(list((site / "papers").glob("*/index.html"))) > 400
    assert broken_links(site, base_path) == []
