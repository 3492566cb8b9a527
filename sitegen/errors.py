"""The one user-facing exception type: stages raise it, only the CLI prints it and exits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, printed as ``path:line: message``."""

    path: Path | str
    message: str
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # or "warning", or "notice" (for a reviewer's attention; never fails a run)

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {prefix}{self.message}"


class SitegenError(click.ClickException):
    """An input or usage problem the user can fix; carries every problem found, not only the first."""

    exit_code = 1

    def __init__(self, problems: Problem | Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("sitegen", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        # click prefixes "Error: "; problems already say where and what.
        click.echo(self.format_message(), err=True)
        count = sum(1 for p in self.problems if p.severity == "error")
        if count > 1:
            click.echo(f"{count} errors", err=True)


def error(path: Path | str, message: str, line: int | None = None, column: int | None = None) -> SitegenError:
    """Shorthand for a single-problem error."""
    return SitegenError(Problem(path, message, line, column))
