"""Site configuration, declared once: ``sitegen.yaml`` at the project root.

Every key has a type, a default and a one-line doc here; unknown keys are warned about (an error with
``--strict``); errors name the key and the line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sitegen.errors import Problem, SitegenError
from sitegen.inputs import (
    YAML_MAX,
    InputProblem,
    YamlProblem,
    link_problem,
    load_yaml,
    read_input,
    shown,
    url_problem,
)

CONFIG_FILE = "sitegen.yaml"
EXCLUDED = "excluded"  # the status that drops a paper from the site and keeps import from bringing it back


@dataclass(frozen=True)
class Config:
    title: str = field(default="Reading List", metadata={"doc": "site title, in the header and feeds"})
    description: str = field(
        default="A curated reading list of research papers.", metadata={"doc": "one line under the title"}
    )
    base_url: str = field(
        default="/",
        metadata={"doc": "where the site is hosted: '/', '/sub-path/' or 'https://host/sub-path/'"},
    )
    language: str = field(default="en", metadata={"doc": "the lang attribute of every page"})
    repository: str = field(
        default="", metadata={"doc": "repository URL for 'edit this page' links, e.g. https://github.com/o/r"}
    )
    branch: str = field(default="main", metadata={"doc": "branch the 'edit this page' links point at"})
    statuses: tuple[tuple[str, str], ...] = field(
        default=(("must-read", "Must read"), ("recommended", "Recommended"), ("background", "Background")),
        metadata={"doc": "curator status vocabulary: slug -> label ('excluded' is always known)"},
    )
    root: Path = field(default=Path("."), metadata={"doc": "", "internal": True})
    # `sitegen build --offline`: links name index.html, so that the site works opened from disk without
    # JavaScript (browsers show a folder listing for "papers/x/" there).
    offline: bool = field(default=False, metadata={"doc": "", "internal": True})

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def papers_dir(self) -> Path:
        return self.content_dir / "papers"

    @property
    def dumps_dir(self) -> Path:
        return self.content_dir / "dumps"

    @property
    def themes_file(self) -> Path:
        return self.content_dir / "themes.yaml"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def cache_dir(self) -> Path:
        """The persistent build cache, safe to delete (see ``sitegen.store``)."""
        return self.root / ".sitegen-cache"

    @property
    def lunr_file(self) -> Path:
        """lunr.js as npm installs it (package.json); copied into every built site."""
        return self.root / "node_modules" / "lunr" / "lunr.min.js"

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with leading and trailing slash: '/', '/reading-list/'."""
        path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", self.base_url)
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    @property
    def site_url(self) -> str:
        """The absolute URL of the site root when base_url has a host, else ''."""
        return self.base_url.rstrip("/") + "/" if "://" in self.base_url else ""

    @property
    def status_labels(self) -> dict[str, str]:
        return {**dict(self.statuses), EXCLUDED: "Excluded"}

    def with_base_url(self, base_url: str) -> Config:
        problems = _check_base_url(Path(CONFIG_FILE), base_url, None)
        if problems:
            raise SitegenError(problems)
        return replace(self, base_url=base_url)


# One way to split a path into segments, so a long near-miss is rejected in linear time.
_BASE_PATH = re.compile(r"/?(?:[A-Za-z0-9._~-]+/)*[A-Za-z0-9._~-]*")


def _check_base_url(path: Path, value: str, line: int | None) -> list[Problem]:
    host, rest = re.fullmatch(r"(https?://[^/]*)?(.*)", value, re.S).groups()
    if _BASE_PATH.fullmatch(rest) and (host is None or url_problem(host) is None):
        return []
    return [
        Problem(
            path, f"Config value 'base_url': {shown(value)} is not '/', '/sub-path/' or an http(s) URL", line
        )
    ]


def _key_lines(text: str) -> dict[str, int]:
    return {m.group(1): text[: m.start()].count("\n") + 1 for m in re.finditer(r"^([\w-]+)\s*:", text, re.M)}


def load_config(root: Path, strict: bool = False) -> tuple[Config, list[Problem]]:
    """Read ``root/sitegen.yaml`` (absent means all defaults). Returns the config and its warnings;
    raises SitegenError for errors (and for warnings when strict)."""
    path = root / CONFIG_FILE
    if not path.exists() and not path.is_symlink():
        return Config(root=root), []
    text, data = _read_config(path, root)
    values, problems = _config_values(path, data, _key_lines(text))
    if not values.get("repository") and os.environ.get("GITHUB_REPOSITORY"):
        # In GitHub Actions, "edit this page" links point at the repository being built.
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        values["repository"] = f"{server}/{os.environ['GITHUB_REPOSITORY']}"
    errors = [p for p in problems if p.severity == "error" or strict]
    if errors:
        raise SitegenError(problems)
    return Config(root=root, **values), problems


def _read_config(path: Path, root: Path) -> tuple[str, dict[Any, Any]]:
    """The text of the config file and the mapping it holds; SitegenError when it cannot be used at all."""
    if path.is_symlink() and (problem := link_problem(path, root)):
        raise SitegenError(problem)
    try:
        text = read_input(path, YAML_MAX).decode("utf-8-sig")
        data = load_yaml(text) or {}
    except InputProblem as exc:
        raise SitegenError(exc.problem) from None
    except UnicodeDecodeError:
        raise SitegenError(Problem(path, "is not UTF-8 text (re-save it as UTF-8)")) from None
    except YamlProblem as exc:
        line = None if exc.line is None else exc.line + 1
        column = None if exc.column is None else exc.column + 1
        raise SitegenError(Problem(path, f"not valid YAML ({exc.reason})", line, column)) from None
    if not isinstance(data, dict):
        raise SitegenError(Problem(path, "must be a mapping of key: value", 1))
    return text, data


def _config_values(
    path: Path, data: dict[Any, Any], lines: dict[str, int]
) -> tuple[dict[str, Any], list[Problem]]:
    """The values of the keys ``Config`` declares, and a problem for each unknown key or bad value."""
    known = {f.name: f for f in fields(Config) if not f.metadata.get("internal")}
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(str(key))
        if key not in known:
            message = f"unknown key {shown(key)} (known keys: {', '.join(known)})"
            problems.append(Problem(path, message, line, severity="warning"))
            continue
        if key == "statuses":
            parsed = _parse_statuses(value)
            if parsed is None:
                problems.append(
                    Problem(path, "Config value 'statuses': expected a mapping of slug: label", line)
                )
                continue
            values[key] = parsed
        elif not isinstance(value, str):
            problems.append(
                Problem(path, f"Config value '{key}': expected a string, got {shown(value)}", line)
            )
        else:
            values[key] = value
            if key == "base_url":
                problems += _check_base_url(path, value, line)
            elif key == "repository" and value and (reason := url_problem(value)):
                problems.append(Problem(path, f"Config value 'repository': {shown(value)} {reason}", line))
    return values, problems


def _parse_statuses(value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict):
        return None
    if not all(
        isinstance(k, str) and re.fullmatch(r"[a-z0-9-]+", k) and isinstance(v, str) for k, v in value.items()
    ):
        return None
    return tuple((k, v) for k, v in value.items() if k != EXCLUDED)
