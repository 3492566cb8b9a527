"""Search benchmark (not a test): payload sizes, time to first results and per-keystroke time in Chromium.

    .venv/bin/python bench/search.py [--pagefind node_modules/.bin/pagefind] [--papers 10000]

Builds the shipped content and a synthetic corpus grown from it (bench/corpus.py), serves each on
127.0.0.1 and measures in headless Chromium with performance.now(). With a Pagefind binary, also indexes
the same sites with Pagefind and counts what it downloads for the same query.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from conftest import CHROMIUM_ARGS, run_sitegen, serve_folder  # noqa: E402
from corpus import make_corpus  # noqa: E402

QUERY = "neural radiance"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9, mtime=0))


def sizes(site: Path) -> dict[str, tuple[int, int]]:
    names = {
        "lunr.js": "static/vendor/lunr.min.js",
        "titles": "static/search/titles.js",
        "full": "static/search/full.js",
    }
    return {k: (len((site / v).read_bytes()), gz((site / v).read_bytes())) for k, v in names.items()}


def measure(browser, site: Path) -> dict[str, float]:
    """First results: from the index being requested to the first results rendered; keystrokes: one
    synchronous search + render of the page for each prefix of QUERY, after the full index is in;
    longest task: the longest the main thread was busy at a stretch while the page loaded the index
    and showed the results (Chromium's Long Tasks API reports tasks of 50 ms and more)."""
    with serve_folder(site) as base:
        page = browser.new_page()
        page.add_init_script(
            """self.longestTask = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
                 self.longestTask = Math.max(self.longestTask, e.duration); })
               .observe({type: 'longtask', buffered: true});"""
        )
        page.goto(base + "search/?q=" + QUERY.replace(" ", "%20"))
        page.wait_for_function(
            "self.sitegenSearchTimings && self.sitegenSearchTimings.fullReady > 0", timeout=60000
        )
        timings = page.evaluate("self.sitegenSearchTimings")
        page.wait_for_timeout(200)  # long-task entries are reported a moment after the task
        longest = page.evaluate("self.longestTask")
        keystrokes = page.evaluate(
            """q => { const input = document.getElementById('search-page-input'), out = [];
                 for (let i = 1; i <= q.length; i++) { input.value = q.slice(0, i);
                   const t = performance.now(); self.sitegenSearchRun(); out.push(performance.now() - t); }
                 return out; }""",
            QUERY,
        )
        page.close()
    return {
        "first": timings["firstResults"],
        "titles": timings["titlesReady"],
        "full": timings["fullReady"],
        "key_median": statistics.median(keystrokes),
        "key_max": max(keystrokes),
        "longest": longest,
    }


def pagefind_bytes(browser, pagefind: str, site: Path, work: Path) -> str:
    """Index the site with Pagefind and count what its JS API downloads for QUERY (gzipped where the
    file is not already compressed; Pagefind's own .pf_* fragments are)."""
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
        page.goto(base + "pf-bench.html")
        page.evaluate(
            """async q => { const pf = await import('/pagefind/pagefind.js');
                 const r = await pf.search(q);
                 await Promise.all(r.results.slice(0, 10).map(x => x.data())); }""",
            QUERY,
        )
        page.close()
    total = 0
    for url in fetched:
        path = copy / url.split("/", 3)[3].split("?")[0]
        if "pagefind" in url and path.is_file():
            data = path.read_bytes()
            total += len(data) if path.suffix.startswith(".pf_") else gz(data)
    return f"{total / 1024:.1f} KB (gz) for '{QUERY}' incl. 10 result fragments"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--pagefind", default=str(REPO / "node_modules" / ".bin" / "pagefind"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    try:
        small = make_corpus(work / "shipped")
        run_sitegen("build", cwd=small)
        large = make_corpus(work / "large", args.papers)
        run_sitegen("build", cwd=large)
        corpora = {
            f"{len(list((small / 'content' / 'papers').rglob('*.md')))} papers": small / "site",
            f"{args.papers} papers": large / "site",
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            print(
                f"{'corpus':>14} | {'lunr.js':>13} | {'titles.js':>15} | {'full.js':>17} | {'total gz':>8} | "
                f"{'before 1st gz':>13} | {'1st results':>11} | {'full ready':>10} | {'key med/max':>12} | "
                f"{'longest task':>12}"
            )
            for name, site in corpora.items():
                s = sizes(site)
                m = measure(browser, site)
                total = sum(g for _, g in s.values())
                first = s["lunr.js"][1] + s["titles"][1]
                cells = [
                    f"{s[k][0] / 1024:6.1f}/{s[k][1] / 1024:5.1f}" for k in ("lunr.js", "titles", "full")
                ]
                print(
                    f"{name:>14} | {cells[0]:>13} | {cells[1]:>15} | {cells[2]:>17} | "
                    f"{total / 1024:6.1f}KB | "
                    f"{first / 1024:11.1f}KB | {m['first']:8.1f} ms | {m['full']:7.1f} ms | "
                    f"{m['key_median']:4.1f}/{m['key_max']:4.1f} ms | "
                    + (f"{m['longest']:9.0f} ms" if m["longest"] else "   < 50 ms")
                )
            print(
                "(raw KB / gzipped KB; 'before 1st' = lunr.js + titles.js, what the first results need; "
                "text.js, loaded only for a quoted phrase, is not in the total)"
            )
            if Path(args.pagefind).exists():
                for name, site in corpora.items():
                    print(f"Pagefind, {name}: {pagefind_bytes(browser, args.pagefind, site, work)}")
            else:
                print(
                    f"Pagefind: not run ({args.pagefind} not found; `npm install pagefind` elsewhere, "
                    "then pass --pagefind PATH)"
                )
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
