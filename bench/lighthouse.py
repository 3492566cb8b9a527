"""Lighthouse scores of the shipped site (a benchmark: it prints figures, it does not fail on them).

Builds the shipped content with a full ``--base-url http://127.0.0.1:PORT/`` (so canonical links, the
sitemap and robots.txt are absolute, as on a real host), serves it on that port and runs the npm
``lighthouse`` CLI in Debian's Chromium on the home page and a paper page.

    .venv/bin/python bench/lighthouse.py                 # mobile (Lighthouse's default, throttled)
    .venv/bin/python bench/lighthouse.py --preset desktop
    .venv/bin/python bench/lighthouse.py --runs 3        # the median of three runs per page
    .venv/bin/python bench/lighthouse.py --as-configured # the `make site` build: sitegen.yaml's base_url
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking"
FLAGS += " --disable-component-update --disable-sync --no-first-run"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = {
    "home": "",
    "paper": "papers/pangu-pi-enhancing-language-model-architectures-via-nonlinearity-compensation/",
    "my list": "my/",
}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def audit(url: str, preset: str) -> dict:
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--chrome-flags={FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ, "CHROME_PATH": CHROMIUM}
    )
    if result.returncode != 0:
        sys.exit(f"lighthouse failed on {url}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--as-configured",
        action="store_true",
        help="build with sitegen.yaml's base_url, as `make site` does, not with the full local URL",
    )
    args = parser.parse_args()
    for need, hint in ((LIGHTHOUSE, "run `npm ci`"), (Path(CHROMIUM), "apt-get install chromium")):
        if not need.exists():
            sys.exit(f"{need} is missing: {hint}")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build = [sys.executable, "-m", "sitegen", "build", "--output", str(site)]
        build += [] if args.as_configured else ["--base-url", base]
        subprocess.run(build, cwd=ROOT, check=True, capture_output=True)
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", port), functools.partial(Quiet, directory=str(site))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            scores: dict[str, dict[str, float]] = {}
            problems: dict[str, set[str]] = {}
            for name, path in PAGES.items():
                runs = [audit(base + path, args.preset) for _ in range(args.runs)]
                scores[name] = {
                    c: statistics.median(r["categories"][c]["score"] for r in runs) for c in CATEGORIES
                }
                problems[name] = {
                    f"{a['id']} ({a['score']})"
                    for r in runs
                    for a in r["audits"].values()
                    if a.get("scoreDisplayMode") in ("binary", "numeric")
                    and a.get("score") not in (None, 1)
                    and not a["id"].endswith("-insight")
                }
                metrics = runs[-1]["audits"]
                print(
                    f"{name}: FCP {metrics['first-contentful-paint']['displayValue']}, "
                    f"LCP {metrics['largest-contentful-paint']['displayValue']}, "
                    f"TBT {metrics['total-blocking-time']['displayValue']}, "
                    f"CLS {metrics['cumulative-layout-shift']['displayValue']}",
                    file=sys.stderr,
                )
        finally:
            server.shutdown()
            server.server_close()
    print(f"Lighthouse {runs[-1]['lighthouseVersion']}, {args.preset}, median of {args.runs} run(s)\n")
    print("| page | " + " | ".join(CATEGORIES) + " |")
    print("| --- |" + " --- |" * len(CATEGORIES))
    for name, row in scores.items():
        print(f"| {name} | " + " | ".join(f"{row[c]:.2f}" for c in CATEGORIES) + " |")
    for name, found in problems.items():
        if found:
            print(f"\n{name}: audits below 1: {', '.join(sorted(found))}")
    low = [f"{n} {c} {s:.2f}" for n, row in scores.items() for c, s in row.items() if s < 0.95]
    print("\nall scores >= 0.95" if not low else "\nbelow 0.95: " + ", ".join(low))


if __name__ == "__main__":
    main()
