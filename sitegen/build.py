"""The build: a short, flat list of named and timed steps from content to a written site."""

from __future__ import annotations

import enum
import gc
import itertools
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from sitegen import mylist, search
from sitegen.buildcache import BuildCache, open_cache, recorded, shared_writer
from sitegen.cache import (
    AssetSlots,
    Memo,
    PaperViews,
    RenderedPage,
    Templates,
    load_templates,
    template_sources,
)
from sitegen.config import Config
from sitegen.content import FileCache
from sitegen.errors import Problem, SitegenError, failures_as_problems
from sitegen.model import Site, load_site
from sitegen.pages import site_pages
from sitegen.processes import collector_paused, in_child, in_process
from sitegen.related import TOP_K, Related, Vocabulary, curate, related_papers
from sitegen.render import Page, PaperView, Renderer, asset_versions, static_files
from sitegen.search_state import Assembled, KeptIndex
from sitegen.write import (
    Linked,
    Output,
    check_output,
    input_stamp,
    update_linked,
    write_site,
)

T = TypeVar("T")
# Pages from which a one-shot build renders on both cores: a fork and a pipe cost about what rendering
# a few dozen pages does.
SHARED_FROM = 200


@dataclass
class Timings:
    steps: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.steps.append((name, time.perf_counter() - start))


