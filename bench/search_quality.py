"""Search quality benchmark (not a test): nDCG@10 and zero-result queries over graded judgments.

    .venv/bin/python bench/search_quality.py [--pagefind node_modules/.bin/pagefind]

Builds the shipped content, then runs every query of bench/queries.yaml (judgments written before any
ranking change: slug -> 2 relevant, 1 partly relevant, unlisted 0) in headless Chromium through three
engines over the same papers: sitegen's search, plain lunr.js with OR over titles (boost 10) and abstracts
(what MkDocs ships), and Pagefind over the built pages (only paper pages count as results).
Also run by bench/search.py.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from conftest import CHROMIUM_ARGS, run_sitegen, serve_folder  # noqa: E402
from corpus import make_corpus  # noqa: E402

QUERIES = Path(__file__).with_name("queries.yaml")
DEPTH = 10


@dataclass(frozen=True)
class Judged:
    query: str
    kind: str
    grades: Mapping[str, int]


def load_queries(path: Path = QUERIES) -> list[Judged]:
    return [Judged(q["query"], q["kind"], q["relevant"]) for q in yaml.safe_load(path.read_text())]


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], depth: int = DEPTH) -> float:
    """Normalised discounted cumulative gain with gains 2^grade - 1."""

    def dcg(gs: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gs[:depth]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(slug, 0) for slug in ranked]) / ideal if ideal else 0.0


# Each engine: a page to open and a script that takes a query and resolves to (ranked slugs, total hits).
SITEGEN_JS = """async q => { const r = await self.sitegenSearchApi.query(q, {count: 10});
  return [r.items.map(item => item.slug), r.total]; }"""
LUNR_OR_JS = """async q => {
  if (!self.plainLunr) {
    await new Promise((resolve, reject) => { const s = document.createElement('script');
      s.src = document.querySelector('script[data-lunr]').dataset.lunr;
      s.onload = resolve; s.onerror = reject; document.head.appendChild(s); });
    const papers = (await (await fetch('../papers.json')).json()).papers;
    const text = html => new DOMParser().parseFromString(html, 'text/html').body.textContent;
    self.plainLunr = lunr(function () {
      this.ref('slug'); this.field('title', {boost: 10}); this.field('abstract');
      papers.forEach(p => this.add({slug: p.slug, title: p.title_text, abstract: text(p.abstract)}));
    });
  }
  let r = [];
  try { r = self.plainLunr.search(q.replace(/["*~^:+]/g, ' ')); } catch (e) { r = []; }
  return [r.slice(0, 10).map(x => x.ref), r.length]; }"""
PAGEFIND_JS = """async q => { const pf = await import('/pagefind/pagefind.js');
  const r = await pf.search(q); const slugs = [];
  for (const x of r.results.slice(0, 40)) {
    if (slugs.length >= 10) break;
    const m = (await x.data()).url.match(/\\/papers\\/([^/]+)\\//); if (m) slugs.push(m[1]); }
  return [slugs, r.results.length]; }"""


def run_engine(browser, url: str, script: str, queries: Sequence[Judged]) -> list[tuple]:
    page = browser.new_page()
    page.goto(url)
    results = [tuple(page.evaluate(script, q.query)) for q in queries]
    page.close()
    return results


def pagefind_copy(pagefind: str, site: Path, work: Path) -> Path | None:
    copy = work / "pf-quality"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy)
    if subprocess.run([pagefind, "--site", str(copy)], capture_output=True).returncode != 0:
        return None
    (copy / "pf-bench.html").write_text("<!doctype html><title>pf</title>")
    return copy


def report(
    name: str, queries: Sequence[Judged], results: Sequence[tuple], out: Callable[[str], None]
) -> None:
    scores = [ndcg(slugs, q.grades) for q, (slugs, _) in zip(queries, results, strict=True)]
    zero = [q.query for q, (_, total) in zip(queries, results, strict=True) if total == 0]
    out(
        f"{name:>10} | nDCG@10 {sum(scores) / len(scores):.3f} | zero-result queries {len(zero)}"
        + (f" ({', '.join(zero)})" if zero else "")
    )


def quality(
    browser, site: Path, pagefind: str | None, work: Path, out: Callable[[str], None] = print
) -> dict:
    """nDCG@10 per engine over bench/queries.yaml; prints a summary and returns the per-query figures."""
    queries = load_queries()
    engines: dict[str, list[tuple]] = {}
    with serve_folder(site) as base:
        engines["sitegen"] = run_engine(browser, base + "search/", SITEGEN_JS, queries)
        engines["lunr OR"] = run_engine(browser, base + "search/", LUNR_OR_JS, queries)
    copy = pagefind_copy(pagefind, site, work) if pagefind and Path(pagefind).exists() else None
    if copy:
        with serve_folder(copy) as base:
            engines["Pagefind"] = run_engine(browser, base + "pf-bench.html", PAGEFIND_JS, queries)
    out(f"{len(queries)} queries (bench/queries.yaml), nDCG@{DEPTH}, gains 2^grade - 1:")
    for name, results in engines.items():
        report(name, queries, results, out)
    if not copy:
        out("Pagefind: not run (no binary; pass --pagefind PATH)")
    return {
        name: {q.query: round(ndcg(r[0], q.grades), 3) for q, r in zip(queries, rs, strict=True)}
        for name, rs in engines.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pagefind", default=str(REPO / "node_modules" / ".bin" / "pagefind"))
    parser.add_argument("--per-query", action="store_true", help="print each query's nDCG@10 per engine")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="sitegen-quality-"))
    try:
        project = make_corpus(work / "shipped")
        run_sitegen("build", cwd=project)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            per_query = quality(browser, project / "site", args.pagefind, work)
            browser.close()
        if args.per_query:
            names = list(per_query)
            print("query | " + " | ".join(names))
            for q in load_queries():
                print(f"{q.query} | " + " | ".join(f"{per_query[n][q.query]:.2f}" for n in names))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
