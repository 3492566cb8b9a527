"""Edit-to-reload latency of `sitegen serve`: write a paper file, wait for the SSE `reload`, fetch the page.

    .venv/bin/python bench/serve.py [--papers 10000 | --corpus DIR] [--edits 10] [--profile]

Runs the real command on a free loopback port in a temporary copy of the project. The shipped papers are
used as they are; a larger corpus duplicates them under unique titles, slugs and ids (``--corpus`` copies
one made before by bench/corpus.py instead of making it again). Not a test: it prints the start (command
to "Serving"), median and p90 of each latency, and the server's peak memory. --profile instead profiles
one rebuild after one edit in process (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpus import make_corpus, make_project  # noqa: E402

from sitegen.reload import EventStream, token_of  # noqa: E402


def get(port: int, path: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(1 << 20):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


@dataclass(frozen=True)
class Session:
    """What one served session measured."""

    to_reload: list[float]
    to_page: list[float]
    to_index: list[float]
    rebuilds: list[str]  # the server's "Rebuilt ..." lines
    peak_kib: int  # the server's peak resident memory


def peak_memory(pid: int) -> int:
    """A live process's peak resident memory (KiB), from /proc where there is one."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def measure(root: Path, papers: list[Path], edits: int) -> Session:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--port", str(port)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    started = time.perf_counter()
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True).start()
    try:
        deadline = time.monotonic() + 3600  # the first build of 100,000 papers takes minutes
        while not any("Serving" in line for line in lines):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("".join(lines))
            time.sleep(0.05)
        serving = time.perf_counter() - started
        # Printed at once: at 100,000 papers the first build takes minutes.
        print(f"{'start (command -> Serving)':>24}: {serving * 1000:.0f} ms", flush=True)
        home = get(port, "/")
        if "data-generation" not in home:
            raise SystemExit(f"the home page carries no reload script:\n{home[:2000]}")
        token = token_of(home)
        events = EventStream(port, token)
        to_reload, to_page, to_index = [], [], []
        step = max(1, len(papers) // edits)
        for number in range(edits):
            path = papers[(number * step) % len(papers)]
            text = path.read_text(encoding="utf-8")
            marker = f"Benchmark edit {number}"
            edited = re.sub(r"^title: .*$", f"title: '{marker}'", text, count=1, flags=re.M)
            start = time.perf_counter()
            path.write_text(edited, encoding="utf-8")
            if events.next()[0] != "reload":
                raise SystemExit("build failed:\n" + "".join(lines[-20:]))
            to_reload.append(time.perf_counter() - start)
            print(f"edit {number}: reload event after {to_reload[-1] * 1000:.0f} ms", flush=True)
            page = get(port, f"/papers/{path.stem}/")
            to_page.append(time.perf_counter() - start)
            assert marker in page, "the edited page was not served"
            if events.next()[0] != "data":  # a title edit changes the search index, which follows the pages
                raise SystemExit("the search index did not follow:\n" + "".join(lines[-20:]))
            to_index.append(time.perf_counter() - start)
            time.sleep(0.3)  # let the search index and the terminal settle between edits
        rebuilds = [line.rstrip() for line in lines if line.startswith("Rebuilt")]
        return Session(to_reload, to_page, to_index, rebuilds, peak_memory(process.pid))
    finally:
        process.terminate()
        try:  # at 100,000 papers stopping takes a while (its temporary folder holds 160,000 files)
            process.wait(600)
        except subprocess.TimeoutExpired:
            process.kill()


def profile(root: Path, papers: list[Path]) -> None:
    os.chdir(root)
    from sitegen.build import Builder, BuildMode, Timings
    from sitegen.config import load_config

    builder = Builder(load_config(Path("."))[0], BuildMode.PREVIEW)
    builder.render(Timings())
    path = papers[len(papers) // 2]
    path.write_text(re.sub(r"^title: .*$", "title: 'Profiled edit'", path.read_text(), count=1, flags=re.M))
    timings = Timings()
    profiler = cProfile.Profile()
    profiler.enable()
    builder.render(timings)
    profiler.disable()
    print("  ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.steps))
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--papers", type=int, default=None, help="corpus size (default: the shipped papers)")
    parser.add_argument("--corpus", type=Path, default=None, help="a project made by bench/corpus.py, copied")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="profile one rebuild in process instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-serve-") as temp:
        root = Path(temp) / "project"
        if args.corpus:
            make_project(root)  # the repository's templates and static files, the corpus's content
            shutil.copytree(args.corpus / "content", root / "content", dirs_exist_ok=True)
            shutil.copy(args.corpus / "sitegen.yaml", root / "sitegen.yaml")
        else:
            make_corpus(root, args.papers)
        papers = sorted((root / "content" / "papers").glob("*/*.md"))
        print(f"{len(papers)} papers, {os.cpu_count()} cores")
        if args.profile:
            profile(root, papers)
            return
        session = measure(root, papers, args.edits)
    measured = (
        ("edit -> reload event", session.to_reload),
        ("edit -> page fetched", session.to_page),
        ("edit -> search index in", session.to_index),
    )
    for label, values in measured:
        ms = sorted(v * 1000 for v in values)
        p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
        print(f"{label:>24}: median {statistics.median(ms):6.0f} ms   p90 {p90:6.0f} ms   (n={len(ms)})")
    print(f"server peak memory: {session.peak_kib // 1024} MB")
    print("server:", *session.rebuilds[-3:], sep="\n  ")


if __name__ == "__main__":
    main()