def papers_json(site: Site, views: dict[str, PaperView]) -> bytes:
    """Every visible paper with all its fields: the machine-readable export."""
    records = []
    for paper in site.papers:
        view = views[paper.slug]
        records.append(
            {
                "id": paper.id,
                "slug": paper.slug,
                "url": f"papers/{paper.slug}/",
                "title": paper.title,
                "title_text": view.title_text,
                "theme": paper.theme,
                "abstract": view.abstract_text,
                "abstract_markdown": paper.abstract,
                "sources": [s.to_yaml() for s in paper.sources],
                "added": paper.added,
                "status": paper.status,
                "tags": list(paper.tags),
                "notes": paper.notes,
                "arxiv": paper.arxiv,
                "published": paper.published,
                "code": paper.code,
            }
        )
    return (
        json.dumps({"papers": records}, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8") + b"\n"
    )


@dataclass(frozen=True)
class Rendered:
    """One build's output, before it is written."""

    # (relative path, bytes) in a fixed order; a one-shot build renders pages as this is iterated
    files: Iterable[tuple[str, bytes]]
    warnings: tuple[Problem, ...]
    site: Site
    pages_rendered: int  # pages whose bytes were produced anew (the rest came from the previous build)
    pages: int  # pages in all
    # With ``BuildMode.PREVIEW``: makes the data files that ``files`` holds from the previous
    # build (the search index, its manifest, papers.json, papers.bib, the reading list's data); call it
    # once the pages are out.
    later: Callable[[], list[tuple[str, bytes]]] | None = None
    lagging: frozenset[str] = frozenset()  # the paths of ``files`` that ``later`` brings up to date
    # A one-shot build of a large site: pages rendered and written on the other core, not in ``files``.
    shared: Iterable[tuple[str, bytes]] = ()


class BuildMode(enum.Enum):
    """What a Builder is for, which decides what it keeps between renders and when it does what."""

    BUILD = "build"  # `sitegen build`: one shot, pages streamed to the writer, the search index forked
    CHECK = "check"  # `sitegen check`: one shot, everything rendered, nothing written (not even a cache)
    PREVIEW = "preview"  # `sitegen serve`: long-lived, pages remembered, the search index after the pages

    @property
    def remembers(self) -> bool:
        """Whether pages are kept as rendered for the next render. A one-shot build does without, which
        spares a large site a second copy of its pages in memory."""
        return self is BuildMode.PREVIEW

    @property
    def forks(self) -> bool:
        """Whether related papers, the search index and half the pages of a large site are made in forked
        children (on the second core). Only in a single-threaded process: a fork copies no other thread
        and could inherit a lock one held."""
        return self is BuildMode.BUILD and hasattr(os, "fork")

    @property
    def data_later(self) -> bool:
        """Whether an edited page is shown before the search index catches up (see ``Rendered``)."""
        return self is BuildMode.PREVIEW


class Builder:
    """Renders a site and remembers what it rendered, so that a rebuild redoes only what changed.

    `sitegen build` uses a fresh one; `sitegen serve` keeps one for its whole session. A page is reused
    when its key (its declared context), its templates, the config and the asset versions are unchanged,
    so the output after any sequence of edits equals a clean build."""

    def __init__(self, config: Config, mode: BuildMode, cache: BuildCache | None = None) -> None:
        self.config = config
        self.mode = mode
        self.cache = cache  # the persistent cache of a one-shot build (see ``sitegen.buildcache``)
        self._files: FileCache = cache.parsed_papers() if cache else {}
        self._keys: dict[str, str] = {}  # each page's key in ``cache``, by path
        self._views = PaperViews()
        self._similar: Memo[dict[str, tuple[Related, ...]]] = Memo()
        self._search: Memo[dict[str, bytes]] = Memo()
        self._templates: Memo[Templates] = Memo()
        self._vocabulary = Vocabulary()
        self._pages: dict[str, RenderedPage] = {}
        self._pages_assets: Mapping[str, str] = {}  # the asset versions self._pages were filled with
        self._fresh = 0  # pages rendered anew by the last render
        self._assets = AssetSlots()
        self._data: dict[str, bytes] = {}  # the data files of the last build

    def _environment(self) -> Templates:
        """Kept while no template changes, so a rebuild neither recompiles nor re-parses them."""
        config = self.config
        sources = template_sources(config.templates_dir)
        return self._templates(sources, lambda: load_templates(config.templates_dir, sources))

    def _related_job(self, site: Site) -> Callable[[], dict[str, tuple[Related, ...]]]:
        """Start relating papers (on the other core in a one-shot build, while this one renders Markdown);
        returns a function that waits for each paper's related list. Similarities are recomputed only
        when some title or abstract changed."""
        texts = tuple((p.slug, p.title, p.abstract) for p in site.papers)
        # Extra candidates so that a curator's pins and hides still leave a full list.
        extra = max((len(p.pinned) + len(p.hidden) for p in site.papers), default=0)
        source = (texts, extra)
        kept = self._similar.get(source)
        if kept is None and self.cache:
            kept = self.cache.related(source)
        run = in_child if self.mode.forks else in_process
        relate = self.cache.relate if self.cache else partial(related_papers, vocabulary=self._vocabulary)
        job = in_process(lambda: kept) if kept is not None else run(relate, site.papers, TOP_K + extra)

        def finish() -> dict[str, tuple[Related, ...]]:
            found = self.cache.keep_related(source, job()) if self.cache else job()
            computed = self._similar.keep(source, found)
            return {p.slug: curate(p, computed.get(p.slug, ()), site.by_slug) for p in site.papers}

        return finish

    def render(self, timings: Timings) -> Rendered:
        """Render the site; any failure (a template's mistake too) is raised as a SitegenError."""
        with collector_paused(), failures_as_problems():
            return self._render(timings)

    def _render(self, timings: Timings) -> Rendered:
        with timings.step("load"):
            site = load_site(self.config, self._files)
            if self.cache:
                self.cache.keep_papers(self._files)
        related_job = self._related_job(site)
        with timings.step("markdown"):
            views = self.cache.views(site.papers) if self.cache else self._views(site.papers)
        # Made on the second core beside related papers (the slowest steps side by side), or after the
        # pages when the preview server asks for them later.
        deferred = self.mode.data_later and bool(self._data)
        data_job = None if deferred else self._data_job(site, views)
        with timings.step("related"):
            related = related_job()
        with timings.step("pages"):
            statics = self._static_files()
            assets = asset_versions(statics)
            listed = site_pages(site, views, related)
            count = len(listed)
            kept: list[tuple[str, Linked]] = []
            if self.cache:
                fingerprints = self._environment().fingerprints
                listed, kept, self._keys = self.cache.split(listed, fingerprints, assets)
            shared: Iterable[tuple[str, Output]] = ()
            if self.mode.forks and len(listed) >= SHARED_FROM:
                # Every other page, rendered and written by a child (see ``build``).
                listed, others = listed[0::2], listed[1::2]
                shared = rendered_as_written(self._outputs(self._render_pages(others, assets)))
            rendered = self._render_pages(listed, assets)
        # A one-shot build renders each page as it is written: the whole site is never in memory at once.
        files: Iterable[tuple[str, Output]] = itertools.chain(
            kept,
            self._outputs(rendered),
            [(f"static/{name}", data) for name, data in statics.items()],
            self._data_files(data_job),
        )
        files = list(files) if self.mode.remembers else rendered_as_written(files)
        later = (lambda: list(self._data_job(site, views)().items())) if deferred else None
        fresh = self._fresh if self.mode.remembers else count - len(kept)
        lagging = frozenset(self._data) if deferred else frozenset()
        return Rendered(files, site.warnings, site, fresh, count, later, lagging, shared)

    def _outputs(self, rendered: Iterable[tuple[str, RenderedPage]]) -> Iterator[tuple[str, Output]]:
        """Each page's bytes; with a cache, kept there and linked into the site from there."""
        for path, page in rendered:
            if self.cache is None:
                yield path, page.final
            else:
                yield path, self.cache.keep_page(self._keys[path], page.final, page.assets, page.versions)

    def _static_files(self) -> dict[str, bytes]:
        static_dir = self.config.static_dir
        statics = {p.relative_to(static_dir).as_posix(): p.read_bytes() for p in static_files(static_dir)}
        statics[search.LUNR_FILE] = vendored_lunr(self.config)
        return statics

    def _render_pages(self, pages: list[Page], assets: dict[str, str]) -> Iterable[tuple[str, RenderedPage]]:
        """Render ``pages`` with these asset versions (content-hashed, so browsers never keep stale ones)."""
        templates = self._environment()
        assets_changed = assets != self._pages_assets
        self._assets.urls = assets
        renderer = Renderer(templates.env, self.config, self._assets)
        rendered = self._page_entries(pages, renderer, templates, assets_changed)
        if not self.mode.remembers:
            return rendered
        self._pages = dict(rendered)
        self._pages_assets = assets
        return self._pages.items()

    def _page_entries(
        self, pages: list[Page], renderer: Renderer, templates: Templates, assets_changed: bool
    ) -> Iterator[tuple[str, RenderedPage]]:
        """Each page's entry, rendered anew only when its key, template or asset versions changed."""
        slots, assets = self._assets, self._assets.urls
        self._fresh = 0
        gc.freeze()  # what lives now outlives the pages: each render's collection skips it (see Renderer)
        for page in pages:
            key = (self.config, page.template, templates.fingerprints[page.template], page.context)
            cached = self._pages.get(page.path)
            if cached is not None and cached.key == key and not assets_changed:
                yield page.path, cached  # the usual case in a rebuild: nothing to look at
                continue
            if cached is None or cached.key != key or any(n not in assets for n in cached.assets):
                slots.used = set()
                raw = renderer.render(page)
                cached = RenderedPage(key, raw, tuple(sorted(slots.used)), (), b"")
                self._fresh += 1
            versions = tuple(assets[n] for n in cached.assets)
            if versions != cached.versions or not cached.final:
                raw = cached.raw if self.mode.remembers else b""
                cached = replace(cached, raw=raw, versions=versions, final=slots.fill(cached.raw))
            yield page.path, cached

    def _data_files(self, job: Callable[[], dict[str, bytes]] | None) -> Iterator[tuple[str, bytes]]:
        """The data files, waited for once every page is written (the second core makes them while this
        one renders): part of the "pages+write" step."""
        if job is not None:
            job()
        yield from self._data.items()

    def _data_job(self, site: Site, views: dict[str, PaperView]) -> Callable[[], dict[str, bytes]]:
        """Start making the data files (the search index is reused while nothing searchable changed);
        returns a function that waits for them and keeps them."""
        key = search.search_key(site, views)
        kept = self._search.get(key)
        if kept is None and self.cache:
            kept = self.cache.search(key)
        assemble = self.cache.search_assembler() if self.cache else None
        job = (in_child if self.mode.forks else in_process)(data_files, site, views, kept, assemble)

        def finish() -> dict[str, bytes]:
            index, self._data, assembled = job()
            self._search.keep(key, index)
            if self.cache:
                self.cache.keep_search(key, index, assembled)
            return self._data

        return finish


def rendered_as_written(files: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    """``files`` as they are rendered, a page's failure raised as a SitegenError like any other."""
    with failures_as_problems():
        yield from files


def data_files(
    site: Site, views: dict[str, PaperView], index: dict[str, bytes] | None, assemble: KeptIndex | None
) -> tuple[dict[str, bytes], dict[str, bytes], Assembled]:
    """The search index (``index`` when still current, else made anew, by ``assemble`` from the last
    build's when given) by name under static/, every data file by output path: the index, the manifest
    that names its versions, papers.json, papers.bib and the reading list's scripts (see
    ``sitegen.mylist``), and what ``assemble`` kept for the next build."""
    if index is None:
        index = search.search_files(site, views, assemble=assemble or search.Inverted.of)
    files = {f"static/{name}": data for name, data in index.items()}
    # Pages name the index files through this manifest (which search.js always fetches fresh), so an
    # edit to one abstract changes the index's versions without touching every page.
    files[f"static/{search.MANIFEST_FILE}"] = search.manifest(asset_versions(index))
    files["papers.json"] = papers_json(site, views)
    files["papers.bib"] = mylist.citations_bib(site)
    files[mylist.DATA_FILE] = mylist.list_data(site, views)
    files[mylist.BIBTEX_FILE] = mylist.bibtex_data(site)
    return index, files, assemble.kept() if assemble else None


def vendored_lunr(config: Config) -> bytes:
    """lunr.js comes from npm (package-lock.json) and is copied into every built site, never committed."""
    path = config.lunr_file
    try:
        return path.read_bytes()
    except OSError:
        raise SitegenError(
            Problem(path, "is missing; search needs lunr.js from npm: run `npm ci` in the project folder")
        ) from None


def build(
    config: Config,
    output: Path,
    strict: bool = False,
    report: Callable[[str], None] | None = None,
    stamp: str | None = None,
    use_cache: bool = True,
) -> tuple[int, tuple[Problem, ...]]:
    """Build the site into ``output``; returns the number of files written and the content's warnings.
    With ``strict``, warnings fail the build before anything is written. ``stamp`` (see
    ``sitegen.write.input_stamp``) is recorded so that the next build can tell nothing changed. With
    ``use_cache``, what is unchanged since the last build is reused from ``.sitegen-cache/`` (see
    ``sitegen.buildcache``); without, nothing is read from it or written to it."""
    check_output(output)  # before the work, not after it
    timings = Timings()
    with timings.step("open"):  # the cache's tables, and the kept parse of each unchanged paper
        opened = open_cache(config) if use_cache else None
        cache = opened if isinstance(opened, BuildCache) else None
        builder = Builder(config, BuildMode.BUILD, cache)
    rendered = builder.render(timings)
    if strict and rendered.warnings:
        raise SitegenError(
            [*rendered.warnings, Problem(output, "--strict: warnings are errors; the previous site is kept")]
        )
    stamp = stamp if stamp is not None else input_stamp(config, strict)
    paths: list[str] = []  # what the build put in ``output``, for the cache
    with timings.step("pages+write"), collector_paused():
        previous = cache.previous_output(output) if cache and not rendered.shared else None
        files = rendered.files if cache is None else cache.kept(recorded(rendered.files, paths))
        if previous is not None:  # few pages rendered: the site is updated in place
            files = list(files)  # everything rendered before anything is written
        if previous is not None and all(isinstance(data, Linked) for _, data in files):
            count = update_linked(output, files, previous, stamp)  # type: ignore[arg-type]
        else:
            count = write_site(
                output,
                files,
                stamp,
                shared_writer(rendered.shared, cache, paths) if rendered.shared else None,
            )
    if cache:
        with timings.step("cache"):
            cache.keep_output(output, paths)
            cache.finish()
    if report:
        for name, seconds in timings.steps:
            report(f"{name:>10}  {seconds * 1000:8.1f} ms")
        report(f"{'total':>10}  {sum(s for _, s in timings.steps) * 1000:8.1f} ms")
        report(f"{'rendered':>10}  {rendered.pages_rendered} of {rendered.pages} pages")
    return count, (*rendered.warnings, *([opened] if isinstance(opened, Problem) else []))
