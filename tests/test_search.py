"""Search in a real browser: the built site served on 127.0.0.1 (and opened from disk), driven by Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_corpus, run_sitegen, serve_folder
from test_build import add_paper

from sitegen.content import normalise_title

pytestmark = pytest.mark.browser

# Made-up words keep these papers' results independent of whatever the shipped content says.
FIXTURES = [
    ("zq-glimmer-networks", "Glimmer Networks", "Plain zorblax text."),
    (
        "zq-glimmer-glimmer",
        "Glimmer networks for glimmer networks of glimmer",
        "Glimmer networks, again glimmer.",
    ),
    ("zq-both", "Zorblax meets quuxify", "A study where glimmer zorp appears as a phrase."),
    ("zq-one", "Only zorblax here", "Here zorp comes first, then glimmer, apart."),
    (
        "zq-prune",
        "To prune, or not to prune: exploring the efficacy of pruning for model compression",
        "Model pruning seeks to induce sparsity in a deep neural network's various connection matrices.",
    ),
]


def fixture_project(root: Path) -> Path:
    """The frozen corpus plus the fixture papers."""
    make_corpus(root)
    theme = "efficiency"
    taken = {
        normalise_title(p.read_text().split("title: ", 1)[1].split("\n", 1)[0].strip("'\""))
        for p in (root / "content" / "papers").rglob("*.md")
    }
    for slug, title, body in FIXTURES:
        if normalise_title(title) not in taken:
            add_paper(root, theme, slug, title, body=body, id=slug[:12])
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = fixture_project(tmp_path_factory.mktemp("search") / "project")
    run_sitegen("build", cwd=root)
    return root / "site"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


@pytest.fixture
def page(browser, base_url: str):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The site must make no request to any other host.
    context.route(
        lambda url: not url.startswith(base_url) and not url.startswith("file:"),
        lambda route: (errors.append("foreign request " + route.request.url), route.abort()),
    )
    yield page
    context.close()
    assert errors == []


def ready(page) -> None:
    page.wait_for_function("self.sitegenSearchTimings && self.sitegenSearchTimings.fullReady > 0")


def titles(page, query: str) -> list[str]:
    hits = page.evaluate("q => self.sitegenSearchApi.search(q).hits.map(h => h.doc)", query)
    docs = page.evaluate("self.sitegenSearch.titles.docs.map(d => d[0])")
    return [docs[h] for h in hits]


def search_page(page, base_url: str, query: str = "") -> None:
    page.goto(base_url + "search/" + (f"?q={query}" if query else ""))
    ready(page)


def test_all_terms_are_required(page, base_url):
    search_page(page, base_url)
    assert titles(page, "zorblax quuxify") == ["Zorblax meets quuxify"]
    assert set(titles(page, "zorblax")) >= {"Zorblax meets quuxify", "Only zorblax here", "Glimmer Networks"}


def test_last_term_is_a_prefix_and_words_are_stemmed(page, base_url):
    search_page(page, base_url)
    assert "Zorblax meets quuxify" in titles(page, "zorblax quux")
    assert titles(page, "zorblax quux ") == []  # a finished word is no longer a prefix
    prune = "To prune, or not to prune: exploring the efficacy of pruning for model compression"
    assert prune in titles(page, "pruning")
    assert prune in titles(page, "pruned")


def test_exact_title_ranks_first_and_titles_outrank_abstracts(page, base_url):
    search_page(page, base_url)
    assert titles(page, "glimmer networks")[0] == "Glimmer Networks"
    assert titles(page, "Glimmer networks for glimmer networks of glimmer")[0].startswith(
        "Glimmer networks for"
    )
    found = titles(page, "quuxify")
    assert found and found[0] == "Zorblax meets quuxify"


def test_quoted_phrase_matches_the_exact_phrase(page, base_url):
    search_page(page, base_url)
    assert set(titles(page, "glimmer zorp")) >= {"Zorblax meets quuxify", "Only zorblax here"}
    titles(page, '"glimmer zorp"')  # starts loading the text
    page.wait_for_function("self.sitegenSearch.text")
    assert titles(page, '"glimmer zorp"') == ["Zorblax meets quuxify"]
    texts = page.evaluate(
        """() => self.sitegenSearchApi.search('"neural radiance"').hits.map(h =>
             (self.sitegenSearch.titles.docs[h.doc][0] + ' ' +
              self.sitegenSearch.text.text[h.doc]).toLowerCase())"""
    )
    assert texts and all("neural radiance" in t for t in texts)


def test_query_syntax_never_raises(page, base_url):
    search_page(page, base_url)
    for query in ["title:", "^~*", "+-", '"', 'a:b "unclosed', "\\", "*prune", "zz~2"]:
        page.evaluate("q => self.sitegenSearchApi.search(q)", query)


def test_page_renders_highlights_count_and_theme_filter(page, base_url):
    search_page(page, base_url, "zorblax")
    page.wait_for_selector("#search-list .search-hit-link")
    status = page.inner_text("#search-status")
    assert status.startswith(f"{len(titles(page, 'zorblax'))} result") and "zorblax" in status
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    assert (
        page.eval_on_selector_all(
            "#search-list .search-hit-title mark", "ms => ms.map(m => m.textContent.toLowerCase())"
        )[0]
        == "zorblax"
    )
    assert page.eval_on_selector_all("#search-list .search-hit-excerpt mark", "ms => ms.length") >= 1
    buttons = page.eval_on_selector_all("#search-themes button", "bs => bs.map(b => b.textContent)")
    assert buttons[0].startswith("All (")


def test_no_results_message_with_a_hint(page, base_url):
    search_page(page, base_url, "zorblax%20xylophonequartz")
    page.wait_for_selector(".search-empty")
    assert "No results" in page.inner_text("#search-status")
    assert "Every word must match" in page.inner_text(".search-empty")


def test_deep_link_and_url_kept_in_step(page, base_url):
    search_page(page, base_url, "glimmer")
    assert page.input_value("#search-page-input") == "glimmer"
    page.wait_for_selector("#search-list .search-hit-link")
    page.fill("#search-page-input", "")
    page.type("#search-page-input", "zorblax quux")
    page.wait_for_function("location.search === '?q=zorblax%20quux'")
    page.wait_for_function("document.querySelectorAll('#search-list .search-hit-link').length === 1")


def test_header_box_on_every_page_and_keyboard(page, base_url):
    page.goto(base_url)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("zorblax")
    page.wait_for_selector("#site-search-panel .search-hit-link")
    hrefs = page.eval_on_selector_all("#site-search-panel a.search-hit-link", "as => as.map(a => a.href)")
    assert len(hrefs) >= 2
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == hrefs[1]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == hrefs[1]
    # Enter in the box itself opens the search page with the query.
    page.fill("#site-search", "glimmer zorp")
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    assert page.url.endswith("search/?q=glimmer%20zorp")
    page.wait_for_selector("#search-list .search-hit-link")


def test_keyboard_on_the_search_page(page, base_url):
    search_page(page, base_url, "zorblax")
    page.wait_for_selector("#search-list .search-hit-link")
    first = page.get_attribute("#search-list .search-hit-link", "href")
    page.focus("#search-page-input")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert first.startswith("../papers/") and page.url == base_url + first[3:]


def test_index_loads_lazily(page, base_url):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(base_url)
    page.wait_for_load_state("load")
    data_files = ("lunr.min.js", "titles.js", "full.js", "text.js")
    assert not [u for u in requested if any(name in u for name in data_files)]
    page.focus("#site-search")
    page.wait_for_function("self.sitegenSearch && self.sitegenSearch.full")
    assert any("lunr.min.js" in u for u in requested) and any("titles.js" in u for u in requested)


def test_building_the_index_leaves_the_page_responsive(page, base_url):
    """The index is built in slices with the event loop running between them, so a large index never
    freezes the page. With zero-millisecond slices every step yields: timers fire while the full index
    is being built, and the index is the same."""
    page.add_init_script(
        """self.sitegenSearchSliceMs = 0; self.ticksWhileBuilding = 0;
        (function tick() {
          const t = self.sitegenSearchTimings || {};
          const full = self.sitegenSearch && self.sitegenSearch.full;  // loaded, not yet built
          if (full && !(t.fullReady > 0)) self.ticksWhileBuilding += 1;
          if (!(t.fullReady > 0)) setTimeout(tick, 0);
        })();"""
    )
    search_page(page, base_url)
    assert page.evaluate("self.ticksWhileBuilding") >= 5
    assert titles(page, "zorblax quuxify") == ["Zorblax meets quuxify"]


def test_search_works_from_disk(page, site):
    page.goto((site / "search" / "index.html").as_uri() + "?q=zorblax%20quux")
    ready(page)
    page.wait_for_selector("#search-list .search-hit-link")
    href = page.get_attribute("#search-list .search-hit-link", "href")
    assert href.endswith("/index.html")  # folders would show a listing from disk
    with page.expect_navigation():
        page.click("#search-list .search-hit-link")
    assert page.url.startswith("file://") and page.url.endswith("/zq-both/index.html")
