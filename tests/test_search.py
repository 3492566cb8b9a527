"""Search in a real browser: a fixture corpus (tests/fixtures/search/) built into tmp_path, served on
127.0.0.1 (the engine then runs in a Web Worker) and opened from disk (it runs on the page), in Chromium."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_sitegen, serve_folder
from test_build import add_paper

from sitegen.search_text import term, tokens

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures" / "search"
# Papers sharing one made-up word, unevenly across the themes (and not in their declared order): for
# paging and for the theme filter's order.
GLIMMER = {"efficiency": 25, "language": 15, "vision": 5}


def fixture_project(root: Path) -> Path:
    corpus = yaml.safe_load((FIXTURES / "papers.yaml").read_text())
    (root / "content").mkdir(parents=True)
    themes = [{**t, "description": "Papers."} for t in corpus["themes"]]
    (root / "content" / "themes.yaml").write_text(yaml.safe_dump({"themes": themes}))
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "sitegen.yaml", root / "sitegen.yaml")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    for p in corpus["papers"]:
        extra = {"arxiv": p["arxiv"]} if "arxiv" in p else {}
        add_paper(
            root, p["theme"], p["slug"], p["title"], body=p["abstract"], id=paper_id(p["slug"]), **extra
        )
    for theme, count in GLIMMER.items():
        for n in range(count):
            slug = f"glimmer-{theme}-{n}"
            add_paper(
                root, theme, slug, f"Glimmer study {theme} {n}", body=f"A glimmer {n}.", id=paper_id(slug)
            )
    return root


def paper_id(slug: str) -> str:
    return hashlib.sha256(slug.encode()).hexdigest()[:12]


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


def ask(page, raw: str, **options) -> dict:
    """One request, answered by the engine as the page would be (the full index loaded)."""
    return page.evaluate("([q, o]) => self.sitegenSearchApi.query(q, o)", [raw, options])


def slugs(page, raw: str, **options) -> list[str]:
    return [item["slug"] for item in ask(page, raw, count=100, **options)["items"]]


def search_page(page, base_url: str, query: str = "") -> None:
    page.goto(base_url + "search/" + (f"?q={query}" if query else ""))
    page.wait_for_function("self.sitegenSearchApi.state.ready")
    if query:
        page.wait_for_selector("#search-list > li")


def test_the_engine_runs_in_a_worker_when_served(page, base_url):
    search_page(page, base_url)
    assert page.evaluate("typeof self.sitegenSearchEngine") == "undefined"  # not on the page
    assert slugs(page, "tabular") == ["tabular"]


def test_every_word_must_match_and_otherwise_most_words_follow(page, base_url):
    search_page(page, base_url)
    both = ask(page, "sparse autoencoders")
    assert both["complete"] == 2  # fewer than a screenful: papers with some of the words follow
    assert {i["slug"] for i in both["items"][:2]} == {"sparse-autoencoders", "sparse-autoencoder-circuits"}
    many = ask(page, "glimmer study", count=100)
    assert many["total"] == many["complete"] == sum(GLIMMER.values())  # enough have both: only those
    answer = ask(page, "lora fine-tuning", count=100)
    assert answer["complete"] == 0 and answer["total"] >= 4
    found = [item["slug"] for item in answer["items"]]
    assert "low-rank" in found and {"hyphen-form", "joined-form"} <= set(found)
    search_page(page, base_url, "lora%20fine-tuning")
    status = page.inner_text("#search-status")
    assert "No paper has all of “lora”, “fine-tuning”; showing papers with most of them." in status


def test_an_arxiv_id_finds_its_paper(page, base_url):
    search_page(page, base_url)
    assert slugs(page, "2410.05434")[0] == "tabular"
    assert slugs(page, "arXiv:2410.05434 ")[0] == "tabular"


def test_typos_in_longer_words_are_forgiven(page, base_url):
    search_page(page, base_url)
    assert slugs(page, "tranformers")[0] == "tabular"
    assert slugs(page, "tabluar records")[0] == "tabular"  # a swap counts as one edit
    assert slugs(page, "rtansformers")[0] == "tabular"  # even among the first letters
    assert slugs(page, "tsransformers")[0] == "tabular"  # a letter slipped in
    assert ask(page, "nerg")["total"] == 0  # four letters: too short to guess
    assert ask(page, "nerg")["suggestion"] == "nerf"


def test_british_and_american_spellings_find_each_other(page, base_url):
    search_page(page, base_url)
    assert set(slugs(page, "optimization ")) == {"british-kernels", "american-kernels"}
    assert set(slugs(page, "optimisation ")) == {"british-kernels", "american-kernels"}
    answer = ask(page, "modeling dialog behavior ")
    assert answer["complete"] == 1 and answer["items"][0]["slug"] == "dialogue-behaviour"
    assert slugs(page, "color ") == ["dialogue-behaviour"]
    assert slugs(page, "call centers ")[0] == "dialogue-behaviour"


def test_acronyms_learnt_from_the_papers_work_both_ways(page, base_url):
    search_page(page, base_url)
    llm = {"llm-biology", "chatbot-scaling", "planning-prompts"}
    assert set(slugs(page, "llm ")) == llm
    answer = ask(page, "large language models ")
    assert answer["complete"] == 3 and {i["slug"] for i in answer["items"][:3]} == llm
    assert set(slugs(page, "nerf ")[:2]) == {"city-radiance", "nerf-relight"}
    assert set(slugs(page, "lora ")) == {"low-rank"}
    assert "low-rank" in slugs(page, "low rank adaptation ")


def test_a_quoted_phrase_matches_on_terms(page, base_url):
    search_page(page, base_url)
    answer = ask(page, '"neural radiance field"', count=100)
    found = [item["slug"] for item in answer["items"]]
    # "fields" matches "field", and a NeRF paper has the phrase by its acronym; the paper that has the
    # three words apart follows, as having all the words but not the phrase.
    assert answer["complete"] == 2 and set(found[:2]) == {"city-radiance", "nerf-relight"}
    assert found.index("words-apart") >= 2


def test_hyphenated_joined_and_spaced_words_find_each_other(page, base_url):
    search_page(page, base_url)
    forms = {"hyphen-form", "joined-form", "spaced-form"}
    assert set(slugs(page, "fine-tuning ")) >= forms
    assert set(slugs(page, "fine tuning ")) >= forms
    assert set(slugs(page, "finetuning ")) >= {"hyphen-form", "joined-form"}


def test_exact_words_rank_above_words_of_the_same_stem(page, base_url):
    search_page(page, base_url)
    found = slugs(page, "generation ")
    assert found[0] == "click-features"
    assert slugs(page, "generalization ")[0] == "graph-generalization"


def test_completions_of_the_word_being_typed_and_dropdown_agrees_with_page(page, base_url):
    search_page(page, base_url)
    found = slugs(page, "sparse auto")
    assert set(found[:2]) == {"sparse-autoencoders", "sparse-autoencoder-circuits"}
    assert "automatic-interactions" in found[2:]
    page.goto(base_url)
    page.fill("#site-search", "sparse auto")
    page.wait_for_selector("#site-search-panel .search-hit-link")
    dropdown = page.eval_on_selector_all("#site-search-panel a.search-hit-link", "as => as.map(a => a.href)")
    assert [href.rstrip("/").rsplit("/", 1)[1] for href in dropdown] == found[: len(dropdown)]


def test_all_results_are_shown_twenty_at_a_time(page, base_url):
    search_page(page, base_url, "glimmer%20")
    total = sum(GLIMMER.values())
    assert page.inner_text("#search-status").startswith(f"{total} results for “glimmer”")
    links = "#search-list a.search-hit-link"
    assert page.locator(links).count() == 20
    page.click("button.search-more")
    page.wait_for_function(f"document.querySelectorAll('{links}').length === 40")
    assert page.evaluate("document.activeElement.id") == "search-hit-20"  # the first new result
    page.click("button.search-more")
    page.wait_for_function(f"document.querySelectorAll('{links}').length === {total}")
    assert page.locator("button.search-more").is_hidden()


def test_excerpt_is_cut_around_the_matched_words_and_highlighted(page, base_url):
    search_page(page, base_url, "zeppelin")
    excerpt = page.inner_text("#search-list .search-hit-excerpt")
    assert excerpt.startswith("… ") and "zeppelin" in excerpt and "We walked" not in excerpt
    assert page.inner_text("#search-list .search-hit-excerpt mark") == "zeppelin"
    search_page(page, base_url, "adapters")
    # The opening query is shown at once without excerpts, then again with them.
    page.wait_for_selector("#search-list .search-hit-excerpt mark")
    marks = page.eval_on_selector_all(
        "#search-list .search-hit-excerpt mark", "ms => ms.map(m => m.textContent)"
    )
    assert "adapters" in marks


def test_only_results_on_screen_fetch_their_abstracts(page, base_url):
    page.set_viewport_size({"width": 375, "height": 700})
    search_page(page, base_url, "glimmer%20")
    excerpts = "#search-list .search-hit-excerpt"
    page.wait_for_selector(excerpts)
    page.wait_for_timeout(300)
    assert page.locator("#search-list a.search-hit-link").count() == 20
    assert 0 < page.locator(excerpts).count() < 10  # a phone's screen of them
    last = "document.getElementById('search-hit-19').closest('li')"
    assert page.evaluate(f"!{last}.querySelector('.search-hit-excerpt')")
    page.locator("#search-hit-19").scroll_into_view_if_needed()
    page.wait_for_function(f"{last}.querySelector('.search-hit-excerpt')")


def test_theme_filter_is_sorted_by_count_and_wraps_on_a_phone(page, base_url):
    page.set_viewport_size({"width": 375, "height": 800})
    search_page(page, base_url, "glimmer%20")
    # Laid out, not only in the DOM: the query the page opens with is shown twice (before and after its
    # excerpts), and the filter is built anew each time.
    page.wait_for_function(
        "(bs => bs.length === 4 && bs.every(b => b.getBoundingClientRect().height > 0))"
        "([...document.querySelectorAll('#search-themes button')])"
    )
    buttons = page.eval_on_selector_all(
        "#search-themes button",
        "bs => bs.map(b => [b.textContent, b.getBoundingClientRect().top, b.getBoundingClientRect().right])",
    )
    assert [b[0].rsplit(" ", 1)[1] for b in buttons] == ["(45)", "(25)", "(15)", "(5)"]
    assert all(right <= 375 for _, _, right in buttons)
    assert len({top for _, top, _ in buttons}) > 1  # it wrapped instead of running off the screen
    page.click("#search-themes button:nth-child(3)")
    page.wait_for_function("document.querySelectorAll('#search-list a.search-hit-link').length === 15")
    assert "theme=language" in page.url


def test_arrow_keys_move_one_result_at_a_time(page, base_url):
    search_page(page, base_url, "glimmer%20")
    page.focus("#search-page-input")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "search-hit-0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "search-hit-2"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-hit-1"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-page-input"


def test_enter_in_the_header_box_leads_to_results_the_keyboard_can_reach(page, base_url):
    page.goto(base_url)
    page.keyboard.press("/")
    page.keyboard.type("tabular")
    page.wait_for_selector("#site-search-panel .search-hit-link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("search/?q=tabular")
    page.wait_for_selector("#search-list .search-hit-link")
    assert page.evaluate("document.activeElement.id") == "search-page-input"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "search-hit-0"


def test_no_results_once_with_real_links_and_a_suggestion(page, base_url):
    search_page(page, base_url, "nerg")
    assert page.inner_text("#search-status") == "No results for “nerg”."
    assert page.inner_text("#search-results").count("No results") == 1
    suggestion = page.get_attribute(".search-empty a.search-suggestion", "href")
    assert suggestion.endswith("?q=nerf")
    themes = page.get_attribute(".search-empty a[href$='#themes']", "href")
    assert themes == "../#themes"


def test_query_syntax_never_raises(page, base_url):
    search_page(page, base_url)
    for query in ["title:", "^~*", "+-", '"', 'a:b "unclosed', "\\", "*prune", "zz~2", "-", "--x", "a"]:
        ask(page, query)


def test_terms_in_the_browser_equal_the_index_terms(page, base_url, site):
    """search-engine.js reads a query's words exactly as search_text.py read the papers."""
    search_page(page, base_url)
    page.add_script_tag(path=str(site / "static" / "vendor" / "lunr.min.js"))
    page.add_script_tag(path=str(REPO / "static" / "search-text.js"))
    text = (
        "Optimisation optimised colours behaviour's modelling labelled centre dialogues analysing "
        "LLMs NeRF's (PINNs) pruning pruned studies caresses agreed feed hopping filing failing "
        "generalisation noise four hour our yield Ünïcödé naïve x² 3D fine-tuning state-of-the-art "
        "re-ranking e.g. U.S. _under_ --"
    )
    words = text.split(" ")
    assert page.evaluate("ws => ws.map(w => sitegenSearchText.term(w))", words) == [term(w) for w in words]
    got = page.evaluate("t => sitegenSearchText.tokens(t).filter(k => k.term).map(k => k.term)", text)
    assert got == [k.term for k in tokens(text)[0]]
    got_joined = page.evaluate(
        "t => sitegenSearchText.tokens(t).map(k => k.joined).filter(j => j !== null)", text
    )
    assert got_joined == tokens(text)[1]


