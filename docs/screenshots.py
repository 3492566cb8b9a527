"""Regenerate docs/screenshots/*.png: the shipped site built into a temporary folder, served on 127.0.0.1
and photographed by Playwright in Debian's Chromium at desktop (1280 px) and phone (375 px) widths.

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

# The same browser set-up and pages as the accessibility tests.
from conftest import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402
from test_quality import PAGES  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZES = {"1280": (1280, 900), "375": (375, 812)}
DARK = [("home", "1280"), ("paper", "375"), ("my", "1280")]  # a few in the dark scheme too
# The reader's list, after saving a few papers of one theme and marking two of them read.
MY_LIST = ("my", "my/", "#my-list[data-ready] #my-papers li .mylist button")
SAVE_FROM = "themes/efficiency/"


def save_some_papers(page, base: str) -> None:
    page.goto(base + SAVE_FROM)
    page.wait_for_selector(".paper-card .mylist button")
    holders = page.locator(".paper-card .mylist")
    for i in range(5):
        holders.nth(i).locator("[data-toggle=save]").click()
    for i in (0, 2):
        holders.nth(i).locator("[data-toggle=read]").click()


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "--output", str(site)], cwd=ROOT, check=True
        )
        pages = [*PAGES, MY_LIST]
        shots = [(name, path, ready, size, "light") for name, path, ready in pages for size in SIZES]
        shots += [(n, p, r, size, "dark") for n, p, r in pages for name, size in DARK if name == n]
        with serve_folder(site) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, path, ready, size, scheme in shots:
                width, height = SIZES[size]
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=scheme,
                    device_scale_factor=1,
                )
                page = context.new_page()
                if name == MY_LIST[0]:
                    save_some_papers(page, base)
                page.goto(base + path)
                page.wait_for_selector(ready)
                page.wait_for_timeout(400)  # let the full search index replace the titles-only one
                file = OUT / f"{name}-{size}{'-dark' if scheme == 'dark' else ''}.png"
                page.screenshot(path=str(file))
                print(file.relative_to(ROOT))
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
