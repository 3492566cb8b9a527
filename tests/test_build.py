from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from conftest import run_sitegen, snapshot, visible_papers
from sitecheck import broken_links

import sitegen.build
from sitegen.build import Builder, BuildMode, Rendered, Timings, build
from sitegen.config import load_config
from sitegen.errors import SitegenError
from sitegen.frontmatter import format_paper
from sitegen.write import MARKER

ATOM = "{http://www.w3.org/2005/Atom}"
ABSTRACT = ("We study a problem that matters and report what we found in detail. " * 6).strip()


def add_paper(root: Path, theme: str, slug: str, title: str, body: str = ABSTRACT, **fields) -> Path:
    path = root / "content" / "papers" / theme / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "id": fields.pop("id", slug[:12]),
        "title": title,
        "sources": [{"file": "a.txt", "date": "Jul 29"}],
    }
    data.update({"added": "2026-11-01", **fields})
    path.write_text(format_paper(data, body), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(corpus_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen corpus built at the domain root."""
    out = tmp_path_factory.mktemp("built") / "site"
    run_sitegen("build", "--output", out, cwd=corpus_project)
    return out


@pytest.fixture
def small(project: Path) -> Path:
    """A project with three papers in one theme, one of them hostile."""
    add_paper(
        project, "vision", "alpha-paper", "Alpha Paper", added="2026-11-03", tags=["seg"], status="must-read"
    )
    add_paper(
        project,
        "vision",
        "beta-paper",
        "<script>alert(1)</script> {{ 7*7 }} Beta",
        added="2026-11-02",
        notes="Read **this**. <script>alert(2)</script> <img src=x onerror=alert(3)> [x](javascript:alert(4))"
        " <iframe src=//evil></iframe> See [alpha](../alpha-paper/).",
    )
    add_paper(project, "vision", "gamma-paper", "PanGu-$π$: Gamma", body=r"Math \( A \) and 4 < 5 \% {\em x}")
    return project


def test_the_corpus_builds_every_page(corpus_project: Path, built: Path):
    visible = {p.stem for p in visible_papers(corpus_project)}
    assert {p.parent.name for p in (built / "papers").glob("*/index.html")} == visible
    themes = yaml.safe_load((corpus_project / "content" / "themes.yaml").read_text())["themes"]
    assert {t["slug"] for t in themes} <= {p.parent.name for p in (built / "themes").glob("*/index.html")}
    for name in (
        "index.html",
        "search/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "papers.json",
    ):
        assert (built / name).is_file(), name
    home = (built / "index.html").read_text()
    assert home.count('class="theme-card"') >= len(themes) and "Newest additions" in home
    exported = json.loads((built / "papers.json").read_text())["papers"]
    assert {p["slug"] for p in exported} == visible
    assert set(exported[0]) >= {
        "id",
        "slug",
        "title",
        "theme",
        "abstract",
        "sources",
        "tags",
        "status",
        "notes",
    }


def test_shipped_site_has_no_broken_link_and_no_foreign_request(built: Path):
    assert broken_links(built) == []


def test_paper_page_shows_everything(small: Path):
    (small / "sitegen.yaml").write_text("title: T\nrepository: https://github.com/o/r\n")
    run_sitegen("build", cwd=small)
    page = (small / "site" / "papers" / "alpha-paper" / "index.html").read_text()
    assert '<h1 class="paper-title">Alpha Paper</h1>' in page
    assert ABSTRACT in page and "Must read" in page and ">seg<" in page
    assert 'href="../../themes/vision/"' in page
    assert 'Hugging Face Daily Papers of <time datetime="2026-07-29">29 July 2026</time>' in page
    assert "https://arxiv.org/search/?query=Alpha+Paper&amp;searchtype=title" in page
    assert "scholar.google.com" in page and "semanticscholar.org" in page and "huggingface.co/papers" in page
    assert 'href="https://github.com/o/r/edit/main/content/papers/vision/alpha-paper.md"' in page
    # Theme order is by normalised title: "alpha paper", "pangu ...", "script alert ...".
    assert 'rel="next" href="../../papers/gamma-paper/"' in page and 'rel="prev"' not in page


def test_hostile_text_is_escaped_and_notes_sanitised(small: Path):
    run_sitegen("build", cwd=small)
    page = (small / "site" / "papers" / "beta-paper" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} Beta" in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} Beta" in page
    assert "<strong>this</strong>" in page and 'href="../alpha-paper/"' in page
    for bad in ("<script>alert", "onerror", "javascript:", "<iframe", ">49<", " 49 "):
        assert bad not in page, bad
    for name, data in snapshot(small / "site").items():
        if name.endswith((".html", ".xml")):
            assert b"<script>alert" not in data, name
        if name.endswith(".js"):  # data in scripts never closes a script element, even if inlined
            assert b"</script" not in data.lower(), name


def test_math_becomes_mathml_and_plain_text_elsewhere(small: Path):
    (small / "sitegen.yaml").write_text("base_url: https://example.org/list/\n")
    run_sitegen("build", cwd=small)
    page = (small / "site" / "papers" / "gamma-paper" / "index.html").read_text()
    title = re.search(r'<h1 class="paper-title">(.*?)</h1>', page, re.S).group(1)
    assert "<math" in title and "$" not in title
    assert "<title>PanGu-π: Gamma" in page
    abstract = page.split('id="abstract-heading"')[1]
    assert abstract.count("<math") == 1 and "4 &lt; 5 % <em>x</em>" in abstract  # TeX text mode read
    feed = (small / "site" / "feed.xml").read_text()
    assert "<title>PanGu-π: Gamma</title>" in feed and "<math" not in feed


def test_feed_and_sitemap_are_valid(small: Path):
    run_sitegen("build", "--base-url", "https://example.org/list/", cwd=small)
    feed = ET.parse(small / "site" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}updated").text[:10] for e in entries] == ["2026-11-03", "2026-11-02", "2026-11-01"]
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("https://example.org/list/papers/")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}summary").text
    sitemap = ET.parse(small / "site" / "sitemap.xml").getroot()
    locs = [u.find("{http://www.sitemaps.org/schemas/sitemap/0.9}loc").text for u in sitemap]
    assert "https://example.org/list/papers/alpha-paper/" in locs and "https://example.org/list/" in locs
    assert all(loc.startswith("https://example.org/list/") for loc in locs)
    assert "Sitemap: https://example.org/list/sitemap.xml" in (small / "site" / "robots.txt").read_text()
    page = (small / "site" / "papers" / "alpha-paper" / "index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/list/papers/alpha-paper/">' in page


def test_sub_path_build_has_no_broken_link(small: Path):
    run_sitegen("build", "--base-url", "/reading-list/", cwd=small)
    assert broken_links(small / "site", "/reading-list/") == []
    not_found = (small / "site" / "404.html").read_text()
    assert (
        'href="/reading-list/static/style.css?v=' in not_found and 'href="/reading-list/search/"' in not_found
    )


def test_assets_carry_a_content_hash(small: Path):
    run_sitegen("build", cwd=small)
    first = re.search(r"style\.css\?v=(\w+)", (small / "site" / "index.html").read_text()).group(1)
    (small / "static" / "style.css").write_text("body { color: red; }\n")
    run_sitegen("build", cwd=small)
    second = re.search(r"style\.css\?v=(\w+)", (small / "site" / "index.html").read_text()).group(1)
    assert first != second


def test_build_is_deterministic(small: Path):
    run_sitegen("build", "--output", "one", cwd=small)
    run_sitegen("build", "--output", "two", cwd=small)
    assert snapshot(small / "one") == snapshot(small / "two")


UP_TO_DATE = "is up to date: no input changed"
# Each input a build reads, changed the way a curator or maintainer would.
INPUT_EDITS = {
    "paper": ("content/papers/vision/alpha-paper.md", lambda t: t.replace("Alpha Paper", "Alpha Paper II")),
    "template": ("templates/paper.html", lambda t: t + "\n"),
    "static file": ("static/style.css", lambda t: t + "\np { margin: 0; }\n"),
    "config": ("sitegen.yaml", lambda t: t.replace("title: Deep Learning Reading List", "title: Papers")),
    "themes": ("content/themes.yaml", lambda t: t.replace("title:", "title: X", 1)),
}


@pytest.mark.parametrize("changed", sorted(INPUT_EDITS))
def test_an_unchanged_rebuild_is_skipped_and_any_changed_input_rebuilds(small: Path, changed: str):
    run_sitegen("build", cwd=small)
    before = snapshot(small / "site")
    assert UP_TO_DATE in run_sitegen("build", cwd=small).stdout
    assert snapshot(small / "site") == before
    relative, edit = INPUT_EDITS[changed]
    (small / relative).write_text(edit((small / relative).read_text()))
    result = run_sitegen("build", cwd=small)
    assert UP_TO_DATE not in result.stdout and "Built" in result.stdout
    run_sitegen("build", "--output", "clean", cwd=small)
    assert snapshot(small / "site") == snapshot(small / "clean")  # never stale


def test_a_site_changed_by_hand_is_rebuilt(small: Path):
    run_sitegen("build", cwd=small)
    (small / "site" / "robots.txt").unlink()
    assert UP_TO_DATE not in run_sitegen("build", cwd=small).stdout
    assert (small / "site" / "robots.txt").is_file()


def test_forked_build_equals_a_single_process_one(corpus_project: Path, tmp_path: Path):
    """`sitegen build` relates papers and makes the search index in forked children, and renders and
    writes every other page in another; the preview server's builder does everything in one process.
    The files must be the same."""
    run_sitegen("build", "--output", tmp_path / "forked", cwd=corpus_project)
    forked = snapshot(tmp_path / "forked")
    del forked[MARKER]
    config, _ = load_config(corpus_project)
    single = dict(Builder(config, BuildMode.CHECK).render(Timings()).files)
    assert len(single) > len(visible_papers(corpus_project)) and single == forked


def test_pages_shared_between_two_processes_equal_a_serial_build(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """However few the pages, once the second process takes its share the site is the same, and a page
    claimed twice across the two shares is still refused."""
    monkeypatch.setattr(sitegen.build, "SHARED_FROM", 1)
    config, _ = load_config(small)
    count, _ = build(config, tmp_path / "shared")
    shared = snapshot(tmp_path / "shared")
    del shared[MARKER]
    assert count == len(shared) and shared == dict(Builder(config, BuildMode.CHECK).render(Timings()).files)

    def twice(self: Builder, timings: Timings) -> Rendered:
        rendered = Builder._render(self, timings)
        files = list(rendered.files)
        return dataclasses.replace(rendered, files=files, shared=files[:1])

    monkeypatch.setattr(Builder, "render", twice)
    with pytest.raises(SitegenError, match="two pages claim this output path"):
        build(config, tmp_path / "shared")
    assert snapshot(tmp_path / "shared") == {**shared, MARKER: (tmp_path / "shared" / MARKER).read_bytes()}


def test_failed_build_keeps_previous_site_and_reports_every_file(small: Path):
    run_sitegen("build", cwd=small)
    before = snapshot(small / "site")
    alpha = small / "content" / "papers" / "vision" / "alpha-paper.md"
    alpha.write_text(alpha.read_text().replace("tags:\n- seg", "tags: [seg"))
    beta = small / "content" / "papers" / "vision" / "beta-paper.md"
    beta.write_text(beta.read_text().replace("added:", "status: someday\nadded:"))
    result = run_sitegen("build", cwd=small, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"alpha-paper\.md:\d+:\d+: front matter is not valid YAML", result.stderr)
    assert re.search(r"beta-paper\.md:\d+: status 'someday' is not one of", result.stderr)
    assert snapshot(small / "site") == before


def test_refuses_to_replace_a_folder_it_did_not_write(small: Path):
    (small / "docs").mkdir()
    (small / "docs" / "keep.txt").write_text("mine")
    result = run_sitegen("build", "--output", "docs", cwd=small, check=False)
    assert result.returncode == 1 and "refusing to replace it" in result.stderr
    assert (small / "docs" / "keep.txt").read_text() == "mine"


def test_excluded_and_unsorted_papers(small: Path):
    add_paper(small, "vision", "hidden-paper", "Hidden", status="excluded")
    add_paper(small, "unsorted", "lost-paper", "Lost")
    run_sitegen("build", cwd=small)
    assert not (small / "site" / "papers" / "hidden-paper").exists()
    assert "Unsorted" in (small / "site" / "themes" / "unsorted" / "index.html").read_text()


def test_verbose_prints_stage_times_and_strict_fails_on_warnings(small: Path):
    result = run_sitegen("build", "-v", cwd=small)
    assert re.search(r"load\s+[\d.]+ ms", result.stdout) and re.search(r"total\s+[\d.]+ ms", result.stdout)
    (small / "sitegen.yaml").write_text("title: T\ncolour: blue\n")
    result = run_sitegen("build", cwd=small)
    assert "sitegen.yaml:2: warning: unknown key 'colour'" in result.stderr
    result = run_sitegen("build", "--strict", cwd=small, check=False)
    assert result.returncode == 1
    (small / "sitegen.yaml").write_text("base_url: 42\n")
    result = run_sitegen("build", cwd=small, check=False)
    assert result.returncode == 1 and "sitegen.yaml:1: Config value 'base_url'" in result.stderr


def test_a_paper_with_an_arxiv_id_links_straight_to_it(small: Path):
    add_paper(small, "vision", "delta-paper", "Delta Paper", arxiv="2410.05434", published="2024-10-07",
              code="https://github.com/owner/delta?x=1&y=2")  # fmt: skip
    add_paper(small, "vision", "old-paper", "Old Paper", arxiv="hep-th/9901001")
    run_sitegen("build", "--base-url", "https://example.org/", cwd=small)
    page = (small / "site" / "papers" / "delta-paper" / "index.html").read_text()
    lookups = page.split('id="lookup-heading"')[1].split("</section>")[0]
    assert re.findall(r'href="([^"]+)"', lookups) == [
        "https://arxiv.org/abs/2410.05434",
        "https://arxiv.org/pdf/2410.05434",
        "https://huggingface.co/papers/2410.05434",
        "https://github.com/owner/delta?x=1&amp;y=2",
    ]
    assert '<time datetime="2024-10-07">2024-10-07</time>' in page
    old = (small / "site" / "papers" / "old-paper" / "index.html").read_text()
    assert "https://arxiv.org/pdf/hep-th/9901001" in old and "huggingface.co/papers/hep" not in old
    assert "arxiv.org/search" not in page + old and "scholar.google.com" not in page + old
    records = {r["slug"]: r for r in json.loads((small / "site" / "papers.json").read_text())["papers"]}
    assert (records["delta-paper"]["arxiv"], records["delta-paper"]["published"]) == (
        "2410.05434",
        "2024-10-07",
    )
    assert records["delta-paper"]["code"] == "https://github.com/owner/delta?x=1&y=2"
    assert records["alpha-paper"]["arxiv"] is None
    feed = ET.parse(small / "site" / "feed.xml").getroot()
    (delta,) = (e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}title").text == "Delta Paper")
    related = [link.get("href") for link in delta.findall(f"{ATOM}link") if link.get("rel") == "related"]
    assert related == ["https://arxiv.org/abs/2410.05434", "https://github.com/owner/delta?x=1&y=2"]
