"""What `sitegen build` reuses from the last build through the persistent store (``sitegen.store``): each
step's result kept under a digest of exactly what the step reads.

- parsed papers, by the file's path and bytes;
- each paper's rendered text (``PaperView``), by its title, abstract and notes;
- related papers, by every paper's title and abstract; the search files, by ``search.search_key``, and
  what assembles them (each paper's terms and the index, see ``sitegen.search_state``);
- each page, by its declared context, its template with every template that one extends, includes or
  imports, and the config (the store's salt adds sitegen's code and its libraries' versions); the page's
  bytes are reused while the asset versions it was filled with are still current.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from sitegen.config import Config
from sitegen.content import FileCache, signature
from sitegen.errors import Problem
from sitegen.frontmatter import Paper
from sitegen.processes import in_child
from sitegen.related import Related
from sitegen.related_state import KeptRelated, related_kept
from sitegen.render import Page, PaperView, view_paper
from sitegen.search_state import Assembled, KeptIndex
from sitegen.store import Store, decode, whole
from sitegen.write import MARKER, Linked, Output, write_files

COUNTS = "term counts"  # the related table's entry of the term counts (see ``sitegen.related_state``)
TABLES = ("papers", "views", "related", "search", "search_terms", "pages", "outputs")


class BuildCache:
    """One build's view of the store: what it found there, and what it will leave for the next build."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.old = {name: store.table(name) for name in TABLES}
        self.new: dict[str, dict[str, Any]] = {name: {} for name in (*TABLES, "files")}
        self._parsed: dict[str, tuple[object, list[Any]]] = {}  # path -> (result given out, its entry)
        self._sources: dict[int, tuple[object, str]] = {}  # id -> (a step's input, its key)
        self._kept: dict[int, tuple[bytes, list[Any]]] = {}  # id -> (data file, its entry)
        self._last: dict[str, list[Any]] | None = None  # the last build's search files by digest

    # --- papers ----------------------------------------------------------------------------------

    def parsed_papers(self) -> FileCache:
        """The kept parse of each paper file whose bytes are unchanged, for ``load_site``; each Paper
        stands in page keys as the reference it was kept with (no need to encode it again). A file whose
        status is as it was when its parse was kept is not read again (see ``signature``)."""
        files: FileCache = {}
        for path, (digest, result, reference, known) in self.old["papers"].items():
            try:
                info = os.stat(path, follow_symlinks=False)
                if known is None or signature(info) != known:
                    with open(path, "rb") as file:
                        if hashlib.sha256(file.read()).hexdigest() != digest:
                            continue
                paper = None if result[0] is None else decode(result[0])
                problems = tuple(decode(tree) for tree in result[1])
                if not isinstance(paper, Paper | None) or not all(isinstance(p, Problem) for p in problems):
                    continue
                files[path] = ((info.st_mtime_ns, info.st_size, info.st_ino), (paper, problems))
                self._parsed[path] = (files[path][1], [digest, result, reference, signature(info)])
                if paper is not None and reference:
                    self.store.digests.seed(paper, reference)
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return files

    def keep_papers(self, files: FileCache) -> None:
        """Keep each file's parse with the digest of the bytes it was parsed from (read again here, and
        kept only if the file did not change in between), its status and the parsed Paper's reference."""
        for path, (stamp, result) in files.items():
            given = self._parsed.get(path)
            if given is not None and given[0] is result:  # read from the cache, and not again since
                self.new["papers"][path] = given[1]
                continue
            try:
                with open(path, "rb") as file:
                    info = os.fstat(file.fileno())
                    digest = hashlib.sha256(file.read()).hexdigest()
            except OSError:
                continue
            if (info.st_mtime_ns, info.st_size, info.st_ino) != stamp:
                continue
            paper = result[0]
            reference = None if paper is None else self.store.digests.reference(paper)
            self.new["papers"][path] = [digest, whole_result(result), reference, signature(info)]

    # --- paper views -----------------------------------------------------------------------------

    def views(self, papers: Sequence[Paper]) -> dict[str, PaperView]:
        old, new = self.old["views"], self.new["views"]
        digests = self.store.digests
        views = {}
        for paper in papers:
            key = digests.texts((paper.title, paper.abstract, paper.notes))
            view = _view(paper, old.get(key))
            if view is None:
                view = view_paper(paper)
            # A view is made from its Paper and the text that key digests: it stands as their digest.
            made_of = f"{type(view).__qualname__} {digests.reference(paper)[1]} {key}"
            digests.seed(view, ["v", hashlib.sha256(made_of.encode()).hexdigest()])
            new[key] = [
                view.title_html,
                view.title_text,
                view.abstract_html,
                view.abstract_text,
                view.notes_html,
            ]
            views[paper.slug] = view
        return views

    # --- related papers and the search files -----------------------------------------------------

    def _put(self, data: bytes) -> list[Any]:
        """``Store.put``, once per bytes object: the search files come back as the site's data files."""
        known = self._kept.get(id(data))
        if known is None or known[0] is not data:
            if self._last is None:  # the search files of the last build, most of them unchanged
                self._last = _by_digest(self.old["search"])
            known = self._kept[id(data)] = (data, self.store.put(data, self._last))
        return known[1]

    def _key(self, source: object) -> str:
        """A step's key, digested once however often it is asked for (a step's whole input is large)."""
        known = self._sources.get(id(source))
        if known is None or known[0] is not source:
            known = self._sources[id(source)] = (source, self.store.digests.texts(source))
        return known[1]

    def related(self, source: object) -> dict[str, tuple[Related, ...]] | None:
        key = self._key(source)
        if key == COUNTS:
            return None
        try:
            return {
                slug: tuple(Related(str(other), float(score), tuple(terms)) for other, score, terms in found)
                for slug, found in self.old["related"][key].items()
            }
        except (KeyError, AttributeError, TypeError, ValueError):
            return None

    def relate(self, papers: Sequence[Paper], k: int) -> KeptRelated:
        """``related.related_papers`` from the term counts the last build kept (in a child process: the
        counts it keeps come back with the lists, for ``keep_related``)."""
        return related_kept(papers, k, self.store, self.old["related"].get(COUNTS))

    def keep_related(
        self, source: object, related: Mapping[str, tuple[Related, ...]] | KeptRelated
    ) -> Mapping[str, tuple[Related, ...]]:
        """Keep the lists (``relate``'s, or those kept before) and the counts they were made from; returns
        the lists."""
        lists, counts = related if isinstance(related, tuple) else (related, self.old["related"].get(COUNTS))
        key = self._key(source)
        self.new["related"] = {key: {slug: [list(r) for r in found] for slug, found in lists.items()}}
        if counts:
            self.new["related"][COUNTS] = counts
        return lists

    def search(self, source: object) -> dict[str, bytes] | None:
        try:
            kept = self.old["search"][self._key(source)].items()
        except (KeyError, AttributeError):
            return None
        files = {name: self.store.read(entry) for name, entry in kept}
        return None if None in files.values() else files  # type: ignore[return-value]

    def keep_search(self, source: object, files: Mapping[str, bytes], assembled: Assembled) -> None:
        key = self._key(source)
        with contextlib.suppress(OSError):  # not kept, then
            self.new["search"] = {key: {name: self._put(data) for name, data in files.items()}}
        if assembled and assembled[0]:
            self.new["search_terms"] = {"index": assembled[0], "used": assembled[1]}

    def search_assembler(self) -> KeptIndex:
        """Assembles the search index from what the last build kept (see ``sitegen.search_state``)."""
        return KeptIndex(self.store, self.old["search_terms"].get("index"))

    # --- pages -----------------------------------------------------------------------------------

    def page_key(self, page: Page, fingerprint: str) -> str:
        return self.store.digests((self.config, page.path, page.template, fingerprint, page.context))

    def split(
        self, pages: list[Page], fingerprints: Mapping[str, str], assets: Mapping[str, str]
    ) -> tuple[list[Page], list[tuple[str, Linked]], dict[str, str]]:
        """The pages to render, the others as their kept files, and every page's key by path."""
        old, new = self.old["pages"], self.new["pages"]
        fresh, kept, keys = [], [], {}
        for page in pages:
            key = keys[page.path] = self.page_key(page, fingerprints[page.template])
            entry = old.get(key)
            linked = None
            if entry is not None and _current(entry, assets):
                linked = self.store.get(entry[0])
            if linked is None:
                fresh.append(page)
            else:
                new[key] = entry
                kept.append((page.path, linked))
        return fresh, kept, keys

    def keep_page(
        self, key: str, final: bytes, assets: Sequence[str], versions: Sequence[str]
    ) -> Linked | bytes:
        """The page kept in the store and linked from there; its bytes when the store cannot keep it."""
        try:
            entry = self.store.put(final)
        except OSError:
            return final
        self.new["pages"][key] = [entry, list(assets), list(versions)]
        return Linked(self.store.file(entry[0]), len(final))

    def merge(self, pages: dict[str, Any]) -> None:
        """Take in the pages a child process rendered and kept (see ``sitegen.build``)."""
        self.new["pages"].update(pages)

    # --- the output folder -----------------------------------------------------------------------

    def previous_output(self, output: Path) -> list[str] | None:
        """The files of ``output`` as this cache's last build into it left them, when it may be updated in
        place (see ``sitegen.write.update_linked``): its marker is the very file that build wrote (not
        one copied, restored or committed: a site from elsewhere is replaced whole), on the cache's file
        system (so that kept files can be linked)."""
        try:
            kept = self.old["outputs"][str(output.absolute())]
            info = os.lstat(output / MARKER)
            if [info.st_ino, info.st_mtime_ns, info.st_dev] != kept["marker"]:
                return None
            if os.lstat(self.store.folder).st_dev != info.st_dev:
                return None
            return [str(path) for path in kept["paths"]]
        except (OSError, KeyError, TypeError):
            return None

    def kept(self, files: Iterable[tuple[str, Output]]) -> Iterator[tuple[str, Output]]:
        """Each file as a kept one, linked into the site (bytes are kept here first), so that the next
        build can tell it is unchanged by its inode; its bytes where the store cannot keep it."""
        for path, data in files:
            if isinstance(data, Linked):
                yield path, data
                continue
            try:
                entry = self._put(data)
            except OSError:
                yield path, data
                continue
            self.new["files"][entry[0]] = entry
            yield path, Linked(self.store.file(entry[0]), len(data))

    def keep_output(self, output: Path, paths: list[str]) -> None:
        """What a build left in ``output``, for the next build's ``previous_output``."""
        with contextlib.suppress(OSError):
            info = os.lstat(output / MARKER)
            marker = [info.st_ino, info.st_mtime_ns, info.st_dev]
            self.new["outputs"] = {str(output.absolute()): {"paths": paths, "marker": marker}}

    def finish(self) -> None:
        """Leave this build's entries (only those: the rest is stale) for the next build. A cache that
        cannot be written is left as it is: the site is built anyway, and the next build checks it."""
        with contextlib.suppress(OSError):
            self._save()

    def _save(self) -> None:
        store = self.store
        for name in TABLES:
            if name in ("related", "search", "search_terms") and not self.new[name]:
                self.new[name] = self.old[name]  # not needed this time, kept for the next
            if self.new[name] != self.old[name]:  # an unchanged table is not written again
                store.save(name, self.new[name])
        store.used = {e[0][0] for e in self.new["pages"].values()} | set(self.new["files"])
        store.used |= {e[0] for files in self.new["search"].values() for e in files.values()}
        counts = self.new["related"].get(COUNTS)
        store.used |= {counts[0]} if isinstance(counts, list) and counts else set()
        used = self.new["search_terms"].get("used")
        store.used |= set(used) if isinstance(used, list) else set()
        store.sweep()


