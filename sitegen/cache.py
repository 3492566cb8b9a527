"""What a rebuild reuses: one memo per expensive step, and each page as it was last rendered.

Every entry is kept beside the input it was made from and reused only while that input is equal, so the
output after any sequence of edits equals a clean build. Nothing here decides what a page depends on:
a page's key is its declared context (see ``sitegen.render.Page``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import jinja2
import jinja2.meta

from sitegen.errors import SitegenError
from sitegen.frontmatter import Paper
from sitegen.render import PaperView, make_environment, view_paper
from sitegen.template_check import template_problems

T = TypeVar("T")
_NOTHING = object()


class Memo(Generic[T]):
    """The last result of one expensive step, with the input it was computed from."""

    def __init__(self) -> None:
        self._source: object = _NOTHING
        self._value: T | None = None

    def get(self, source: Hashable) -> T | None:
        """The kept result if it was computed from an equal input, else None."""
        if self._source is _NOTHING or self._source != source:
            return None
        return self._value

    def keep(self, source: Hashable, value: T) -> T:
        self._source, self._value = source, value
        return value

    def __call__(self, source: Hashable, compute: Callable[[], T]) -> T:
        kept = self.get(source)
        return kept if kept is not None else self.keep(source, compute())


class PaperViews:
    """Each paper's rendered text, made once. Kept by identity: an unchanged file gives the very same
    Paper, and hashing a Paper hashes every field (a tenth of a rebuild at 10,000 papers). Each entry
    holds its Paper, so an id is never reused while it is kept."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Paper, PaperView]] = {}

    def __call__(self, papers: Sequence[Paper]) -> dict[str, PaperView]:
        """Views by slug, of exactly ``papers``: views of papers no longer there are let go."""
        known, self._known = self._known, {}
        views = {}
        for paper in papers:
            entry = known.get(id(paper))
            view = entry[1] if entry is not None and entry[0] is paper else view_paper(paper)
            self._known[id(paper)] = (paper, view)
            views[paper.slug] = view
        return views


@dataclass(frozen=True)
class Templates:
    """The Jinja environment and each template's fingerprint (its source and those it uses)."""

    env: jinja2.Environment
    fingerprints: Mapping[str, str]


def template_sources(templates_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(templates_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(templates_dir.rglob("*"))
        if p.is_file()
    }


def load_templates(templates_dir: Path, sources: Mapping[str, str]) -> Templates:
    """The environment for these template sources; a SitegenError names each template's mistake."""
    env = make_environment(templates_dir)
    if problems := template_problems(env, sources, templates_dir):
        raise SitegenError(problems)
    return Templates(env, template_fingerprints(env, templates_dir, sources))


def template_fingerprints(
    env: jinja2.Environment, templates_dir: Path, sources: Mapping[str, str]
) -> dict[str, str]:
    """A hash per template of its source and of every template it extends, includes or imports. Parsing
    them finds any template's syntax error, named by its path as when Jinja loads it."""
    referenced = {
        name: set(
            filter(
                None, jinja2.meta.find_referenced_templates(env.parse(src, name, str(templates_dir / name)))
            )
        )
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


@dataclass(frozen=True)
class RenderedPage:
    """One page as last rendered, and what it was rendered from."""

    key: Hashable  # config, template and its fingerprint, the page's context: equal keys, equal bytes
    raw: bytes  # as rendered, asset URLs still placeholders; empty when the build does not remember
    assets: tuple[str, ...]  # the static files it links to, by name
    versions: tuple[str, ...]  # their versioned URLs that ``final`` was filled with
    final: bytes  # the bytes written


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
