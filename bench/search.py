"""Search benchmark (not a test): quality, payload sizes, time to first results, per-keystroke time and
main-thread long tasks while typing, in Chromium.

    .venv/bin/python bench/search.py [--pagefind node_modules/.bin/pagefind] [--papers 10000]

Builds the shipped content and a synthetic corpus grown from it (bench/corpus.py), serves each on
127.0.0.1 and measures in headless Chromium. Quality is bench/search_quality.py over the shipped papers
(the queries of bench/queries.yaml); the typing session types those same queries. With a Pagefind binary,
also indexes the same sites with Pagefind and runs the same queries through it.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from conftest import CHROMIUM_ARGS, run_sitegen, serve_folder  # noqa: E402
from corpus import make_corpus  # noqa: E402
from search_quality import load_queries, quality  # noqa: E402

QUERY = "neural radiance"
TYPING_DELAY_MS = 80  # between keystrokes: slower than the 60 ms debounce, so every keystroke searches
LONG_TASKS = """self.longTasks = []; new PerformanceObserver(list => { for (const e of list.getEntries())
  self.longTasks.push([e.startTime, e.duration]); }).observe({type: 'longtask', buffered: true});"""
# Whether query q was shown (with its excerpts, when asked).
SHOWN = """([q, excerpts]) => (self.sitegenSearchTimings.shown || [])
  .some(s => s[0] === q && (s[2] || !excerpts))"""
EXCERPTS = """() => document.querySelector('#search-list .search-hit-excerpt') ||
  !document.querySelector('#search-list a.search-hit-link')"""
LONGEST_SINCE = "m => Math.max(0, ...self.longTasks.filter(t => t[0] + t[1] >= m).map(t => t[1]))"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9, mtime=0))


CODE = (
    "search.js",
    "search-backend.js",
    "inject.js",
    "search-text.js",
    "search-store.js",
    "search-query.js",
    "search-proof.js",
    "search-engine.js",
)
PIECES = ("catalog", "lexicon", "postings", "docs", "text")


def sizes(site: Path) -> dict[str, tuple[int, int, int]]:
    """Files, raw and gzipped bytes of the search files: the code, and each kind of index piece
    (a session fetches only the pieces its queries need)."""
    static = site / "static"
    groups = {
        "lunr.js": [static / "vendor" / "lunr.min.js"],
        "code": [static / name for name in (*CODE, "search-worker.js")],
        "catalog": [static / "search" / "catalog.js"],
        **{kind: sorted((static / "search" / kind).glob("*.js")) for kind in PIECES[1:]},
        # A term's first tier and its later tiers, together.
        "postings": sorted((static / "search" / "postings").glob("*.js"))
        + sorted((static / "search" / "tiers").glob("*.js")),
    }
    return {
        k: (len(v), sum(p.stat().st_size for p in v), sum(gz(p.read_bytes()) for p in v))
        for k, v in groups.items()
    }


def is_search_file(url: str) -> bool:
    return "/static/search" in url or "/static/vendor/lunr" in url or "/static/inject.js" in url


def fetched_bytes(site: Path, urls: list[str], part: str) -> int:
    """Gzipped bytes of the fetched files whose path contains ``part`` (files already compressed, as
    Pagefind's .pf_* fragments, count as they are)."""
    total = 0
    for url in set(urls):
        path = site / url.split("/", 3)[3].split("?")[0]
        if part in url and path.is_file():
            data = path.read_bytes()
            total += len(data) if path.suffix.startswith(".pf_") else gz(data)
    return total


def measure(browser, site: Path, queries: list[str]) -> dict[str, float]:
    """First results: from the index being requested to the first results shown (the page opened with
    ?q=QUERY). Then every query typed into the search box a key at a time: per keystroke, the time from
    asking to the results shown; per query, the longest main-thread task while it was typed (Chromium's
    Long Tasks API reports tasks of 50 ms and more); and what the whole session downloaded."""
    with serve_folder(site) as base:
        page = browser.new_page()
        fetched: list[str] = []
        arrived: list[tuple[str, float]] = []  # (url, when its response ended: ms since the epoch)
        page.on("requestfinished", lambda r: fetched.append(r.url))
        page.on(
            "requestfinished",
            lambda r: arrived.append((r.url, r.timing["startTime"] + r.timing["responseEnd"])),
        )
        page.add_init_script(LONG_TASKS)
        page.goto(base + "search/?q=" + QUERY.replace(" ", "%20"))
        page.wait_for_function(
            "(t => t && t.fullReady > 0 && t.firstResults > 0)(self.sitegenSearchTimings)", timeout=120000
        )
        page.wait_for_timeout(300)  # long-task entries are reported a moment after the task
        timings = page.evaluate("self.sitegenSearchTimings")
        shown_at = page.evaluate("performance.timeOrigin") + timings["requested"] + timings["firstResults"]
        early = [u for u, end in arrived if end <= shown_at and is_search_file(u)]
        before_first = fetched_bytes(site, early, "/static/")
        loading_longest = page.evaluate(LONGEST_SINCE, 0)
        box = page.locator("#search-page-input")
        per_query, settled = [], []
        for query in queries:
            box.fill("")
            mark = page.evaluate("performance.now()")
            box.press_sequentially(query, delay=TYPING_DELAY_MS)
            page.wait_for_function(SHOWN, arg=[query, False], timeout=180000)
            typed = len(fetched)
            # Once typing rests, the page asks again with excerpts (their text pieces): wait for it.
            page.wait_for_function(SHOWN, arg=[query, True], timeout=180000)
            page.wait_for_function(EXCERPTS, timeout=180000)  # asked for once the results are on screen
            page.wait_for_timeout(100)
            settled += fetched[typed:]
            per_query.append(page.evaluate(LONGEST_SINCE, mark))
        keys = sorted(s[1] for s in page.evaluate("self.sitegenSearchTimings.shown")[1:])
        page.close()
    return {
        "first": timings["firstResults"],
        "full": timings["fullReady"],
        "loading_longest": loading_longest,
        "key_p95": keys[int(0.95 * (len(keys) - 1))],
        "key_max": keys[-1],
        "long_queries": sum(1 for ms in per_query if ms >= 50),
        "typing_longest": max(per_query),
        "before_first": before_first,
        "session": fetched_bytes(site, [u for u in fetched if is_search_file(u)], "/static/"),
        "settle": fetched_bytes(site, [u for u in settled if is_search_file(u)], "/static/"),
        "kinds": {
            kind: fetched_bytes(site, fetched, f"/static/search/{kind}")
            for kind in ("catalog", "lexicon", "postings", "tiers", "docs", "text")
        },
        "pieces": len({u for u in fetched if "/static/search/" in u}),
    }


HEADER = (
    f"{'corpus':>13} | {'code':>6} | {'catalog':>11} | {'lexicon':>16} | {'postings':>17} | "
    f"{'before 1st':>10} | {'session':>14} | {'settle':>6} | {'1st results':>11} | {'ready':>7} | "
    f"{'key p95/max':>13} | {'queries w/ task >50ms':>21} | {'longest task':>12}"
)
LEGEND = (
    "(code = lunr.js + search.js, search-backend.js, inject.js, search-text.js, search-store.js, "
    "search-query.js, search-proof.js, search-engine.js, search-worker.js (gz KB); catalog raw/gz KB; "
    "lexicon, postings (first and later tiers): pieces, raw/gz KB of them all; 'before 1st' = the "
    f"search files fetched before the first results of '{QUERY}' (gz); session = the search files "
    "fetched while loading the page and typing every query, each until its excerpts are shown (gz), "
    "and how many pieces; settle = the part of it fetched after a query's results, for its excerpts, "
    "once typing rested; docs and text pieces together, fetched only for the results shown: "
)


def pieces_kb(site: Path) -> float:
    s = sizes(site)
    return (s["docs"][2] + s["text"][2]) / 1024


def row(name: str, s: dict[str, tuple[int, int, int]], m: dict[str, float], queries: int) -> str:
    code = (s["lunr.js"][2] + s["code"][2]) / 1024
    kinds = [f"{s[k][0]:5} {s[k][1] / 1024:5.0f}/{s[k][2] / 1024:4.0f}" for k in ("lexicon", "postings")]
    longest = max(m["typing_longest"], m["loading_longest"])
    return " | ".join(
        [
            f"{name:>13}",
            f"{code:3.0f} KB",
            f"{s['catalog'][1] / 1024:4.0f}/{s['catalog'][2] / 1024:3.0f} KB",
            *kinds,
            f"{m['before_first'] / 1024:7.0f} KB",
            f"{m['session'] / 1024:5.0f} KB {m['pieces']:4}f",
            f"{m['settle'] / 1024:3.0f} KB",
            f"{m['first']:8.0f} ms",
            f"{m['full']:4.0f} ms",
            f"{m['key_p95']:4.0f}/{m['key_max']:4.0f} ms",
            f"{m['long_queries']:>14} of {queries}",
            f"{longest:9.0f} ms" if longest else "   < 50 ms",
        ]
    )


PAGEFIND_TYPING = """async q => { const pf = await import('/pagefind/pagefind.js');
  let r = null;
  for (let i = 2; i <= q.length; i++) r = await pf.search(q.slice(0, i));
  if (r) await Promise.all(r.results.slice(0, 10).map(x => x.data())); }"""


def pagefind_session(browser, pagefind: str, site: Path, work: Path, queries: list[str]) -> str:
    """Index the site with Pagefind, then search every prefix (from 2 letters) of every query through its
    JS API, loading the top 10 results of each query: the download and the longest main-thread tasks."""
    copy = work / "pf-site"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy)
    result = subprocess.run([pagefind, "--site", str(copy)], capture_output=True, text=True)
    if result.returncode != 0:
        return f"pagefind failed ({result.returncode}): {result.stderr.strip()[-300:]}"
    (copy / "pf-bench.html").write_text("<!doctype html><title>pf</title>")
    with serve_folder(copy) as base:
        page = browser.new_page()
        fetched: list[str] = []
        page.on("requestfinished", lambda r: fetched.append(r.url))
        page.add_init_script(LONG_TASKS)
        page.goto(base + "pf-bench.html")
        page.evaluate(PAGEFIND_TYPING, QUERY)
        first = fetched_bytes(copy, fetched, "pagefind")
        per_query = []
        for query in queries:
            mark = page.evaluate("performance.now()")
            page.evaluate(PAGEFIND_TYPING, query)
            page.wait_for_timeout(100)
            per_query.append(page.evaluate(LONGEST_SINCE, mark))
        page.close()
    session = fetched_bytes(copy, fetched, "pagefind")
    return (
        f"{first / 1024:.0f} KB (gz) for '{QUERY}' with 10 results; session {session / 1024:.0f} KB; "
        f"queries with a task over 50 ms: {sum(1 for ms in per_query if ms >= 50)} of {len(per_query)}, "
        f"longest {max(per_query):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument(
        "--built",
        type=Path,
        help="a project bench/corpus.py made and `sitegen build` built: measured, not made",
    )
    parser.add_argument("--no-quality", action="store_true", help="skip the quality section")
    parser.add_argument("--pagefind", default=str(REPO / "node_modules" / ".bin" / "pagefind"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pagefind = args.pagefind if Path(args.pagefind).exists() else None
    queries = [q.query for q in load_queries()]
    work = Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    try:
        small = make_corpus(work / "shipped")
        run_sitegen("build", cwd=small)
        large = args.built or make_corpus(work / "large", args.papers)
        if not args.built:
            run_sitegen("build", cwd=large)
        corpora = {
            f"{len(list((small / 'content' / 'papers').rglob('*.md')))} papers": small / "site",
            f"{len(list((large / 'content' / 'papers').rglob('*.md')))} papers": large / "site",
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            if not args.no_quality:
                print("Quality (the shipped papers):")
                quality(browser, small / "site", pagefind, work)
            print(f"\nSpeed and size ({len(queries)} queries typed at {TYPING_DELAY_MS} ms a key):")
            print(HEADER)
            kinds = {}
            for name, site in corpora.items():
                m = measure(browser, site, queries)
                kinds[name] = m["kinds"]
                print(row(name, sizes(site), m, len(queries)))
            print(LEGEND + ", ".join(f"{n} {pieces_kb(site):.0f} KB gz" for n, site in corpora.items()) + ")")
            for name, by_kind in kinds.items():
                print(
                    f"Session by kind, {name} (gz KB): "
                    + ", ".join(f"{k} {v / 1024:.0f}" for k, v in by_kind.items())
                )
            for name, site in corpora.items():
                if pagefind:
                    print(f"Pagefind, {name}: {pagefind_session(browser, pagefind, site, work, queries)}")
            if not pagefind:
                print(f"Pagefind: not run ({args.pagefind} not found; pass --pagefind PATH)")
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
