"""Cold builds of sitegen and its anchors on the same papers, measured in one run: alternating runs (the
order reverses every round, so a drift in the machine's speed falls on all tools alike), medians of wall
time, peak memory, output size, and the ratio sitegen / anchor (below 1: sitegen is faster)."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from anchors import REPO, Anchor, anchors

SITEGEN = "sitegen"


@dataclass(frozen=True)
class Measured:
    name: str
    seconds: float  # median wall time
    cpu: float  # median CPU time, all its processes
    peak_mb: float  # the largest of the runs
    output_mb: float


def sitegen_anchor(project: Path) -> Anchor:
    command = (sys.executable, "-m", "sitegen", "build", "--root", str(project), "--output", "cold")
    return Anchor(SITEGEN, project, (command,), project / "cold")


def measure(anchor: Anchor) -> tuple[float, float, float]:
    """One cold build: its output and caches removed first. Wall seconds, CPU seconds and peak MB."""
    shutil.rmtree(anchor.output, ignore_errors=True)
    shutil.rmtree(anchor.folder / ".sitegen-cache", ignore_errors=True)
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "measure.py"), json.dumps(anchor.commands)],
        cwd=anchor.folder,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"{anchor.name}: {result.stderr.strip()}")
    figures = json.loads(result.stdout)
    return figures["seconds"], figures["cpu_seconds"], figures["peak_kib"] / 1024


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def compare(project: Path, work: Path, runs: int, small: bool) -> tuple[list[Measured], list[str]]:
    """sitegen first, then every installed anchor (with ``small``, those too slow for large corpora)."""
    found, notes = anchors(project, work)
    tools = [sitegen_anchor(project), *(a for a in found if small or a.scales)]
    figures: dict[str, list[tuple[float, float, float]]] = {t.name: [] for t in tools}
    for round_ in range(runs):
        for tool in tools if round_ % 2 == 0 else reversed(tools):
            figures[tool.name].append(measure(tool))
    rows = []
    for tool in tools:
        wall, cpu, peak = zip(*figures[tool.name], strict=True)
        rows.append(
            Measured(
                tool.name, statistics.median(wall), statistics.median(cpu), max(peak), size_mb(tool.output)
            )
        )
    return rows, notes


def ratio_table(papers: int, rows: list[Measured]) -> str:
    ours = rows[0]
    lines = [
        f"| {papers} papers, cold build | wall (s) | sitegen / it | CPU (s) | sitegen / it, CPU "
        "| peak memory (MB) | output (MB) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        wall = "—" if row is ours else f"{ours.seconds / row.seconds:.2f}"
        cpu = "—" if row is ours else f"{ours.cpu / row.cpu:.2f}"
        lines.append(
            f"| {row.name} | {row.seconds:.2f} | {wall} | {row.cpu:.2f} | {cpu} | {row.peak_mb:.0f} "
            f"| {row.output_mb:.1f} |"
        )
    return "\n".join(lines)
