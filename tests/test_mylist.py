"""The reading list in a real browser (static/mylist.js, the /my/ page, sitegen/mylist.py's data): save,
mark read, reload, export, import, share, from http:// under a sub-path and from file:// (the default build
and an --offline one), without JavaScript, and through axe and the Nu checker."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import reader_project, run_sitegen, serve_folder
from test_quality import AXE, axe_violations, need, nu_errors

SAVED = "sparse-adapters-for-tiny-devices"  # first card on the efficiency page (by title: Quantised first)
BUILDS = ["http-sub-path", "file", "file-offline"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = reader_project(tmp_path_factory.mktemp("mylist") / "project")
    www = root.parent / "www"
    run_sitegen("build", "--output", www / "reading-list", "--base-url", "/reading-list/", cwd=root)
    run_sitegen("build", "--output", root.parent / "disk", cwd=root)
    run_sitegen("build", "--offline", "--output", root.parent / "offline", cwd=root)
    return {"http-sub-path": www, "file": root.parent / "disk", "file-offline": root.parent / "offline"}


@pytest.fixture(params=BUILDS)
def home(request, sites: dict[str, Path]):
    """The URL of the home page of each build, as a reader opens it."""
    if request.param == "http-sub-path":
        with serve_folder(sites["http-sub-path"]) as url:
            yield url + "reading-list/"
    else:
        yield (sites[request.param] / "index.html").as_uri()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def toggles(page, slug: str) -> dict[str, str]:
    holder = page.locator(f'.mylist[data-paper="{slug}"]').first
    return {
        b.get_attribute("data-toggle"): b.get_attribute("aria-pressed")
        for b in holder.locator("button").all()
    }


def download(page, selector: str) -> str:
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_save_read_reload_export_import_share(page, home: str, tmp_path: Path):
    page.goto(home)
    page.get_by_role("link", name="Efficient Deep Learning").first.click()
    assert page.locator("h1").inner_text() == "Efficient Deep Learning"  # a page, not a folder listing
    cards = page.locator(".paper-card .mylist")
    page.wait_for_selector(".paper-card .mylist button")
    slugs = [cards.nth(i).get_attribute("data-paper") for i in range(cards.count())]
    other = next(s for s in slugs if s != SAVED)
    page.locator(f'.mylist[data-paper="{SAVED}"] [data-toggle=save]').click()
    page.locator(f'.mylist[data-paper="{other}"] [data-toggle=read]').click()
    page.reload()
    page.wait_for_selector(".paper-card .mylist button")
    assert toggles(page, SAVED) == {"save": "true", "read": "false"}
    assert toggles(page, other) == {"save": "true", "read": "true"}  # read implies saved
    assert page.locator(".count .progress").inner_text() == "1 of 3 read"

    page.get_by_role("link", name="My list").click()
    page.wait_for_selector("#my-list[data-ready] #my-papers li")
    assert page.locator("#my-papers > li").count() == 2
    assert "1 of 3 read (2 saved)" in page.locator("#my-progress").inner_text()
    page.get_by_label("Read", exact=True).check()
    assert page.locator("#my-papers > li").count() == 1
    page.get_by_label("Unread").check()
    assert page.locator("#my-papers > li a").inner_text() == "Sparse Adapters for Tiny Devices"
    page.get_by_label("All").check()

    bibtex = download(page, "[data-export=bibtex]")
    assert f"@misc{{{SAVED}," in bibtex and f"@misc{{{other}," in bibtex
    if home.startswith("http"):
        assert f"url = {{{home}papers/{SAVED}/}}" in bibtex  # a full URL, made in the browser
    rows = list(csv.reader(io.StringIO(download(page, "[data-export=csv]"))))
    assert rows[0] == ["title", "url", "theme", "read", "slug"]
    assert sorted((r[4], r[3]) for r in rows[1:]) == sorted([(SAVED, "no"), (other, "yes")])
    markdown = download(page, "[data-export=markdown]")
    assert "- [ ] [Sparse Adapters for Tiny Devices](<" in markdown and markdown.count("- [x] ") == 1
    exported = tmp_path / "list.json"
    exported.write_text(download(page, "[data-export=json]"))
    assert json.loads(exported.read_text())["version"] == 1

    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector("#my-list[data-ready]")
    assert page.locator("#my-count").inner_text().startswith("Nothing saved yet")
    page.set_input_files("#my-import", str(exported))
    page.wait_for_selector("#my-import-status:has-text('Imported 2 papers')")
    assert page.locator("#my-papers > li").count() == 2
    assert page.locator("#my-papers > li.is-read").count() == 1

    page.click("#my-share")
    link = page.input_value("#my-share-url")
    assert re.search(r"my/(index\.html)?\?papers=[a-z0-9-]+,[a-z0-9-]+$", link)
    shared = page.context.browser.new_context()
    try:
        viewer = shared.new_page()
        viewer.goto(link)
        viewer.wait_for_selector("#my-shared-papers li")
        titles = viewer.locator("#my-shared-papers li a").all_inner_texts()
        assert "Sparse Adapters for Tiny Devices" in titles and len(titles) == 2
        assert viewer.locator("#my-shared-papers button").count() == 0  # read-only
        assert viewer.locator("#my-list").is_hidden()
        viewer.click("#my-shared-save")
        stored = viewer.evaluate("JSON.stringify(Object.values(localStorage))")
        assert SAVED in stored and other in stored
    finally:
        shared.close()


def test_without_javascript_pages_work_and_the_toggles_are_absent(browser, sites: dict[str, Path]):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((sites["file-offline"] / "index.html").as_uri())
        page.get_by_role("link", name="Efficient Deep Learning").first.click()
        page.get_by_role("link", name="Sparse Adapters for Tiny Devices").click()
        assert page.locator("h1").inner_text() == "Sparse Adapters for Tiny Devices"
        assert page.locator("button:visible").count() == 0  # no Save/Read, no Copy: nothing that cannot work
        assert "@misc{sparse-adapters-for-tiny-devices," in page.locator("#bibtex").inner_text()
        page.get_by_role("link", name="My list").click()
        assert "with JavaScript off" in page.locator("main").inner_text()
    finally:
        context.close()


def test_toggles_are_real_buttons_with_names_and_state(page, sites: dict[str, Path]):
    page.goto((sites["file"] / "papers" / SAVED / "index.html").as_uri())
    save = page.get_by_role("button", name=f"Save {'Sparse Adapters for Tiny Devices'}")
    assert save.get_attribute("aria-pressed") == "false"
    save.focus()
    page.keyboard.press("Enter")
    assert save.get_attribute("aria-pressed") == "true"
    page.keyboard.press("Space")
    assert save.get_attribute("aria-pressed") == "false"
    assert page.get_by_role("button", name="Copy BibTeX").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_reading_list(browser, sites: dict[str, Path], scheme: str):
    need(AXE, "run `npm ci` (axe-core is a devDependency in package.json)")
    with serve_folder(sites["http-sub-path"]) as url:
        base = url + "reading-list/"
        found = {}
        for width in (1280, 375):
            context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
            try:
                page = context.new_page()
                page.goto(base + "themes/efficiency/")
                page.wait_for_selector(".paper-card .mylist button")
                page.locator(f'.mylist[data-paper="{SAVED}"] [data-toggle=read]').click()
                for name, path, ready in [
                    ("my", "my/", "#my-list[data-ready] #my-papers li .mylist button"),
                    ("shared", f"my/?papers={SAVED}", "#my-shared-papers li"),
                    ("theme", "themes/efficiency/", ".mylist button[aria-pressed=true]"),
                    ("paper", f"papers/{SAVED}/", ".cite button:not([hidden])"),
                    ("home", "", ".progress:not([hidden])"),
                ]:
                    found[f"{name} {width}"] = axe_violations(page, base + path, ready)
            finally:
                context.close()
    report = "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)
    assert not report, f"axe violations ({scheme}):\n{report}"


def test_nu_html_checker_finds_no_error_on_the_reader_site(sites: dict[str, Path]):
    folder = sites["file-offline"]
    assert (folder / "my" / "index.html").is_file()
    assert nu_errors(folder) == []


def test_a_list_from_a_newer_version_is_shown_and_never_overwritten(page, sites: dict[str, Path]):
    newer = {"version": 2, "papers": {SAVED: {"read": True, "theme": "efficiency", "title": "T", "at": 1}}}
    key = "sitegen-reading-list:/reading-list/"  # one list per site: the key names the site's root path
    with serve_folder(sites["http-sub-path"]) as url:
        page.goto(url + "reading-list/my/")
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, json.dumps(newer)])
        page.reload()
        page.wait_for_selector("#my-list[data-ready]")
        assert page.locator("#my-readonly").is_visible()
        assert page.locator("#my-papers > li.is-read a").inner_text() == "Sparse Adapters for Tiny Devices"
        page.goto(url + f"reading-list/papers/{SAVED}/")
        page.locator(".mylist [data-toggle=save]").click()
        assert json.loads(page.evaluate(f"localStorage.getItem({json.dumps(key)})")) == newer