def test_search_works_from_disk(page, site):
    page.goto((site / "search" / "index.html").as_uri() + "?q=tabular")
    page.wait_for_selector("#search-list .search-hit-link")
    assert page.evaluate("typeof self.sitegenSearchEngine") == "object"  # on the page, no worker
    href = page.get_attribute("#search-list .search-hit-link", "href")
    assert href.endswith("/index.html")  # folders would show a listing from disk
    with page.expect_navigation():
        page.click("#search-list .search-hit-link")
    assert page.url.startswith("file://") and page.url.endswith("/tabular/index.html")


def test_index_loads_lazily(page, base_url):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(base_url)
    page.wait_for_load_state("load")
    assert not [u for u in requested if "/search/" in u or "lunr" in u or "search-engine" in u]
    page.focus("#site-search")
    page.wait_for_function("self.sitegenSearchApi.state.ready")
    assert any("/search/catalog.js" in u for u in requested)
    assert not [u for u in requested if "/search/lexicon/" in u or "/search/postings/" in u]  # nor per query
    requested.clear()
    page.keyboard.type("tabular")
    page.wait_for_selector("#site-search-list .search-hit-link")
    pieces = {u.split("/search/")[1].split("/")[0] for u in requested if "/search/" in u}
    assert pieces == {"lexicon", "postings", "docs"}  # the dropdown shows no excerpts: no text
