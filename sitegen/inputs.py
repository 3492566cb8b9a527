"""Untrusted input, read safely: content and config come from pull requests, so loaders read through here.

- ``outside_links``: symbolic links in the project whose targets lie outside it (``static/env.txt`` ->
  ``/proc/self/environ``) are refused before anything is read, as are link loops.
- ``read_input``: the bytes of one input file, refusing anything but a regular file and a file over its cap.
- ``load_yaml`` / ``compose_yaml``: YAML without aliases (an alias bomb expands 581 bytes into gigabytes),
  without duplicate keys or control characters, dates kept as written, impossible values (a 5000-digit
  number) reported at their line instead of crashing.
- ``url_problem``: the one test of a URL-valued key or field (http/https only, no quotes or control chars).
- ``shown``: a value quoted in a message, capped in length.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from sitegen.errors import Problem, SitegenError
from sitegen.fields import yaml_error

# Size caps, in bytes: Markdown costs grow with input, and nothing a curator writes comes near these.
PAPER_MAX = 1 << 20  # a paper file (front matter and abstract)
DUMP_MAX = 20 << 20  # a pasted dump
YAML_MAX = 1 << 20  # sitegen.yaml, content/themes.yaml
SHOWN_MAX = 60  # characters of a value quoted in a message

# Characters XML 1.0 forbids (YAML's pure-Python loader even makes lone surrogates from "\ud800"), plus DEL:
# they break feeds, UTF-8 output and terminals, and no curator types them.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The folders and files of a project that hold input (see sitegen.config.Config).
INPUT_PATHS = ("sitegen.yaml", "content", "templates", "static")


class InputProblem(Exception):
    """One input that cannot be used; callers turn it into their own problem list."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def shown(value: Any) -> str:
    """``repr`` of a value for a message, at most SHOWN_MAX characters: values can be huge."""
    text = repr(value)  # aliases are refused, so a value is never larger than its file
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 3] + "..."


# --- Symbolic links -----------------------------------------------------------------------------------------


def link_problem(path: Path, root: Path) -> Problem | None:
    """Why the link at ``path`` may not be followed (it leads outside ``root``, or loops), else None."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return Problem(path, "is a symbolic link loop; remove it")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(path, "is a symbolic link loop; remove it")
        return Problem(path, "is a symbolic link to nothing (its target does not exist); remove it")
    if not target.is_relative_to(root.resolve()):
        return Problem(path, f"is a symbolic link to {target}, outside the project; refusing to read it")
    return None


def walk_inputs(root: Path, inputs: Iterable[str] = INPUT_PATHS) -> tuple[list[str], list[Problem]]:
    """Every file under the project's input paths, by the path a loader would read it at (sorted), and a
    problem for every symbolic link that leads outside the project or loops (not followed). Links inside
    the project are followed; each real folder is listed once. Only links cost a system call: the preview
    server walks a large site on every rebuild."""
    files: list[str] = []
    folders: list[str] = []
    problems: list[Problem] = []

    def add(path: str, link: bool, folder: bool) -> None:
        if link:
            if problem := link_problem(Path(path), root):
                problems.append(problem)
                return
            folder = os.path.isdir(path)
        (folders if folder else files).append(path)

    for name in inputs:
        path = root / name
        if path.is_symlink() or path.exists():
            add(str(path), path.is_symlink(), path.is_dir())
    seen: set[str] = set()
    while folders:
        folder = folders.pop()
        if (real := os.path.realpath(folder)) in seen:
            continue
        seen.add(real)
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    add(entry.path, entry.is_symlink(), entry.is_dir(follow_symlinks=False))
        except OSError:
            continue  # an unreadable folder is reported by the loader that needs it
    return sorted(files), sorted(problems, key=lambda p: str(p.path))


def outside_links(root: Path) -> list[Problem]:
    """A problem for every symbolic link in the project's inputs that leads outside it or loops."""
    return walk_inputs(root)[1]


