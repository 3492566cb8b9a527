"""The write stage: put a whole built site in place atomically.

Everything is written to a temporary folder beside the output and swapped in with renames, so a failed
build leaves the previous site untouched and a reader never sees half a site.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from sitegen.config import CONFIG_FILE, Config
from sitegen.errors import Problem, SitegenError

# Marks a folder as sitegen's output, so a mistyped --output never replaces a folder of other files.
MARKER = ".sitegen-output"


def safe_relative(path: str) -> PurePosixPath:
    """A relative output path that stays inside the output folder; anything else is a bug or an attack."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts):
        raise SitegenError(Problem(path, "refusing to write outside the output folder"))
    return pure


def check_output(output: Path) -> None:
    if output.exists() and (
        not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).exists())
    ):
        raise SitegenError(
            Problem(
                output, "exists and is not a sitegen output folder; refusing to replace it (choose --output)"
            )
        )


def _digest(entries: Iterable[tuple[str, int]]) -> str:
    """What a written tree looks like (paths and sizes), cheap to recompute from the folder with stat()."""
    return hashlib.sha256("\n".join(f"{size} {path}" for path, size in sorted(entries)).encode()).hexdigest()


def _marker(stamp: str, tree: str) -> bytes:
    return (
        f"Built by sitegen; this folder is replaced on every build.\ninput: {stamp}\ntree: {tree}\n".encode()
    )


def is_current(output: Path, stamp: str) -> bool:
    """Whether ``output`` was built from inputs with this stamp and nobody has since changed its files."""
    try:
        marker = (output / MARKER).read_text(encoding="utf-8")
    except OSError:
        return False
    entries = [
        (p.relative_to(output).as_posix(), p.stat().st_size)
        for p in output.rglob("*")
        if p.is_file() and p.name != MARKER
    ]
    return marker == _marker(stamp, _digest(entries)).decode()


def input_stamp(config: Config, strict: bool) -> str:
    """A hash of everything a build reads (content, themes, config, templates, static files, lunr.js, this
    package's code and its libraries' versions): equal stamps mean byte-identical output."""
    digest = hashlib.sha256(repr((config, strict, _LIBRARIES)).encode())
    sources = [config.root / CONFIG_FILE, config.themes_file, config.lunr_file]
    for folder in (config.papers_dir, config.templates_dir, config.static_dir, Path(__file__).parent):
        sources += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sources:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


_LIBRARIES = tuple(
    (name, importlib.metadata.version(name))
    for name in ("jinja2", "markdown", "latex2mathml", "nh3", "lunr", "pyyaml", "numpy", "scipy")
)


def write_site(output: Path, files: Iterable[tuple[str, bytes]], stamp: str = "") -> int:
    """Write ``files`` (relative path, bytes) as the new content of ``output``; ``stamp`` identifies the
    inputs they were built from, so that an unchanged rebuild can be skipped (see ``is_current``).
    Returns the number of files written."""
    output = output.absolute()
    check_output(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.new-{os.getpid()}")
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        seen: set[PurePosixPath] = set()
        sizes: list[tuple[str, int]] = []
        for relative, data in files:
            pure = safe_relative(relative)
            if pure in seen:
                raise SitegenError(Problem(relative, "two pages claim this output path"))
            seen.add(pure)
            sizes.append((pure.as_posix(), len(data)))
            target = staging.joinpath(*pure.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / MARKER).write_bytes(_marker(stamp, _digest(sizes)))
        count = len(sizes)
        if output.exists():
            os.replace(output, retired)
        try:
            os.replace(staging, output)
        except OSError:
            if retired.exists():
                os.replace(retired, output)
            raise
    except OSError as exc:
        raise SitegenError(
            Problem(exc.filename or output, f"could not write the site ({exc.strerror}); previous site kept")
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return count


def update_site(
    output: Path, written: dict[str, bytes], files: Iterable[tuple[str, bytes]], complete: bool = True
) -> int:
    """Bring ``output``, which holds ``written`` (kept up to date here), to ``files``: write each file
    whose bytes differ and, when ``files`` is the ``complete`` site, delete what is gone (with folders
    left empty, as a clean build has none). The preview server's writer: its readers wait while this
    runs, so it writes in place. Returns the number of files written or deleted."""
    new: dict[str, bytes] = {}
    for relative, data in files:
        if relative in new:
            raise SitegenError(Problem(relative, "two pages claim this output path"))
        new[relative] = data
    count = 0
    for relative, data in new.items():
        old = written.get(relative)
        if old is data or old == data:  # unchanged pages come back as the very same bytes object
            continue
        target = output.joinpath(*safe_relative(relative).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written[relative] = data
        count += 1
    for relative in written.keys() - new.keys() if complete else ():
        _remove(output, output.joinpath(*safe_relative(relative).parts))
        del written[relative]
        count += 1
    return count


def _remove(output: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    for parent in target.parents:
        if parent == output or any(parent.iterdir()):
            break
        parent.rmdir()
