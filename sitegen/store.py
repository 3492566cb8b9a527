"""The persistent build cache: what one `sitegen build` leaves in ``.sitegen-cache/build/`` for the next.

Every entry is keyed by a digest of exactly what its step reads, derived from the values themselves by a
canonical encoding (``Digests``), never from Python's per-process ``hash()`` and never written by hand.
The folder is untrusted: safe to delete, a table that is corrupt, partial or written by another version
of sitegen (or its libraries, or Python) is ignored and rebuilt, a file's bytes are checked against their
digest before they are reused, and nothing is followed through a symbolic link or written outside it.
A table is sealed with a key that never leaves this user's own cache folder (``machine_key``): a cache
folder committed in a pull request, whose tables would name an attacker's pages, is never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from sitegen.content import FileDigests
from sitegen.errors import Problem
from sitegen.frontmatter import Paper, Source
from sitegen.related import Related
from sitegen.write import Linked, library_versions

FORMAT = "sitegen-build-cache 1"
FOLDER = "build"  # under the project's cache folder
KEY_FILE = "build-cache.key"  # under this user's cache folder, outside every project
PARTS = 16  # the files a table is kept in (see ``Store.save``)
# The classes a table may hold, by name: nothing else is ever made from a table's text.
STORED = {f"{c.__module__}.{c.__qualname__}": c for c in (Paper, Source, Problem, Related)}


class Uncacheable(TypeError):
    """A value with no canonical encoding: a page's context may hold plain values and frozen model objects
    only (an object's repr would hold its address, and a key that changes every run caches nothing)."""


def _fields(kind: type) -> tuple[str, ...]:
    if hasattr(kind, "_fields"):  # a NamedTuple
        return kind._fields
    if is_dataclass(kind) and kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return tuple(f.name for f in fields(kind))
    raise Uncacheable(f"{kind.__module__}.{kind.__qualname__} is not a frozen dataclass or a NamedTuple")


def encode(value: Any, inner: Callable[[Any], Any]) -> Any:
    """``value`` as JSON values that tell its types apart (a str from Markup, a tuple from a list), with
    each model object (frozen dataclass or NamedTuple) written by ``inner``."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is tuple or kind is list:
        return ["t" if kind is tuple else "l", *[encode(v, inner) for v in value]]
    if kind is float:
        return ["f", repr(value)]
    if kind is dict or kind is MappingProxyType:
        return ["d", *[[encode(k, inner), encode(v, inner)] for k, v in value.items()]]
    if kind is frozenset:
        return ["s", *sorted((encode(v, inner) for v in value), key=json.dumps)]
    if kind is Markup:
        return ["m", str(value)]
    if isinstance(value, PurePath):
        return ["p", str(value)]
    if isinstance(value, tuple) or is_dataclass(value):
        return inner(value)
    raise Uncacheable(f"{kind.__module__}.{kind.__qualname__} has no canonical encoding")


def _text(tree: Any) -> bytes:
    return json.dumps(tree, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def whole(value: Any) -> Any:
    """A model object written out in full, for a table (see ``decode``)."""
    kind = type(value)
    return [
        "c",
        f"{kind.__module__}.{kind.__qualname__}",
        *(encode(getattr(value, n), whole) for n in _fields(kind)),
    ]


def decode(tree: Any) -> Any:
    """The value ``encode(..., whole)`` wrote. Only the classes of ``STORED`` are made; anything else in
    a table is a ValueError (the table is then ignored)."""
    if tree is None or type(tree) in (str, int, bool):
        return tree
    tag, *items = tree
    if tag == "c":
        kind = STORED[items[0]]
        values = [decode(v) for v in items[1:]]
        if len(values) != len(_fields(kind)):
            raise ValueError(f"{items[0]} has {len(values)} fields")
        return kind(*values)
    simple = {"t": tuple, "l": list, "m": Markup, "p": Path, "f": float}
    if tag in ("m", "p", "f"):
        return simple[tag](items[0])
    if tag in ("t", "l"):
        return simple[tag](decode(v) for v in items)
    if tag == "d":
        return {decode(k): decode(v) for k, v in items}
    raise ValueError(f"unknown tag {tag!r}")


class Digests:
    """Stable digests of values. A model object is digested once (by identity, for the life of this
    object) and stands in its containers as its digest, so a page listing fifty papers costs fifty
    lookups, not fifty encodings."""

    def __init__(self, salt: str) -> None:
        self._salt = salt
        self._known: dict[int, tuple[object, list[str]]] = {}

    def __call__(self, value: Any) -> str:
        return hashlib.sha256(self._salt.encode() + _text(encode(value, self._object))).hexdigest()

    def texts(self, value: Any) -> str:
        """The digest of a step's input made of text and numbers in tuples and lists only, whose shape is
        fixed by the step's code (a tuple and a list are not told apart): the whole text of a large site
        encoded in one call of JSON's C encoder, many times faster than ``__call__``."""
        return hashlib.sha256(self._salt.encode() + _text(["texts", value])).hexdigest()

    def reference(self, value: Any) -> list[str]:
        """The digest a model object stands as in its containers (kept in tables, see ``seed``)."""
        return self._object(value)

    def seed(self, value: Any, reference: list[str]) -> None:
        """Let ``value`` stand as ``reference`` without being encoded: what ``reference`` gave for an
        equal value (a model object read back from a table that kept its reference), or a digest of
        exactly what ``value`` is made from (a paper's rendered text: its Paper and the digest of the
        text it was rendered from)."""
        self._known[id(value)] = (value, reference)

    def _object(self, value: Any) -> list[str]:
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        kind = type(value)
        text = _text(
            [
                f"{kind.__module__}.{kind.__qualname__}",
                *(encode(getattr(value, n), self._object) for n in _fields(kind)),
            ]
        )
        reference = ["o", hashlib.sha256(text).hexdigest()]
        self._known[id(value)] = (value, reference)  # holding the object keeps its id from being reused
        return reference


def version_salt() -> str:
    """What makes another version's cache foreign: this format, Python, the rendering libraries' versions
    and every file of this package."""
    digest = hashlib.sha256(repr((FORMAT, sys.version, library_versions())).encode())
    package = Path(__file__).parent
    for path in sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def machine_key() -> bytes:
    """This user's secret for sealing tables, made on first use in ``$XDG_CACHE_HOME/sitegen`` (or
    ``~/.cache/sitegen``); an OSError when it cannot be kept there safely."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home.mkdir(parents=True, exist_ok=True)
    folder = safe_folder(home, "sitegen")
    path = folder / KEY_FILE
    if not os.path.lexists(path):
        # Written whole under another name, then linked in: a key is never seen half-written, and
        # two builds starting at once agree on the first one made.
        made = write_plain(folder, f"{KEY_FILE}.{os.getpid()}", secrets.token_bytes(32), mode=0o600)
        with contextlib.suppress(FileExistsError):
            os.link(made, path)
        os.unlink(made)
    key = read_plain(path)
    if len(key) != 32:
        raise OSError(f"{path} is not a key sitegen made")
    return key


def safe_folder(base: Path, *names: str) -> Path:
    """``base``/``names``, each made if missing; an OSError if any of them is a link or not a folder (an
    attacker's link would lead the cache's writes elsewhere)."""
    folder = base
    for name in ("", *names):
        folder = folder / name if name else folder
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            os.mkdir(folder)
            continue
        if not stat.S_ISDIR(mode):
            raise OSError(f"{folder} is not a plain folder")
    return folder


def read_plain(path: Path) -> bytes:
    """A regular file's bytes, never through a link (O_NOFOLLOW); an OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a plain file")
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(fd)


def write_plain(folder: Path, name: str, data: bytes, mode: int = 0o644) -> Path:
    """Write ``folder``/``name`` whole or not at all: a new file beside it, renamed over it."""
    target = folder / name
    temporary = folder / f".{name}.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    fd = os.open(temporary, flags, mode)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.replace(temporary, target)
    return target


INPUTS = "inputs"  # the table of input files' digests (see ``input_digests``)


@contextlib.contextmanager
def input_digests(cache_dir: Path) -> Iterator[FileDigests | None]:
    """The digests of input files as the last build left them, for ``write.input_stamp`` (which then
    reads only the files changed since); what it found is kept for the next. None when the store cannot
    be used."""
    store = Store.open(cache_dir)
    digests = FileDigests(store.table(INPUTS)) if store else None
    yield digests
    if store and digests and digests.fresh != digests.known:
        with contextlib.suppress(OSError):
            store.save(INPUTS, digests.fresh)


class Store:
    """The cache folder of one project: named tables of JSON entries, and files by the digest of their
    bytes (the pages and search files a build reuses, linked into the new site)."""

    def __init__(self, folder: Path, salt: str, key: bytes) -> None:
        self.folder = folder
        self.salt = salt
        self._key = key
        self.digests = Digests(salt)
        self.tables: dict[str, dict[str, Any]] = {}
        self._parts: dict[str, list[dict[str, Any]]] = {}  # each table as its files hold it
        self.used: set[str] = set()  # the files this build's tables name, kept by ``save``
        self._groups: dict[str, bool] = {}
        self._files = str(folder / "files")

    @classmethod
    def open(cls, cache_dir: Path) -> Store | None:
        """The store under ``cache_dir``; None (and the build goes without) when it cannot be used
        safely: ``cache_dir`` or a folder in it is a link or not a folder, or no key can be kept."""
        try:
            folder = safe_folder(cache_dir.parent, cache_dir.name, FOLDER)
            safe_folder(folder, "files")
            key = machine_key()
        except OSError:
            return None
        return cls(folder, version_salt(), key)

    def table(self, name: str) -> dict[str, Any]:
        """The entries a table held after the last build; a part of it that is missing, corrupt or
        foreign holds none."""
        if name not in self.tables:
            parts = self._parts[name] = [self._load(f"{name}.{n:x}") for n in range(PARTS)]
            self.tables[name] = {key: value for part in parts for key, value in part.items()}
        return self.tables[name]

    def _load(self, name: str) -> dict[str, Any]:
        try:
            data = read_plain(self.folder / f"{name}.json")
            header, _, body = data.partition(b"\n")
            if not hmac.compare_digest(header, self._header(body)):
                return {}  # another version's or machine's table, or damaged
            entries = json.loads(body)
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError):
            return {}

    def save(self, name: str, entries: dict[str, Any]) -> None:
        """Keep a table: each of its parts (its keys split by a hash) only when it changed, so that an
        edit rewrites a few of a large site's parts."""
        old = self._parts[name] if name in self._parts else [None] * PARTS
        parts: list[dict[str, Any]] = [{} for _ in range(PARTS)]
        for key, value in entries.items():
            parts[zlib.crc32(key.encode("utf-8", "surrogatepass")) % PARTS][key] = value
        for n, part in enumerate(parts):
            if part != old[n]:
                body = _text(part)
                write_plain(self.folder, f"{name}.{n:x}.json", self._header(body) + b"\n" + body)
        self._parts[name] = parts
        self.tables[name] = entries

    def _header(self, body: bytes) -> bytes:
        seal = hmac.new(self._key, body, hashlib.sha256).hexdigest()
        return f"{FORMAT} {self.salt} {seal}".encode()

    # --- files by digest ------------------------------------------------------------------------

    def file(self, digest: str) -> Path:
        return self.folder / "files" / digest[:2] / digest

    def put(self, data: bytes, kept: Mapping[str, Any] | None = None) -> list[Any]:
        """Keep ``data``; returns its entry for a table: [digest, size, mtime_ns, inode]. ``kept``: entries
        by digest that may name these bytes already (trusted as ``get`` trusts them, not read)."""
        digest = hashlib.sha256(data).hexdigest()
        if kept and digest in kept and self.get(kept[digest]):
            return kept[digest]
        path = self.file(digest)
        self.used.add(digest)
        try:
            if read_plain(path) == data:  # checked, not trusted: this runs for fresh pages only
                info = os.lstat(path)
                return [digest, len(data), info.st_mtime_ns, info.st_ino]
        except OSError:
            pass
        safe_folder(self.folder, "files", digest[:2])
        info = os.lstat(write_plain(path.parent, digest, data))
        return [digest, len(data), info.st_mtime_ns, info.st_ino]

    def get(self, entry: Any) -> Linked | None:
        """The kept file an entry names, when it is still there with these bytes: trusted by its size,
        time and inode as recorded, else read and checked against its digest (a restored cache)."""
        try:
            digest, size, mtime, inode = entry
            # A string, not a Path: a large site asks for 10,000 kept pages.
            path = os.path.join(self._files, digest[:2], digest)
            if not self._plain_group(digest[:2]):
                return None
            info = os.lstat(path)
        except (OSError, TypeError, ValueError):
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return None
        if (info.st_mtime_ns, info.st_ino) != (mtime, inode):
            try:
                if hashlib.sha256(read_plain(path)).hexdigest() != digest:
                    return None
            except OSError:
                return None
            entry[2:] = [info.st_mtime_ns, info.st_ino]
        self.used.add(digest)
        return Linked(Path(path), size)

    def _plain_group(self, group: str) -> bool:
        """Whether a folder of kept files is a folder, not a link (asked once per folder)."""
        if group not in self._groups:
            try:
                self._groups[group] = stat.S_ISDIR(os.lstat(os.path.join(self._files, group)).st_mode)
            except OSError:
                self._groups[group] = False
        return self._groups[group]

    def read(self, entry: Any) -> bytes | None:
        linked = self.get(entry)
        try:
            return read_plain(linked.path) if linked else None
        except OSError:
            return None

    def sweep(self) -> None:
        """Delete the kept files no table of this build names."""
        files = self.folder / "files"
        for group in os.scandir(files):
            if group.is_dir(follow_symlinks=False):
                for item in os.scandir(group.path):
                    if item.name not in self.used:
                        os.unlink(item.path)
            elif group.name not in self.used:
                os.unlink(group.path)
