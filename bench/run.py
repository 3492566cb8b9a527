"""The benchmark suite (`make bench`): build times, memory and output size at 447, 1,000 and 10,000 papers,
then the search and serve benchmarks; writes the tables to bench/RESULTS.md. Figures, never assertions.

    .venv/bin/python bench/run.py [--sizes 447,1000,10000] [--runs 3] [--skip-search] [--skip-serve]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
            elapsed, peak = timed_build(
                root, "--output", "cold"
            )  # each run replaces the folder: a cold build
            (root / "cold" / ".sitegen-output").write_text("stale")  # the next run must render again
            cold.append(elapsed)
            memory.append(peak)
        timed_build(root)
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
    parser.add_argument("--sizes", default="447,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    args = parser.parse_args()
    speed = loop_seconds()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
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
        "## Build",
        "",
        table(rows),
    ]
    if not args.skip_search:
        sections += [
            "",
            "## Search (`bench/search.py --papers 10000`)",
            "",
            "```",
            run_script("search.py", "--papers", "10000"),
            "```",
        ]
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
    RESULTS.write_text("\n".join(sections) + "\n", encoding="utf-8")
    print("\n".join(sections))


if __name__ == "__main__":
    main()
