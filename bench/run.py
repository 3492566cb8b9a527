"""The benchmark suite (`make bench`): cold builds of sitegen beside its anchors (MkDocs, Pelican, Hugo,
Hugo + Pagefind, a bare Python floor) on the same papers, with ratios; sitegen's build times, memory and
output size at 447, 1,000 and 10,000 papers; then the search and serve benchmarks. Writes the tables to
bench/RESULTS.md. Figures, never assertions.

    .venv/bin/python bench/run.py [--compare 447,10000] [--sizes 447,1000,10000] [--runs 3]
                                  [--skip-search] [--skip-serve]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compare import compare, ratio_table
from corpus import REPO, make_corpus

PYTHON = sys.executable
RESULTS = REPO / "bench" / "RESULTS.md"


def timed_build(root: Path, *args: str) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of one `sitegen build` in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "-m", "sitegen", "build", *args], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed in {root}:\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bench_size(papers: int, runs: int) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as temp:
        root = make_corpus(Path(temp) / "project", papers)
        count = len(list((root / "content" / "papers").glob("*/*.md")))
        cold, memory = [], []
        for _ in range(runs):
            # Each run replaces the folder and reads no cache: a cold build.
            elapsed, peak = timed_build(root, "--output", "cold", "--no-cache")
            (root / "cold" / ".sitegen-output").write_text("stale")  # the next run must render again
            cold.append(elapsed)
            memory.append(peak)
        timed_build(root)  # fills .sitegen-cache/, which the edit rebuilds below reuse (each a new process)
        unchanged = [timed_build(root)[0] for _ in range(runs)]
        edited = []
        paper = sorted((root / "content" / "papers").glob("*/*.md"))[count // 2]
        original = paper.read_text(encoding="utf-8")
        for n in range(runs):
            # An edit to the abstract (the front matter's quoting varies from paper to paper).
            paper.write_text(original.replace("\n---\n\n", f"\n---\n\nEdited {n}. ", 1), encoding="utf-8")
            edited.append(timed_build(root)[0])
        return {
            "papers": str(count),
            "cold build (s)": f"{statistics.median(cold):.2f}",
            "no-change rebuild (s)": f"{statistics.median(unchanged):.2f}",
            "one-paper edit rebuild (s)": f"{statistics.median(edited):.2f}",
            "peak memory (MB)": f"{max(memory) / 1024:.0f}",
            "output (MB)": f"{size_of(root / 'site') / 1e6:.1f}",
        }


def compare_size(papers: int, runs: int) -> str:
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as temp:
        root = make_corpus(Path(temp) / "project", papers)
        count = len(list((root / "content" / "papers").glob("*/*.md")))
        rows, notes = compare(root, Path(temp) / "anchors", runs, small=count <= 2000)
        return "\n".join([ratio_table(count, rows), *(f"\n{note}" for note in notes)])


def large_build(papers: int) -> dict[str, str]:
    """One cold build of a large corpus, once: at 100,000 papers it takes minutes."""
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as temp:
        root = make_corpus(Path(temp) / "project", papers)
        speed = loop_seconds()
        elapsed, peak = timed_build(root)
        return {
            "papers": str(papers),
            "cold build (s)": f"{elapsed:.0f}",
            "peak memory of one process (MB)": f"{peak / 1024:.0f}",
            "output (MB)": f"{size_of(root / 'site') / 1e6:.0f}",
            "machine-speed loop just before (s)": f"{speed:.2f}",
        }


def loop_seconds() -> float:
    """How fast this machine runs Python, to compare figures taken on different machines (or days: a
    shared machine's speed varies): seconds for a 10-million-iteration loop, best of 3."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(10_000_000):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def table(rows: list[dict[str, str]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(row[h] for h in head) + " |" for row in rows]
    return "\n".join(lines)


def run_script(name: str, *args: str) -> str:
    result = subprocess.run([PYTHON, str(REPO / "bench" / name), *args], capture_output=True, text=True)
    return (result.stdout + result.stderr).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--compare", default="447,10000", help="corpus sizes to build with the anchors too")
    parser.add_argument("--sizes", default="447,1000,10000")
    parser.add_argument("--large", type=int, default=0, help="one cold build at this size (100000: minutes)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    args = parser.parse_args()
    # As a user's machine would have them after the first run (pip compiles the anchors and every library
    # at install; an editable sitegen is compiled on first import, unless PYTHONDONTWRITEBYTECODE is set).
    compileall.compile_dir(REPO / "sitegen", quiet=1)
    speed = loop_seconds()
    comparisons = []
    for size in (int(s) for s in args.compare.split(",") if s):
        comparisons += ["", compare_size(size, args.runs)]
        print(comparisons[-1], flush=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows.append(bench_size(size, args.runs))
        print(rows[-1], flush=True)
    sections = [
        "# Benchmark results",
        "",
        f"`{' '.join(['.venv/bin/python', 'bench/run.py', *sys.argv[1:]])}` on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; medians of {args.runs} runs, each a new process. "
        f"Machine speed: a 10-million-iteration Python loop took {speed:.2f} s before the builds and "
        f"{loop_seconds():.2f} s after them (a shared machine's speed varies; compare runs by it).",
        "",
        "## Beside the anchors",
        "",
        "Cold builds (no output folder, no cache) of the same papers, converted to each tool's input by "
        "bench/anchors.py; the order of the tools reverses every round. Ratios = sitegen's median / the "
        "tool's (below 1: sitegen is faster), of wall time and of CPU time (user + system, every process "
        "of the build: on a machine shared with other work it varies far less than wall time). MkDocs "
        "and Pelican are built at small sizes only.",
        *comparisons,
        "",
        "## Build",
        "",
        table(rows) if rows else "(not run)",
        *optional_sections(args),
    ]
    RESULTS.write_text("\n".join(sections) + "\n", encoding="utf-8")
    print("\n".join(sections))


def optional_sections(args: argparse.Namespace) -> list[str]:
    """The large build, search and serve benchmarks, each as asked for."""
    sections = []
    if args.large:
        heading = f"## One cold build at {args.large} papers (`--large {args.large}`)"
        sections += ["", heading, "", table([large_build(args.large)])]
    if not args.skip_search:
        search = run_script("search.py", "--papers", "10000")
        sections += ["", "## Search (`bench/search.py --papers 10000`)", "", "```", search, "```"]
    if not args.skip_serve:
        sections += [
            "",
            "## Serve edit-to-reload (`bench/serve.py`)",
            "",
            "```",
            run_script("serve.py"),
            "```",
        ]
        sections += ["", "```", run_script("serve.py", "--papers", "10000", "--edits", "5"), "```"]
    return sections


if __name__ == "__main__":
    main()
