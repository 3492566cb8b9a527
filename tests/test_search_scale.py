"""Search stays responsive at a few thousand papers: typing never blocks the page's main thread for 50 ms,
because the engine runs in a worker.

What is measured is the main thread's own work: the CPU time of each task it ran (Chromium's trace
gives every task's thread time beside its wall time), so other processes on a loaded machine, which
stretch wall times, cannot fail the test, while a task that computes for 50 ms still does; and the best
of a few attempts counts, since heavy load still slows a task's own work somewhat."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_sitegen, serve_folder
from test_build import add_paper

pytestmark = pytest.mark.browser

PAPERS = 3000
# Many words share the prefix typed below, so it completes to common words found in most papers.
VOCABULARY = (
    "neural network networks new near negative nerve needs nested neighbour neuron neurons "
    "sparse dense model models training learning graph vision language speech memory attention "
    "gradient kernel signal image video audio robust fast scalable deep shallow layer layers "
    "token tokens loss data dataset benchmark transfer adaptation pruning quantization latency"
)
THEMES = ("vision", "language", "efficiency")


def large_project(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    themes = [{"slug": t, "title": t.title(), "description": "Papers."} for t in THEMES]
    (root / "content" / "themes.yaml").write_text(yaml.safe_dump({"themes": themes}))
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "sitegen.yaml", root / "sitegen.yaml")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    rng, words = random.Random(18), VOCABULARY.split()
    for n in range(PAPERS):
        title = " ".join(rng.choices(words, k=6)).capitalize() + f" {n}"
        body = " ".join(rng.choices(words, k=120)).capitalize() + "."
        add_paper(root, THEMES[n % 3], f"paper-{n}", title, body=body, id=f"{n:012x}")
    return root


LONG_MS = 50
ATTEMPTS = 3  # the best of a few: a busy machine can still slow a task's own work (shared caches, clocks)
TASK = "ThreadControllerImpl::RunTask"  # one task of a thread's event loop


def main_thread_tasks(trace: bytes) -> list[float]:
    """The CPU time (ms) of every task the renderers' main threads ran, from a Chromium trace."""
    events = json.loads(trace)["traceEvents"]
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    return [
        e["tdur"] / 1000
        for e in events
        if e.get("name") == TASK and e.get("ph") == "X" and "tdur" in e and (e["pid"], e["tid"]) in main
    ]


def typing_a_prefix(browser, page) -> list[float]:
    """The page's main-thread tasks (CPU ms) while "ne" is typed into the search box and answered."""
    box = page.locator("#search-page-input")
    box.fill("")
    page.wait_for_timeout(200)
    browser.start_tracing(categories=["toplevel", "disabled-by-default-devtools.timeline"])
    box.press_sequentially("ne", delay=100)
    page.wait_for_function(
        "document.getElementById('search-status').textContent.includes('for “ne”')", timeout=60000
    )
    page.wait_for_function("document.querySelectorAll('#search-list a.search-hit-link').length === 20")
    tasks = main_thread_tasks(browser.stop_tracing())
    assert len(tasks) > 20  # the trace saw the typing: keys, the answers arriving, rendering
    return tasks


def test_typing_a_two_letter_prefix_never_blocks_the_main_thread(browser, tmp_path):
    root = large_project(tmp_path / "project")
    run_sitegen("build", cwd=root)
    with serve_folder(root / "site") as base:
        page = browser.new_page()
        page.goto(base + "search/")
        page.wait_for_function("self.sitegenSearchApi.state.ready", timeout=60000)
        longest = []
        for _ in range(ATTEMPTS):
            longest.append(max(typing_a_prefix(browser, page)))
            if longest[-1] < LONG_MS:
                break
        page.close()
    assert min(longest) < LONG_MS, longest