def _by_digest(table: dict[str, Any]) -> dict[str, list[Any]]:
    """The file entries of a table of {name: entry} maps, by digest (none when it is malformed)."""
    try:
        kept = [e for files in table.values() for e in dict(files).values()]
        return {e[0]: e for e in kept if isinstance(e, list) and e and isinstance(e[0], str)}
    except (TypeError, ValueError, AttributeError):
        return {}


def _current(entry: Any, assets: Mapping[str, str]) -> bool:
    try:
        _, names, versions = entry
        return [assets.get(n) for n in names] == versions
    except (TypeError, ValueError):
        return False


def _view(paper: Paper, kept: Any) -> PaperView | None:
    try:
        title_html, title_text, abstract_html, abstract_text, notes_html = (str(v) for v in kept)
    except (TypeError, ValueError):
        return None
    return PaperView(
        paper, Markup(title_html), title_text, Markup(abstract_html), abstract_text, Markup(notes_html)
    )


def whole_result(result: tuple[Paper | None, tuple[Any, ...]]) -> Any:
    paper, problems = result
    return [None if paper is None else whole(paper), [whole(p) for p in problems]]


def open_cache(config: Config) -> BuildCache | Problem:
    """This project's cache, or the warning that says why the build goes without one."""
    store = Store.open(config.cache_dir)
    if store is None:
        return Problem(
            config.cache_dir,
            "cannot be used safely (a file or a link where a folder should be, or no private folder for its"
            " key in ~/.cache/sitegen): this build neither reads nor writes a cache",
            severity="warning",
        )
    return BuildCache(store, config)


def recorded(files: Iterable[tuple[str, Output]], paths: list[str]) -> Iterator[tuple[str, Output]]:
    for path, data in files:
        paths.append(path)
        yield path, data


def shared_writer(
    files: Iterable[tuple[str, Output]], cache: BuildCache | None, paths: list[str]
) -> Callable[[Path], Callable[[], list[tuple[str, int]]]]:
    """For ``write_site``: write ``files`` in a child process; the pages it kept in the cache (and their
    paths) are taken in when it is done."""

    def start(staging: Path) -> Callable[[], list[tuple[str, int]]]:
        job = in_child(write_kept, staging, files, cache)

        def finish() -> list[tuple[str, int]]:
            sizes, pages = job()
            if cache:
                cache.merge(pages)
                paths.extend(path for path, _ in sizes)
            return sizes

        return finish

    return start


def write_kept(
    staging: Path, files: Iterable[tuple[str, Output]], cache: BuildCache | None
) -> tuple[list[tuple[str, int]], dict[str, object]]:
    """``write_files``, and the cache entries of the pages it rendered (made in this child process)."""
    return write_files(staging, files), cache.new["pages"] if cache else {}
