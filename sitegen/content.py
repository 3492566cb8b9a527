"""The load stage: every paper file under ``content/papers/`` read from disk (UTF-8 text checked, bad files
reported and skipped), each parsed by ``sitegen.frontmatter``; a long-lived caller may keep a cache of them.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from sitegen.errors import Problem
from sitegen.frontmatter import ContentProblem, Paper, paper_from_file
from sitegen.inputs import PAPER_MAX, bad_character, control_message, read_input


def read_text(path: Path, limit: int = PAPER_MAX) -> str:
    """Read a UTF-8 text file (BOM and CRLF tolerated) of at most ``limit`` bytes; a ContentProblem if it
    is not UTF-8 text or holds control characters."""
    raw = read_input(path, limit)
    if b"\x00" in raw:
        raise ContentProblem(Problem(path, "is a binary file, not UTF-8 text"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentProblem(
            Problem(path, "is not UTF-8 text (re-save it as UTF-8; it may be Latin-1 or Windows-1252)", line)
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if where := bad_character(text):
        raise ContentProblem(Problem(path, control_message(text), *where))
    return text


def paper_files(papers_dir: Path) -> list[Path]:
    """Every ``<theme>/<slug>.md`` under the papers folder, in a stable order."""
    return [Path(path) for path in _paper_paths(papers_dir)]


def _paper_paths(papers_dir: Path) -> list[str]:
    """``paper_files`` as strings: the preview server lists a large site's 10,000 on every rebuild, and
    only the files it reads again need a Path."""
    if not papers_dir.is_dir():
        return []
    found = []
    # scandir knows file types from the directory listing: no stat per file; sorting (folder, name)
    # pairs of strings gives Path order many times faster than comparing Paths.
    with os.scandir(papers_dir) as themes:
        for theme in themes:
            if theme.is_dir() and not theme.name.startswith("."):
                with os.scandir(theme.path) as entries:
                    found += [
                        (theme.name, e.name, e.path)
                        for e in entries
                        if e.name.endswith(".md") and e.is_file()
                    ]
    return [path for _, _, path in sorted(found)]


def hidden_papers(papers_dir: Path) -> list[Problem]:
    """Paper files in a dot-folder, which the site leaves out (editors and tools keep such folders): said."""
    folders = sorted(p for p in papers_dir.glob(".*") if p.is_dir())
    return [
        Problem(
            path, "is in a folder whose name starts with '.', so the site leaves it out", severity="warning"
        )
        for folder in folders
        for path in sorted(folder.glob("*.md"))
    ]


# What reading one file gave: the paper (None when unusable) and its problems.
FileResult = tuple[Paper | None, tuple[Problem, ...]]
FileCache = dict[str, tuple[tuple[int, int, int], FileResult]]  # path -> (mtime, size, inode), result
# A file unchanged for this long is trusted by its (mtime, size, inode): file times tick coarsely, so
# two quick saves of the same size could otherwise look alike.
SETTLED_SECONDS = 2.0


def signature(info: os.stat_result) -> list[int] | None:
    """What says a file is unchanged without reading it (for the build cache, across builds): its time,
    size, inode and status-change time (which no program sets), once it has been left alone for
    SETTLED_SECONDS; None before."""
    if time.time_ns() - info.st_mtime_ns <= SETTLED_SECONDS * 1e9:
        return None
    return [info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns]


class FileDigests:
    """Digests of files by path, from ``known`` (path -> signature and digest, as ``fresh`` was left by
    the last use) while a file's signature is unchanged, else from its bytes."""

    def __init__(self, known: dict[str, Any]) -> None:
        self.known = known
        self.fresh: dict[str, list[Any]] = {}

    def __call__(self, path: str) -> str | None:
        """The file's SHA-256 (hex), None when it cannot be read."""
        try:
            now = signature(os.stat(path))
            kept = self.known.get(path)
            if now is not None and isinstance(kept, list) and kept[:-1] == now:
                digest = str(kept[-1])
            else:
                with open(path, "rb") as file:
                    digest = hashlib.sha256(file.read()).hexdigest()
        except OSError:
            return None
        if now is not None:
            self.fresh[path] = [*now, digest]
        return digest


def read_paper(path: Path) -> FileResult:
    try:
        paper, found = paper_from_file(path, path.parent.name, read_text(path))
    except ContentProblem as exc:
        return None, (exc.problem,)
    usable = not any(p.severity == "error" for p in found)
    return (paper if usable else None), tuple(found)


def load_papers(papers_dir: Path, cache: FileCache | None = None) -> tuple[list[Paper], list[Problem]]:
    """Read every paper file; keep going past bad files and return every problem found. With ``cache``
    (kept by a long-lived caller such as the preview server), settled unchanged files are not re-read."""
    papers: list[Paper] = []
    problems: list[Problem] = hidden_papers(papers_dir)
    paths = _paper_paths(papers_dir)
    for path in paths:
        paper, found = read_paper(Path(path)) if cache is None else _read_cached(path, cache)
        problems.extend(found)
        if paper is not None:
            papers.append(paper)
    if cache is not None:
        for gone in cache.keys() - set(paths):
            del cache[gone]
    return papers, problems


def _read_cached(path: str, cache: FileCache) -> FileResult:
    stat = os.stat(path)
    signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = cache.get(path)
    if cached and cached[0] == signature and time.time_ns() - stat.st_mtime_ns > SETTLED_SECONDS * 1e9:
        return cached[1]
    result = read_paper(Path(path))
    cache[path] = (signature, result)
    return result
