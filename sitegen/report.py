"""What ``sitegen check`` found, as the command prints it: a summary line, and each problem as
``path:line:column: message`` or as a GitHub Actions annotation shown on a pull request's diff."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import Problem


@dataclass(frozen=True)
class Report:
    problems: tuple[Problem, ...]
    papers: int
    themes: int
    dumps: int

    def failed(self, strict: bool = False) -> bool:
        return any(p.severity == "error" or (strict and p.severity == "warning") for p in self.problems)

    def summary(self, strict: bool = False) -> str:
        errors = sum(1 for p in self.problems if p.severity == "error")
        notices = sum(1 for p in self.problems if p.severity == "notice")
        warnings = len(self.problems) - errors - notices
        if strict:
            errors, warnings = errors + warnings, 0
        counts = [_plural(errors, "error")] + ([_plural(warnings, "warning")] if warnings else [])
        counts += [_plural(notices, "notice")] if notices else []
        checked = f"Checked {_plural(self.papers, 'paper')}, {_plural(self.themes, 'theme')}, "
        checked += f"{_plural(self.dumps, 'dump')}: "
        return checked + (", ".join(counts) if self.problems else "no problems")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def display_path(path: Path | str) -> str:
    """Relative to the working directory when inside it: GitHub annotations need repository paths."""
    text = str(path)
    if not isinstance(path, Path) or not path.is_absolute():
        return text
    relative = os.path.relpath(path)
    return text if relative.startswith("..") else relative


def format_text(problem: Problem) -> str:
    return str(
        Problem(display_path(problem.path), problem.message, problem.line, problem.column, problem.severity)
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problem: Problem, strict: bool = False) -> str:
    """A GitHub Actions workflow command, shown inline on the pull request's diff."""
    level = "error" if problem.severity == "error" or strict else "warning"
    level = "notice" if problem.severity == "notice" else level
    properties = [f"file={_escape_property(display_path(problem.path))}"]
    if problem.line is not None:
        properties.append(f"line={problem.line}")
        if problem.column is not None:
            properties.append(f"col={problem.column}")
    properties.append("title=sitegen check")
    return f"::{level} {','.join(properties)}::{_escape_data(problem.message)}"
