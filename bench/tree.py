"""Run a command and sample every process of its tree (Linux /proc, every 0.3 s): each one's peak resident
memory, CPU seconds and when it was alive, and the tree's peak proportional memory (PSS: shared pages
counted once). `sitegen build` forks children (related papers, the search index, half the pages), so one
process's peak (what /usr/bin/time reports) is not the whole story. Sampled, so short peaks can be missed.

    .venv/bin/python bench/tree.py sitegen build -v --no-cache
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TICK = 1 / 100  # /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ: 100 on Linux)


@dataclass
class Seen:
    first: float
    last: float = 0.0
    peak_kib: int = 0
    cpu: float = 0.0


def descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += descendants(int(child))
    return found


def status_kib(path: Path, field: str) -> int:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(field)), 0)


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * TICK  # utime + stime


def main() -> None:
    started = time.perf_counter()
    process = subprocess.Popen(sys.argv[1:])
    seen: dict[int, Seen] = {}
    peak_pss, peak_at = 0, 0.0
    while process.poll() is None:
        now, pss = time.perf_counter() - started, 0
        for pid in descendants(process.pid):
            entry = seen.setdefault(pid, Seen(now))
            entry.last = now
            entry.peak_kib = max(entry.peak_kib, status_kib(Path(f"/proc/{pid}/status"), "VmRSS:"))
            entry.cpu = cpu_seconds(pid) or entry.cpu
            pss += status_kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss:")
        if pss > peak_pss:
            peak_pss, peak_at = pss, now
        time.sleep(0.3)
    for pid, entry in sorted(seen.items(), key=lambda item: item[1].first):
        print(
            f"pid {pid}: peak {entry.peak_kib >> 10} MB, {entry.cpu:.1f} s CPU, "
            f"alive {entry.first:.1f}-{entry.last:.1f} s",
            file=sys.stderr,
        )
    print(
        f"tree: peak PSS {peak_pss >> 10} MB at {peak_at:.1f} s; wall {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    sys.exit(process.returncode)


if __name__ == "__main__":
    main()
