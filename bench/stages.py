"""A cold build's steps one after another in one process, without forking: each step's CPU seconds and
the process's peak memory after it. `sitegen build` runs related papers, the search index and half the
pages in forked children, so its `-v` wall times mix the steps; this says what each one costs alone.

    .venv/bin/python bench/stages.py DIR      (DIR: a project, e.g. one made by bench/corpus.py)
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from pathlib import Path

from sitegen.build import Builder, BuildMode, data_files
from sitegen.cache import PaperViews, load_templates, template_sources
from sitegen.config import load_config
from sitegen.model import load_site
from sitegen.pages import site_pages
from sitegen.related import TOP_K, Vocabulary, curate, related_papers
from sitegen.render import Renderer, asset_versions


class Steps:
    def __init__(self) -> None:
        self.cpu = time.process_time()

    def done(self, name: str) -> None:
        now = time.process_time()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
        print(f"{name:>24}  {now - self.cpu:7.2f} s CPU  peak {peak:6d} MB", flush=True)
        self.cpu = time.process_time()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("root", type=Path)
    root = parser.parse_args().root
    gc.disable()  # as a build does (see sitegen.processes.collector_paused)
    steps = Steps()
    config = load_config(root)[0]
    site = load_site(config, {})
    steps.done("load")
    views = PaperViews()(site.papers)
    steps.done("markdown")
    computed = related_papers(site.papers, TOP_K, Vocabulary())
    related = {p.slug: curate(p, computed.get(p.slug, ()), site.by_slug) for p in site.papers}
    steps.done("related")
    data_files(site, views, None, None)
    steps.done("search index, data files")
    pages = site_pages(site, views, related)
    steps.done("page list")
    templates = load_templates(config.templates_dir, template_sources(config.templates_dir))
    statics = Builder(config, BuildMode.BUILD)._static_files()
    renderer = Renderer(templates.env, config, asset_versions(statics))
    gc.freeze()
    size = sum(len(renderer.render(page)) for page in pages)
    steps.done(f"render ({size >> 20} MB)")


if __name__ == "__main__":
    main()
