"""The theme taxonomy: ``content/themes.yaml`` -> an ordered tuple of immutable ``Theme`` values.

Each theme names its folder (``slug``), what the site shows (``title``, ``description``) and the knobs the
keyword classifier (``sitegen.classify``) uses: weighted ``keywords``, a ``min_score`` a paper must reach
before the theme may claim it, and ``defers_to``, themes this one gives way to when both fit (a paper that
merely uses a transformer defers to the theme of what it does). Every problem is reported with the file and
line, all at once, so a curator can fix the file in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import Problem, SitegenError
from sitegen.inputs import (
    CONTROL,
    YAML_MAX,
    InputProblem,
    YamlProblem,
    compose_yaml,
    control_message,
    read_input,
    shown,
)

UNSORTED = "unsorted"  # fallback folder for papers no theme claims

DEFAULT_MIN_SCORE = 4.0
DEFAULT_REVIEW_BELOW = 0.3
REVIEW_KEY = "review_below"  # top-level: confidence under which a newly filed paper is flagged for review
DEFAULT_DEFER_RATIO = 0.5
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_STRING_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Theme:
    slug: str  # e.g. "brain-neuroscience"; also the folder name content/papers/<slug>/
    title: str  # "Brain & Neuroscience"
    description: str  # one or two sentences shown on the site
    # (phrase, weight): a phrase is one or more words, matched on word boundaries after the same
    # normalisation as the paper text (see sitegen.classify.tokenise); "word*" matches a word prefix.
    keywords: tuple[tuple[str, float], ...] = ()
    min_score: float = DEFAULT_MIN_SCORE
    # Slugs this theme yields to when the other theme scores at least defer_ratio of this one's score.
    defers_to: tuple[str, ...] = ()
    defer_ratio: float = DEFAULT_DEFER_RATIO


# key -> what it must be, as shown in messages. Order is the documented order of a theme entry.
THEME_KEYS: dict[str, str] = {
    "slug": "a lowercase-hyphen string",
    "title": "a string",
    "description": "a string",
    "keywords": "a mapping of phrase: weight",
    "min_score": "a number",
    "defers_to": "a list of theme slugs",
    "defer_ratio": "a number",
}
REQUIRED_KEYS = ("slug", "title", "description")


def load_themes(path: Path) -> tuple[Theme, ...]:
    """Order = file order. Raises SitegenError naming the file and line of every problem found."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise SitegenError(Problem(path, "themes file not found"))
    try:
        text = read_input(path, YAML_MAX).decode("utf-8-sig")
    except InputProblem as exc:
        raise SitegenError(exc.problem) from None
    except UnicodeDecodeError:
        raise SitegenError(Problem(path, "themes file cannot be read (not UTF-8 text)")) from None
    return parse_themes(path, text)


@lru_cache(maxsize=8)  # the same objects while the file is unchanged: page keys compare them by identity
def parse_themes(path: Path, text: str) -> tuple[Theme, ...]:
    """Pure: the themes a file's text declares, or a SitegenError listing every problem."""
    try:
        root, loader = compose_yaml(text)
    except YamlProblem as exc:
        line = exc.line + 1 if exc.line is not None else None
        raise SitegenError(Problem(path, f"not valid YAML ({exc.reason})", line)) from None

    themes_node = _themes_list(path, root)
    problems: list[Problem] = []
    themes: list[tuple[Theme, yaml.Node]] = []
    seen: dict[str, int] = {}
    for item in themes_node.value:
        theme = _theme(path, item, loader, problems)
        if theme is None:
            continue
        if theme.slug in seen:
            problems.append(
                Problem(
                    path,
                    f"duplicate theme slug '{theme.slug}' (first declared on line {seen[theme.slug]})",
                    _line(item),
                )
            )
            continue
        seen[theme.slug] = _line(item)
        themes.append((theme, item))
    for theme, item in themes:
        for other in theme.defers_to:
            if other not in seen or other == theme.slug:
                problems.append(
                    Problem(path, f"theme '{theme.slug}' defers to unknown theme '{other}'", _line(item))
                )
    if problems:
        raise SitegenError(problems)
    if not themes:
        raise SitegenError(Problem(path, "'themes' declares no theme", _line(themes_node)))
    return tuple(theme for theme, _ in themes)


def review_threshold(path: Path) -> float:
    """The top-level ``review_below`` of the themes file (a confidence, 0..1; default 0.3): a paper the
    importer files with less confidence is listed in its summary and noticed by ``sitegen check``."""
    # Read as load_themes reads it (callers load the themes first, so its problems are reported there).
    root, loader = compose_yaml(read_input(Path(path), YAML_MAX).decode("utf-8-sig"))
    nodes = root.value if isinstance(root, yaml.MappingNode) else []
    node = next((v for k, v in nodes if isinstance(k, yaml.ScalarNode) and k.value == REVIEW_KEY), None)
    if node is None:
        return DEFAULT_REVIEW_BELOW
    problems: list[Problem] = []
    value = _number(Path(path), f"'{REVIEW_KEY}'", node, loader, problems)
    if value is None or not 0 <= value <= 1:
        message = f"'{REVIEW_KEY}' must be a confidence between 0 and 1, not {shown(node.value)}"
        raise SitegenError(Problem(path, message, _line(node)))
    return value


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _themes_list(path: Path, root: yaml.Node | None) -> yaml.SequenceNode:
    if not isinstance(root, yaml.MappingNode):
        line = _line(root) if root is not None else 1
        raise SitegenError(Problem(path, "must be a mapping with a top-level 'themes:' list", line))
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "themes":
            if not isinstance(value, yaml.SequenceNode):
                raise SitegenError(Problem(path, "'themes' must be a list of themes", _line(value)))
            return value
    raise SitegenError(Problem(path, "must have a top-level 'themes:' list", _line(root)))


