"""Runs commands one after another and prints, as JSON, their wall time, the CPU time (user + system) of
them and all their children, and the peak resident memory of the largest process among them: the same
measure for every tool, whatever it spawns (Pagefind's npm wrapper runs a native binary, for one). CPU
time hardly depends on how many other programs share the machine; wall time does.

    python bench/measure.py '[["cmd", "arg"], ...]'
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(commands: list[list[str]]) -> None:
    started = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if result.returncode:
            sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr.decode()[-2000:]}")
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_kib": usage.ru_maxrss}))  # KiB on Linux


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
