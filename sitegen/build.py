"""The build: a short, flat list of named and timed steps from content to a written site."""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import os
import pickle
import re
import secrets
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import jinja2
import jinja2.meta

from sitegen import search
from sitegen.config import Config
from sitegen.content import FileCache, Paper
from sitegen.errors import Problem, SitegenError
from sitegen.model import Site, load_site
from sitegen.related import TOP_K, Related, Vocabulary, curate, related_papers
from sitegen.render import (
    Page,
    PaperView,
    Renderer,
    asset_versions,
    make_environment,
    site_pages,
    static_files,
    view_paper,
)
from sitegen.template_check import template_problems
from sitegen.write import check_output, input_stamp, write_site

T = TypeVar("T")
# A rendered page: (key, bytes with asset placeholders, assets linked, their versions, final bytes).
PageEntry = tuple[Hashable, bytes, tuple[str, ...], tuple[str, ...], bytes]


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
    # With ``Builder(data_later=True)``: makes the data files that ``files`` holds from the previous
    # build (the search index, its manifest, papers.json); call it once the pages are out.
    later: Callable[[], list[tuple[str, bytes]]] | None = None


def template_sources(templates_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(templates_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(templates_dir.rglob("*"))
        if p.is_file()
    }


def template_fingerprints(env: jinja2.Environment, sources: Mapping[str, str]) -> dict[str, str]:
    """A hash per template of its source and of every template it extends, includes or imports."""
    referenced = {
        name: {r for r in jinja2.meta.find_referenced_templates(env.parse(src)) if r}
        for name, src in sources.items()
    }

    def closure(name: str, seen: set[str]) -> set[str]:
        if name not in seen:
            seen.add(name)
            for other in referenced.get(name, ()):
                closure(other, seen)
        return seen

    return {
        name: hashlib.sha256("\0".join(sources[n] for n in sorted(closure(name, set()))).encode()).hexdigest()
        for name in sources
    }


class AssetSlots(Mapping[str, str]):
    """Asset URLs as placeholders while a page renders, filled in afterwards. A page is rendered once and
    an asset's new version (the search index's, after any title edit) costs a substitution, not a render.
    Placeholders are [a-z0-9-] only, so escaping leaves them intact, and they never reach the output."""

    def __init__(self) -> None:
        self.urls: Mapping[str, str] = {}
        self.used: set[str] = set()
        self._nonce = secrets.token_hex(6)
        self._names: list[str] = []
        self._slots: dict[str, str] = {}
        self._pattern = re.compile(rf"sitegen-asset-{self._nonce}-(\d+)-".encode())

    def __getitem__(self, name: str) -> str:
        self.urls[name]  # an unknown asset fails the render as before
        self.used.add(name)
        if name not in self._slots:
            self._slots[name] = f"sitegen-asset-{self._nonce}-{len(self._names)}-"
            self._names.append(name)
        return self._slots[name]

    def __iter__(self) -> Iterator[str]:
        self.used.update(self.urls)  # a template that lists them all depends on them all
        return iter(self.urls)

    def __len__(self) -> int:
        return len(self.urls)

    def fill(self, raw: bytes) -> bytes:
        filled = self._pattern.sub(lambda m: self.urls[self._names[int(m.group(1))]].encode(), raw)
        if self._nonce.encode() in filled:  # a template mangled a placeholder (sliced it, say)
            raise SitegenError("internal error: a template altered an asset URL; report this as a bug")
        return filled


class Builder:
    """Renders a site and remembers what it rendered, so that a rebuild redoes only what changed.

    `sitegen build` uses a fresh one; `sitegen serve` keeps one for its whole session. A page is reused
    when its key (the content it shows), its templates, the config and the asset versions are unchanged,
    so the output after any sequence of edits equals a clean build."""

    def __init__(
        self,
        config: Config,
        parallel: bool = False,
        template_cache: Path | None = None,
        data_later: bool = False,
        remember: bool = True,
    ) -> None:
        self.config = config
        # Whether pages are kept as rendered (before asset URLs are filled in) for the next rebuild; a
        # one-shot build does without, which spares a large site a second copy of its pages in memory.
        self.remember = remember
        self.template_cache = template_cache  # where compiled templates are kept between processes
        # The preview server shows an edited page before the search index catches up (see ``Rendered``).
        self.data_later = data_later
        # Fork a child for the search index: only in a single-threaded process (sitegen build), since a
        # fork copies no other thread and could inherit a lock one of them held (the server's threads).
        self.parallel = parallel and hasattr(os, "fork")

        self._views: dict[int, tuple[Paper, PaperView]] = {}  # id(paper) -> (paper, its view)
        self._files: FileCache = {}
        self._pages: dict[str, PageEntry] = {}
        self._pages_assets: Mapping[str, str] = {}  # the asset versions self._pages were filled with
        self._fresh = 0  # pages rendered anew by the last render
        self._assets = AssetSlots()
        self._search: tuple[Hashable, dict[str, bytes]] = ((), {})
        self._data: dict[str, bytes] = {}  # the data files of the last build
        self._similar: tuple[Hashable, dict[str, tuple[Related, ...]]] = ((), {})
        self._vocabulary = Vocabulary()
        self._templates: tuple[dict[str, str], jinja2.Environment, dict[str, str]] | None = None

    def _environment(self) -> tuple[jinja2.Environment, dict[str, str]]:
        """The Jinja environment and template fingerprints, kept while no template changes (so a rebuild
        neither recompiles nor re-parses them)."""
        sources = template_sources(self.config.templates_dir)
        if self._templates is None or self._templates[0] != sources:
            env = make_environment(self.config.templates_dir, self.template_cache)
            if problems := template_problems(env, sources, self.config.templates_dir):
                raise SitegenError(problems)
            self._templates = (sources, env, template_fingerprints(env, sources))
        return self._templates[1], self._templates[2]

    def _related(self, site: Site) -> dict[str, tuple[Related, ...]]:
        """Each paper's related list: similarities are recomputed only when some title or abstract changed."""
        key = tuple((p.slug, p.title, p.abstract) for p in site.papers)
        # Extra candidates so that a curator's pins and hides still leave a full list.
        extra = max((len(p.pinned) + len(p.hidden) for p in site.papers), default=0)
        if self._similar[0] != (key, extra):
            self._similar = ((key, extra), related_papers(site.papers, TOP_K + extra, self._vocabulary))
        computed = self._similar[1]
        return {p.slug: curate(p, computed.get(p.slug, ()), site.by_slug) for p in site.papers}

    def render(self, timings: Timings) -> Rendered:
        with collector_paused():
            return self._render(timings)

    def _render(self, timings: Timings) -> Rendered:
        config = self.config
        with timings.step("load"):
            site = load_site(config, self._files)
        with timings.step("markdown"):
            # By identity: an unchanged file gives the very same Paper, and hashing a Paper hashes every
            # field (a tenth of this step at 10,000 papers). The entry keeps its Paper, so ids are not reused.
            known, self._views, views = self._views, {}, {}
            for paper in site.papers:
                entry = known.get(id(paper))
                view = entry[1] if entry is not None and entry[0] is paper else view_paper(paper)
                self._views[id(paper)] = (paper, view)
                views[paper.slug] = view
        # Made on the second core while this one relates papers (the slowest steps side by side), or
        # after the pages when the preview server asks for them later.
        deferred = self.data_later and bool(self._data)
        data_job = None if deferred else self._data_job(site, views)
        with timings.step("related"):
            related = self._related(site)
        if data_job is not None:
            with timings.step("data"):
                data_job()
        with timings.step("pages"):
            statics = {
                p.relative_to(config.static_dir).as_posix(): p.read_bytes()
                for p in static_files(config.static_dir)
            }
            statics[search.LUNR_FILE] = vendored_lunr(config)
            assets = asset_versions(statics)  # versioned, so browsers never keep stale ones
            env, fingerprints = self._environment()
            assets_changed = assets != self._pages_assets
            self._assets.urls = assets
            renderer = Renderer(env, site, views, self._assets)
            listed = site_pages(site, views, related)
            rendered = self._render_pages(listed, renderer, fingerprints, assets_changed)
            if self.remember:
                self._pages = dict(rendered)
                self._pages_assets = assets
                rendered = iter(self._pages.items())
        # A one-shot build renders each page as it is written: the whole site is never in memory at once.
        files: Iterable[tuple[str, bytes]] = itertools.chain(
            ((path, cached[4]) for path, cached in rendered),
            [(f"static/{name}", data) for name, data in statics.items()],
            self._data.items(),
        )
        if self.remember:
            files = list(files)
        later = (lambda: list(self._data_job(site, views)().items())) if deferred else None
        fresh = self._fresh if self.remember else len(listed)
        return Rendered(files, site.warnings, site, fresh, later)

    def _render_pages(
        self, pages: list[Page], renderer: Renderer, fingerprints: dict[str, str], assets_changed: bool
    ) -> Iterator[tuple[str, PageEntry]]:
        """Each page's entry, rendered anew only when its key, template or asset versions changed."""
        slots, assets = self._assets, self._assets.urls
        self._fresh = 0
        for page in pages:
            key = (self.config, fingerprints[page.template], page.key)
            cached = self._pages.get(page.path)
            if cached is not None and cached[0] == key and not assets_changed:
                yield page.path, cached  # the usual case in a rebuild: nothing to look at
                continue
            if cached is None or cached[0] != key or any(n not in assets for n in cached[2]):
                slots.used = set()
                raw = renderer.render(page)
                cached = (key, raw, tuple(sorted(slots.used)), (), b"")
                self._fresh += 1
            versions = tuple(assets[n] for n in cached[2])
            if versions != cached[3] or not cached[4]:
                raw = cached[1] if self.remember else b""
                cached = (cached[0], raw, cached[2], versions, slots.fill(cached[1]))
            yield page.path, cached

    def _data_job(self, site: Site, views: dict[str, PaperView]) -> Callable[[], dict[str, bytes]]:
        """Start making the data files (the search index is reused while nothing searchable changed);
        returns a function that waits for them and keeps them."""
        key = search.search_key(site, views)
        index = self._search[1] if self._search[0] == key else None
        job = (in_child if self.parallel else in_process)(data_files, site, views, index)

        def finish() -> dict[str, bytes]:
            index, self._data = job()
            self._search = (key, index)
            return self._data

        return finish


def data_files(
    site: Site, views: dict[str, PaperView], index: dict[str, bytes] | None
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The search index (``index`` when still current, else made anew) by name under static/, and every
    data file by output path: the index, the manifest that names its versions, papers.json."""
    index = index or search.search_files(site, views)
    files = {f"static/{name}": data for name, data in index.items()}
    # Pages name the index files through this manifest (which search.js always fetches fresh), so an
    # edit to one abstract changes the index's versions without touching every page.
    files[f"static/{search.MANIFEST_FILE}"] = search.manifest(asset_versions(index))
    files["papers.json"] = papers_json(site, views)
    return index, files


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector walks every live object, and a build keeps a great many alive while it
    allocates millions more (few of them in cycles): rendering 10,000 papers spent a third of its time
    there. It waits until the build is done; what survived is then frozen, so that later collections
    (the preview server's next rebuild) skip it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def collect_frozen_garbage() -> None:
    """Frozen objects are never examined, so cycles a build left behind stay until this full collection
    (a long-running preview server calls it now and then, between rebuilds)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def in_process(function: Callable[..., T], *args: object) -> Callable[[], T]:
    """``in_child``'s serial twin: the work runs when its result is asked for."""
    return lambda: function(*args)


def in_child(function: Callable[..., T], *args: object) -> Callable[[], T]:
    """Start ``function(*args)`` in a forked child process (the other core); returns a function that waits
    for its result. The child inherits the arguments, and only the result crosses a pipe."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: coverage cannot follow it
        os.close(reader)
        try:
            try:
                data = pickle.dumps((True, function(*args)))
            except BaseException as exc:  # the parent re-raises it, with the build's usual handling
                data = pickle.dumps((False, exc))
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(writer)

    def result() -> T:
        with os.fdopen(reader, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        if not data:
            raise SitegenError("the search index process died; run the build again")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    return result


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
) -> tuple[int, tuple[Problem, ...]]:
    """Build the site into ``output``; returns the number of files written and the content's warnings.
    With ``strict``, warnings fail the build before anything is written. ``stamp`` (see
    ``sitegen.write.input_stamp``) is recorded so that the next build can tell nothing changed."""
    check_output(output)  # before the work, not after it
    timings = Timings()
    builder = Builder(config, parallel=True, template_cache=config.cache_dir / "jinja", remember=False)
    rendered = builder.render(timings)
    if strict and rendered.warnings:
        raise SitegenError(
            [*rendered.warnings, Problem(output, "--strict: warnings are errors; the previous site is kept")]
        )
    with timings.step("pages+write"), collector_paused():
        count = write_site(
            output, rendered.files, stamp if stamp is not None else input_stamp(config, strict)
        )
    if report:
        for name, seconds in timings.steps:
            report(f"{name:>10}  {seconds * 1000:8.1f} ms")
        report(f"{'total':>10}  {sum(s for _, s in timings.steps) * 1000:8.1f} ms")
    return count, rendered.warnings