def _theme(path: Path, node: yaml.Node, loader: yaml.SafeLoader, problems: list[Problem]) -> Theme | None:
    """One theme entry, or None after recording why it is unusable."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(
            Problem(path, "each theme must be a mapping with slug, title and description", _line(node))
        )
        return None
    before = len(problems)
    fields: dict[str, Any] = {}
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in THEME_KEYS:
            known = ", ".join(THEME_KEYS)
            problems.append(
                Problem(path, f"unknown key '{key}' in a theme (known keys: {known})", _line(key_node))
            )
        elif key in fields:
            problems.append(Problem(path, f"key '{key}' is given twice in this theme", _line(key_node)))
        elif key in ("slug", "title", "description"):
            fields[key] = _string(path, key, value, problems)
        elif key in ("min_score", "defer_ratio"):
            fields[key] = _number(path, f"'{key}'", value, loader, problems)
        elif key == "keywords":
            fields[key] = _keywords(path, value, loader, problems)
        else:  # defers_to
            fields[key] = _slug_list(path, key, value, problems)
    for key in REQUIRED_KEYS:
        if key not in fields:
            problems.append(Problem(path, f"theme is missing '{key}' ({THEME_KEYS[key]})", _line(node)))
    slug = fields.get("slug")
    if isinstance(slug, str) and not _SLUG.fullmatch(slug):
        problems.append(
            Problem(
                path,
                f"slug '{slug}' must be lowercase words joined by hyphens",
                _line(_value_of(node, "slug")),
            )
        )
    if slug == UNSORTED:
        problems.append(Problem(path, f"'{UNSORTED}' is reserved for papers no theme claims", _line(node)))
    if len(problems) > before:
        return None
    return Theme(**fields)


def _value_of(node: yaml.MappingNode, key: str) -> yaml.Node:
    return next(v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key)


def _string(path: Path, key: str, node: yaml.Node, problems: list[Problem]) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == _STRING_TAG and node.value.strip():
        if not CONTROL.search(node.value):
            return node.value.strip()
        problems.append(Problem(path, f"'{key}' {control_message(node.value)}", _line(node)))
        return None
    problems.append(Problem(path, f"'{key}' must be a non-empty string", _line(node)))
    return None


def _number(
    path: Path, what: str, node: yaml.Node, loader: yaml.SafeLoader, problems: list[Problem]
) -> float | None:
    # Only YAML ints and floats: a quoted "3" or a bool is a mistake worth reporting, not coercing.
    if isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS:
        try:
            value = float(loader.construct_object(node))
        except (yaml.YAMLError, OverflowError):  # a 5000-digit integer
            value = float("nan")
        if value == value and abs(value) != float("inf"):  # NaN and infinities would poison every score
            return value
    value = node.value if isinstance(node, yaml.ScalarNode) else type(node).__name__
    problems.append(Problem(path, f"{what} must be a number, not {shown(value)}", _line(node)))
    return None


def _keywords(
    path: Path, node: yaml.Node, loader: yaml.SafeLoader, problems: list[Problem]
) -> tuple[tuple[str, float], ...]:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, "'keywords' must be a mapping of phrase: weight", _line(node)))
        return ()
    keywords: list[tuple[str, float]] = []
    seen: set[str] = set()
    for key_node, value in node.value:
        phrase = " ".join(str(key_node.value).split()) if isinstance(key_node, yaml.ScalarNode) else ""
        if not phrase:
            problems.append(Problem(path, "a keyword must be a non-empty phrase", _line(key_node)))
            continue
        if phrase.lower() in seen:
            problems.append(
                Problem(path, f"keyword '{phrase}' is given twice in this theme", _line(key_node))
            )
            continue
        seen.add(phrase.lower())
        weight = _number(path, f"the weight of keyword '{phrase}'", value, loader, problems)
        if weight is not None:
            keywords.append((phrase, weight))
    return tuple(keywords)


def _slug_list(path: Path, key: str, node: yaml.Node, problems: list[Problem]) -> tuple[str, ...]:
    items = node.value if isinstance(node, yaml.SequenceNode) else None
    if items is None or not all(isinstance(i, yaml.ScalarNode) and _SLUG.fullmatch(i.value) for i in items):
        problems.append(Problem(path, f"'{key}' must be {THEME_KEYS[key]}", _line(node)))
        return ()
    return tuple(i.value for i in items)
