"""The write stage: put a whole built site in place atomically.

Everything is written to a temporary folder beside the output and swapped in with renames, so a failed
build leaves the previous site untouched and a reader never sees half a site.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import hashlib
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from sitegen.config import Config
from sitegen.content import FileDigests
from sitegen.errors import Problem, SitegenError
from sitegen.inputs import walk_inputs

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
    if not marker.startswith(_marker(stamp, "").decode().removesuffix("\n")):  # other inputs: no need to look
        return False
    entries = [
        (p.relative_to(output).as_posix(), p.stat().st_size)
        for p in output.rglob("*")
        if p.is_file() and p.name != MARKER
    ]
    return marker == _marker(stamp, _digest(entries)).decode()


def input_stamp(config: Config, strict: bool, digests: FileDigests | None = None) -> str:
    """A hash of everything a build reads (content, themes, config, templates, static files, lunr.js, this
    package's code and its libraries' versions): equal stamps mean byte-identical output. ``digests``
    (the build cache's) spares reading the files that are as they were at the last build."""
    # Paths relative to their folder: the same project gives the same stamp wherever it is and however
    # --root is spelled.
    digest = hashlib.sha256(repr((replace(config, root=Path(".")), strict, library_versions())).encode())
    files, refused = walk_inputs(config.root)
    digest.update(repr([(p.message, str(p.path)) for p in refused]).encode())  # a refused link fails it
    dumps = f"{config.dumps_dir}{os.sep}"
    inputs = [path for path in files if not path.startswith(dumps)]  # import's input, not build's
    package = Path(__file__).parent
    code = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    of = digests or FileDigests({})
    # Strings, not Paths, for a large site's 10,000 files: walk_inputs gives each as root + sep + name.
    prefix = "" if str(config.root) == "." else os.path.join(config.root, "")
    named = [(path[len(prefix) :].replace(os.sep, "/"), path) for path in inputs if path.startswith(prefix)]
    named += [(p.relative_to(config.root).as_posix(), str(p)) for p in [config.lunr_file]]
    named += [(p.relative_to(package).as_posix(), str(p)) for p in code]
    for name, path in named:
        digest.update(name.encode() + b"\0")
        digest.update((of(path) or "<missing>").encode())
    return digest.hexdigest()


LIBRARIES = frozenset(("jinja2", "markdown", "latex2mathml", "nh3", "lunr", "pyyaml", "numpy", "scipy"))


def library_versions() -> tuple[str, ...]:
    """The installed versions of the libraries whose output a build contains, as the names of their
    ``<name>-<version>.dist-info`` folders: importlib.metadata would say the same, but importing it costs a
    good part of a no-change build."""
    found = []
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and name.split("-", 1)[0].lower() in LIBRARIES:
                found.append(name.lower())
    return tuple(sorted(found))


@dataclass(frozen=True)
class Linked:
    """An output file whose bytes are already in a file (of the build cache): linked, not written."""

    path: Path
    size: int

    def __len__(self) -> int:
        return self.size

    def put(self, target: Path) -> None:
        """A hard link where the system allows (no bytes written; the cache never writes a file twice),
        else a copy."""
        try:
            os.link(self.path, target, follow_symlinks=False)
        except FileExistsError:  # written twice: replaced, as bytes would be, and refused by the caller
            target.unlink()
            self.put(target)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(self.path, target, follow_symlinks=False)


Output = bytes | Linked


def write_files(folder: Path, files: Iterable[tuple[str, Output]]) -> list[tuple[str, int]]:
    """Write ``files`` (relative path, bytes or a ``Linked`` file) under ``folder``: one open and write (or
    link) per file, each folder made once. Returns each file's path and size."""
    seen: set[PurePosixPath] = set()
    made: set[Path] = set()
    sizes: list[tuple[str, int]] = []
    for relative, data in files:
        pure = safe_relative(relative)
        if pure in seen:
            raise SitegenError(Problem(relative, "two pages claim this output path"))
        seen.add(pure)
        sizes.append((pure.as_posix(), len(data)))
        target = folder.joinpath(*pure.parts)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.update(target.parents)
        if isinstance(data, Linked):
            data.put(target)
        else:
            target.write_bytes(data)
    return sizes


def write_site(
    output: Path,
    files: Iterable[tuple[str, Output]],
    stamp: str = "",
    helper: Callable[[Path], Callable[[], list[tuple[str, int]]]] | None = None,
) -> int:
    """Write ``files`` (relative path, bytes) as the new content of ``output``; ``stamp`` identifies the
    inputs they were built from, so that an unchanged rebuild can be skipped (see ``is_current``).
    ``helper``, given the folder being filled, starts writing more files into it at the same time (in
    another process) and returns a function that waits for their paths and sizes.
    Returns the number of files written."""
    output = output.absolute()
    check_output(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        sweep_staging(output)
    except OSError as exc:
        raise SitegenError(Problem(exc.filename or output, f"cannot be written ({exc.strerror})")) from None
    staging = output.with_name(f".{output.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        other = helper(staging) if helper else list
        try:
            sizes = write_files(staging, files)
        finally:
            more = other()  # waited for even on failure, so nothing writes into the folder as it goes
        sizes += more
        if len({path for path, _ in sizes}) < len(sizes):
            twice = Counter(path for path, _ in sizes).most_common(1)[0][0]
            raise SitegenError(Problem(twice, "two pages claim this output path"))
        (staging / MARKER).write_bytes(_marker(stamp, _digest(sizes)))
        swap_in(staging, output)
    except OSError as exc:
        raise SitegenError(
            Problem(exc.filename or output, f"could not write the site ({exc.strerror}); previous site kept")
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new site's leftovers, or the old site
    return len(sizes)


def update_linked(
    output: Path, files: Iterable[tuple[str, Linked]], previous: Iterable[str], stamp: str
) -> int:
    """Bring ``output``, which holds the ``previous`` files (paths) of the last build, to ``files``, each a
    kept file of the build cache, in place: a file that is not already that very file (a hard link to it)
    is linked in under a temporary name and renamed over the old one; files no longer built are deleted.
    Safe in place because everything that can fail in a build (reading, rendering) is done before this
    starts, so a failed build leaves the old site whole; a reader finds each file old or new, never half
    written; and the marker is replaced last, so an update cut short is redone by the next build.
    Returns the number of files written or deleted."""
    output = output.absolute()
    sizes, changed = [], []
    for relative, linked in files:
        pure = safe_relative(relative)
        sizes.append((pure.as_posix(), linked.size))
        target = output.joinpath(*pure.parts)
        try:
            same = os.path.samestat(os.lstat(target), os.lstat(linked.path))
        except OSError:
            same = False
        if not same:
            changed.append((target, linked))
    if len({path for path, _ in sizes}) < len(sizes):
        twice = Counter(path for path, _ in sizes).most_common(1)[0][0]
        raise SitegenError(Problem(twice, "two pages claim this output path"))
    gone = set(previous) - {path for path, _ in sizes}
    try:
        (output / MARKER).write_bytes(_marker("(being updated)", ""))
        for relative in gone:  # first: a folder may take the place of a file, or the other way round
            _remove(output, output.joinpath(*safe_relative(relative).parts))
        for target, linked in changed:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.sitegen-new")
            temporary.unlink(missing_ok=True)
            linked.put(temporary)
            os.replace(temporary, target)
        (output / MARKER).write_bytes(_marker(stamp, _digest(sizes)))
    except OSError as exc:
        raise SitegenError(
            Problem(
                exc.filename or output, f"could not update the site ({exc.strerror}); run the build again"
            )
        ) from None
    return len(changed) + len(gone)


def swap_in(staging: Path, output: Path) -> None:
    """Make ``staging`` the ``output`` folder so that ``output`` exists at every moment: where the system
    can, the two are exchanged in one step (the old site is left at ``staging``)."""
    if not output.exists():
        os.replace(staging, output)
    elif not _exchange(staging, output):  # two renames: a reader may find no folder for a moment
        retired = output.with_name(f".{output.name}.old-{os.getpid()}")
        os.replace(output, retired)
        try:
            os.replace(staging, output)
        except OSError:
            os.replace(retired, output)
            raise
        shutil.rmtree(retired, ignore_errors=True)


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2; False where the system or file system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd = -100  # AT_FDCWD: the paths are absolute anyway
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(second))


_STAGING = re.compile(r"\.(?P<name>.+)\.(?:new|old)-(?P<pid>\d+)")


def sweep_staging(output: Path) -> None:
    """Remove staging folders that builds killed before they finished left beside ``output``."""
    for path in output.parent.glob(f".{glob.escape(output.name)}.*-*"):
        match = _STAGING.fullmatch(path.name)
        if match and match["name"] == output.name and not _alive(int(match["pid"])):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process (an absurd number is none either)
        return False
    except PermissionError:  # another user's
        return True
    return True


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