def refuse_outside_links(root: Path) -> None:
    """Raise a SitegenError naming every link out of the project: a command reads nothing then."""
    if problems := outside_links(root):
        raise SitegenError(problems)


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of one input file; InputProblem if it is not a file or larger than ``limit``. (Links out of
    the project are refused before any loader runs: see ``outside_links``.)"""
    if not path.is_file():  # a folder, a device, a FIFO: nothing a loader may read
        what = "is a folder, not a file" if path.is_dir() else "is not a regular file"
        raise InputProblem(Problem(path, what if path.exists() else "is missing"))
    try:
        with open(path, "rb") as file:
            # read(limit + 1) would allocate limit + 1 bytes first (a megabyte for every paper): read what
            # the file holds, plus what it grew by meanwhile, never more than limit + 1 bytes.
            size = min(os.fstat(file.fileno()).st_size, limit)
            data = file.read(size + 1)
            if size < len(data) <= limit:
                data += file.read(limit + 1 - len(data))
    except OSError as exc:
        raise InputProblem(Problem(path, f"cannot be read ({exc.strerror})")) from None
    if len(data) > limit:
        raise InputProblem(Problem(path, f"is larger than the {limit >> 20} MB a file of its kind may have"))
    return data


def bad_character(text: str) -> tuple[int, int] | None:
    """(line, column) of the first control character in ``text``, else None."""
    match = CONTROL.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    return line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1


def control_message(text: str) -> str:
    char = CONTROL.search(text)
    return f"holds the control character {char[0]!r}, which no page, feed or terminal can show; remove it"


# --- YAML ---------------------------------------------------------------------------------------------------

_CLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KINDS = {"tag:yaml.org,2002:timestamp": "date", "tag:yaml.org,2002:int": "number"}


class _Checks:
    """Construction rules shared by the fast (libyaml) and the alias-refusing (pure Python) loader."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as exc:  # 2024-02-30, a 5000-digit integer, ...
            kind = _KINDS.get(node.tag, "value")
            detail = f" ({exc})" if kind == "date" else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown(node.value)} is not a valid {kind}{detail}", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {shown(key.value)} is given twice (first on line {seen[key.value]})",
                        key.start_mark,
                    )
                seen[key.value] = key.start_mark.line + self.first_line  # type: ignore[attr-defined]
        return super().construct_mapping(node, deep)  # type: ignore[misc]

    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        value = super().construct_yaml_str(node)  # type: ignore[misc]
        if CONTROL.search(value):  # written as a "\e" or "\x1b" escape
            raise yaml.constructor.ConstructorError(
                None, None, f"the string {control_message(value)}", node.start_mark
            )
        return value


class _FastLoader(_Checks, _CLoader):  # type: ignore[misc, valid-type]
    pass


class _AliasFreeLoader(_Checks, yaml.SafeLoader):
    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed; write the value out", event.start_mark
            )
        return super().compose_node(parent, index)


for _loader in (_FastLoader, _AliasFreeLoader):
    _loader.add_constructor("tag:yaml.org,2002:str", _Checks.construct_yaml_str)
    # Dates stay the strings the curator wrote: ``added: 2024-13-45`` is then a located field error, and
    # ``added`` reads the same quoted or not.
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _loader.yaml_implicit_resolvers.items()
    }


def _loader_for(text: str, first_line: int) -> yaml.SafeLoader:
    # Text without aliases (nearly all of it) takes libyaml's fast path; text with one, or that libyaml
    # cannot parse, takes the pure-Python loader, which refuses aliases and words its errors.
    loader = (_AliasFreeLoader if "*" in text and _may_have_alias(text) else _FastLoader)(text)
    loader.first_line = first_line  # where the text starts in its file, for line numbers in messages
    return loader


def _may_have_alias(text: str) -> bool:
    """Whether libyaml's parser meets an alias in ``text`` (or cannot parse it): a '*' in a string or a
    comment ("word*" in the classifier's keywords) is no alias, and parsing is ten times faster than the
    pure-Python composer."""
    try:
        return any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_CLoader))
    except yaml.YAMLError:
        return True


class YamlProblem(Exception):
    """YAML that cannot be used: ``reason``, at 0-based ``line`` and ``column`` of the text when known."""

    def __init__(self, reason: str, line: int | None, column: int | None) -> None:
        super().__init__(reason)
        self.reason, self.line, self.column = reason, line, column


def _parse(text: str, compose: bool, first_line: int) -> Any:
    try:
        loader = _loader_for(text, first_line)  # the pure-Python reader already refuses some characters
    except yaml.YAMLError as exc:
        raise YamlProblem(*yaml_error(exc, text)) from None
    try:
        return (loader.get_single_node() if compose else loader.get_single_data()), loader
    except yaml.YAMLError as exc:
        raise YamlProblem(*yaml_error(exc, text)) from None
    except RecursionError:
        raise YamlProblem("nested too deeply", None, None) from None
    finally:
        loader.dispose()


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Plain data from YAML text (see the module doc for what is refused); raises YamlProblem.
    ``first_line`` is the line of its file the text starts at."""
    return _parse(text, False, first_line)[0]


def compose_yaml(text: str) -> tuple[yaml.Node | None, yaml.SafeLoader]:
    """The node tree of YAML text, for callers that report each value's line; raises YamlProblem."""
    return _parse(text, True, 1)


# --- URLs ---------------------------------------------------------------------------------------------------

_HOST = re.compile(
    r"(?:[\w.~%-]+(?::[\w.~%-]*)?@)?(?:[\w-]+(?:\.[\w-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)
_URL_FORBIDDEN = re.compile("[\"'<>`\\\\\\s\x00-\x1f\x7f]")


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be a link on the site (a reason to put after the key or field), else None.
    Only absolute http(s) URLs with a host, and no quotes, spaces, backslashes or control characters."""
    if _URL_FORBIDDEN.search(url):
        return "must not contain quotes, spaces, backslashes or control characters"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https") or not _HOST.fullmatch(parts.netloc):
        return "must be an http:// or https:// URL"
    return None
